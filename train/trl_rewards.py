"""TRL adapters: any reward of ``train.rewards`` or ``train.grounding_rewards`` as a TRL GRPO reward
function ``fn(completions, **columns) -> list[float]`` reading its ground truth from dataset columns."""

from __future__ import annotations

import inspect
from pathlib import Path

import numpy as np

from agent.prompts.replies import completion_text
from train.grounding_rewards import earl_answer_reward, earl_grounding_reward, ego3s_interaction_rewards
from train.rewards import (earl_format, ego3s_format, egovlm_reward, imitation_reward, keyframe_reward,
                           mcq_accuracy, think_action_format, think_answer_format)


REWARDS = {f.__name__: f for f in (
    think_action_format, think_answer_format, earl_format, ego3s_format, imitation_reward, mcq_accuracy,
    keyframe_reward, egovlm_reward, earl_answer_reward, earl_grounding_reward, ego3s_interaction_rewards)}


def trl_reward(fn, *, columns: dict | None = None, name: str | None = None, mask_root: str | Path | None = None,
               group_size: int | None = None, **weights):
    """A TRL GRPO reward function ``reward(completions, **kwargs) -> list[float]`` from a reward of
    this module (or its name in ``REWARDS``).

    The reward's parameters after ``text`` are read from the dataset columns TRL passes as keyword
    lists, one value per completion, by the same name (``answer``, ``keyframes``, ``expert_actions``,
    ``boxes``, ``masks``, ``interacted``) unless ``columns`` maps a parameter to another column. A
    column that is absent, or None in a row, leaves the parameter's default; a required one missing
    raises. ``masks`` given as a path (synth.grounding's ``masks/000012.png``) is read relative to
    ``mask_root`` (the dataset folder); without ``mask_root`` paths are dropped and box IoU scores.
    ``weights`` go to the reward as keywords. Group rewards (Ego3S) see one group at a time:
    ``group_size`` consecutive completions, or by default each run of equal ``prompts`` (TRL repeats
    a prompt ``num_generations`` times in a row; a group split across processes is seen in parts)."""
    fn = REWARDS[fn] if isinstance(fn, str) else fn
    columns = columns or {}
    params = [p for p in inspect.signature(fn).parameters.values() if p.kind is p.POSITIONAL_OR_KEYWORD][1:]

    def reward(completions, **kwargs) -> list[float]:
        texts = [completion_text(c) for c in completions]
        rows = [_column(p, columns.get(p.name, p.name), kwargs, len(texts), mask_root) for p in params]
        if getattr(fn, "group", False):
            out = []
            for lo, hi in _groups(kwargs.get("prompts"), len(texts), group_size):
                out += fn(texts[lo:hi], *(r[lo:hi] for r in rows), **weights)
            return [float(x) for x in out]
        return [float(fn(t, *(r[i] for r in rows), **weights)) for i, t in enumerate(texts)]

    reward.__name__ = name or fn.__name__
    return reward


def _column(p: inspect.Parameter, col: str, kwargs: dict, n: int, mask_root) -> list:
    if col not in kwargs:
        if p.default is p.empty:
            raise KeyError(f"reward {p.name!r} needs the dataset column {col!r}; columns given: {sorted(kwargs)}")
        return [p.default] * n
    values = [p.default if v is None and p.default is not p.empty else v for v in kwargs[col]]
    if p.name == "masks":
        values = [_load_mask(v, mask_root) for v in values]
    return values


def _load_mask(value, root):
    if isinstance(value, (str, Path)):
        if root is None:  # box IoU unless told where the dataset's mask files are
            return None
        from PIL import Image
        with Image.open(Path(root or ".") / value) as im:
            return np.array(im)
    return None if value is None else np.asarray(value)


def _groups(prompts, n: int, size: int | None) -> list[tuple[int, int]]:
    if size:
        return [(lo, min(lo + size, n)) for lo in range(0, n, size)]
    keys = [repr(p) for p in prompts] if prompts is not None else [None] * n
    cuts = [0] + [i for i in range(1, n) if keys[i] != keys[i - 1]] + [n]
    return list(zip(cuts, cuts[1:]))
