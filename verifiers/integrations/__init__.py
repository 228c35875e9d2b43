"""Verity inside other systems: the one-call API and trainer adapters (TRL, verl, OpenRLHF), the
reward server and its client, the Ray pool; the command lines live in verifiers.cli."""
