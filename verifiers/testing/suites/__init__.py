"""Table-driven verifier suites shipped with the package: our tests, the benchmark and the
pytest plugin all read the same rows, so a case added once is checked everywhere."""
