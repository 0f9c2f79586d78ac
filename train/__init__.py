"""Training: reward functions (``train.rewards``), SFT and GRPO with TRL."""
