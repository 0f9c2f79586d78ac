"""Local vision-language models: a tiny real Qwen2-VL built offline for tests, the loader every
checkpoint goes through, and batched generation that keeps token ids and log-probs."""
