"""Policies by name, as the ``policy`` config group selects them (``policy=expert``)."""

from __future__ import annotations

from agent.policies.expert import ExpertPolicy
from agent.policies.random_policy import RandomPolicy

POLICIES = {"expert": ExpertPolicy, "random": RandomPolicy}


def make_policy(name: str, prompt_format, **options):
    """``options`` are the policy's config keys; an unknown one is an error that names it."""
    if name not in POLICIES:
        raise ValueError(f"policy must be one of {sorted(POLICIES)}, got {name!r}")
    cls = POLICIES[name]
    try:
        return cls(prompt_format, **options)
    except TypeError as e:
        raise ValueError(f"bad option for policy {name!r}: {e}") from None


def is_privileged(name: str) -> bool:
    """Whether the policy reads the simulator's ground truth (the env must be made with expert=True)."""
    return getattr(POLICIES.get(name), "privileged", False)
