"""Code verification: the verifier (CodeTestsVerifier), test cases as data, the judges' output
checkers, the plain-data codec, program assembly, and the in-sandbox driver (read as text, run
inside the sandbox, never imported by the host)."""
