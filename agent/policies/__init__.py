"""Policies by name, as the ``policy`` config group selects them (``policy=expert``). Model-backed
policies import torch or an HTTP client, so each is imported only when it is asked for."""

from __future__ import annotations

import importlib

POLICIES = {
    "expert": "agent.policies.expert:ExpertPolicy",
    "random": "agent.policies.random_policy:RandomPolicy",
    "qwen": "agent.policies.qwen:QwenPolicy",
    "openai": "agent.policies.openai_policy:OpenAIPolicy",
}


def policy_class(name: str):
    if name not in POLICIES:
        raise ValueError(f"policy must be one of {sorted(POLICIES)}, got {name!r}")
    module, cls = POLICIES[name].split(":")
    return getattr(importlib.import_module(module), cls)


def make_policy(name: str, prompt_format, **options):
    """``options`` are the policy's config keys; an unknown one is an error that names it."""
    cls = policy_class(name)
    try:
        return cls(prompt_format, **options)
    except TypeError as e:
        raise ValueError(f"bad option for policy {name!r}: {e}") from None


def is_privileged(name: str) -> bool:
    """Whether the policy reads the simulator's ground truth (the env must be made with expert=True)."""
    return getattr(policy_class(name), "privileged", False)
