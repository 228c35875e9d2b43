"""Where untrusted code runs: sandboxes report facts (RunResult), never correctness."""
