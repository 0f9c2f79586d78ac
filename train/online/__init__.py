"""The pieces of online multi-turn GRPO (``python -m train.grpo_online``): rollouts in groups, advantages,
the clipped loss, auxiliary rewards, Ego3S's curriculum and checkpoints."""
