"""Advantages for groups of episodes that start from the same state.

- GRPO (default): an episode's return, normalised within its group (mean 0, std 1); every turn of
  the episode shares it.
- GiGPO-style step level (``step_weight`` > 0): turns whose observation is the same *anchor state*
  (a hash of the frame the policy saw) are compared with each other across the group's episodes,
  on their discounted return from that turn on; a state met only once has no peers and gets 0.
  The turn's advantage is ``A_episode + step_weight * A_step``.
- The video-QA answer of each episode has its own reward, normalised within the group among the
  episodes that were asked a question.

Pure functions over lists, so that hand-made groups test them.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np


def normalize(values: list[float], scale: bool = True, eps: float = 1e-6) -> list[float]:
    """(v - mean) / (std + eps), or only centred when ``scale`` is off (Dr. GRPO's choice: dividing by
    the std up-weights groups that barely differ). One value, or all equal: zeros."""
    if not values:
        return []
    v = np.asarray(values, dtype=np.float64)
    centred = v - v.mean()
    if scale:
        centred = centred / (v.std() + eps)
    return centred.tolist()


def discounted(rewards: list[float], gamma: float) -> list[float]:
    """Return from each position on: G_t = r_t + gamma G_{t+1}."""
    out, g = [0.0] * len(rewards), 0.0
    for t in range(len(rewards) - 1, -1, -1):
        g = rewards[t] + gamma * g
        out[t] = g
    return out


def step_advantages(anchors: list[list[str]], returns: list[list[float]], scale: bool = True) -> list[list[float]]:
    """GiGPO's step-level advantages for one group: ``anchors[e][t]`` is the state key of episode e's turn t
    and ``returns[e][t]`` its discounted return. Turns sharing a key are normalised together."""
    peers: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for e, keys in enumerate(anchors):
        for t, key in enumerate(keys):
            peers[key].append((e, t))
    out = [[0.0] * len(keys) for keys in anchors]
    for members in peers.values():
        if len(members) < 2:
            continue
        for (e, t), a in zip(members, normalize([returns[e][t] for e, t in members], scale)):
            out[e][t] = a
    return out


def turn_advantages(turn_rewards: list[list[float]], anchors: list[list[str]], *, gamma: float = 0.95,
                    step_weight: float = 0.0, scale: bool = True) -> list[list[float]]:
    """One group's per-turn advantages: the episode level (return = sum of the turn rewards) plus,
    with ``step_weight``, the anchor-state step level."""
    episode = normalize([sum(r) for r in turn_rewards], scale)
    out = [[a] * len(r) for a, r in zip(episode, turn_rewards)]
    if step_weight:
        steps = step_advantages(anchors, [discounted(r, gamma) for r in turn_rewards], scale)
        out = [[a + step_weight * s for a, s in zip(row, srow)] for row, srow in zip(out, steps)]
    return out


def answer_advantages(rewards: list[float | None], scale: bool = True) -> list[float | None]:
    """The video-QA answers' advantages within a group; None where an episode had no question."""
    asked = [i for i, r in enumerate(rewards) if r is not None]
    out: list[float | None] = [None] * len(rewards)
    for i, a in zip(asked, normalize([rewards[i] for i in asked], scale)):
        out[i] = a
    return out
