"""Synthesis: expert episodes in the household simulator turned into training data (SFT, multi-level
planning, egocentric video-QA, grounding), every label read off the simulator's ground truth."""
