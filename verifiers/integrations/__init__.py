"""Verity inside other systems: the reward server, its client, and trainer entry points."""
