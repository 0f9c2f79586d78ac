"""Agents that act in any Gymnasium environment speaking the household contract: policies, prompt
formats and their parsers, the rollout loop, the episode recorder and deterministic replay."""
