"""Tools that build what the project ships (the embedded model), outside the RL loop."""
