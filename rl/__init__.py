"""A lean GRPO loop for R1-Zero-style RL with verifiable rewards."""
