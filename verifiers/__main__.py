"""`python -m verifiers grade ...` is the same command as `verity grade ...`."""

from verifiers.cli import main

raise SystemExit(main())
