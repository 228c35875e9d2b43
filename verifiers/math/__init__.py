"""Math answers: normalisation, typed values, parsing, comparison and the verifier."""
