"""Auditing any reward on labelled rows: the pytest plugin (`pytest --verity-suite=...`) and the
labelled suites (math, format, hacking) it, our tests and the benchmarks read; it grades nothing
itself."""
