"""Evaluation: EmbodiedBench-style success rates, video-QA and grounding metrics, and the HTML report."""
