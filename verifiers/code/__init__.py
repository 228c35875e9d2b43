"""Code verification: test cases as data, plain-data codec, program assembly, the in-sandbox driver."""
