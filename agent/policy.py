"""What a policy is: given one turn of an episode, return the raw text it produced and the plan
parsed from it. Scripted policies (expert, random) and model-backed ones share this contract, so
the rollout loop, synthesis, training and evaluation never care which is behind it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np


@dataclass(frozen=True)
class HistoryItem:
    """One past action as the next prompt shows it (``action_id`` None: an unparsable turn)."""

    action_id: int | None
    action: str
    feedback: str
    valid: bool


@dataclass(frozen=True)
class Prompt:
    """Chat messages in the OpenAI/TRL multi-modal form: each ``{"type": "image"}`` content item
    stands for the next array of ``images``, in order."""

    messages: list[dict]
    images: list[np.ndarray] = field(default_factory=list)
    image_steps: tuple[int, ...] = ()  # the env step each image was seen at (frames/step_NNN.png)


@dataclass(frozen=True)
class Plan:
    """The actions a model's text asks for, as ids into the episode's action list.

    ``error`` set: the text could not be read as a plan (an invalid step, EB's ``-1``);
    ``empty``: it was read but names no action (EB's ``-2``)."""

    actions: tuple[int, ...] = ()
    error: str | None = None
    empty: bool = False
    repairs: tuple[str, ...] = ()


@dataclass(frozen=True)
class PolicyInput:
    """One episode at one turn."""

    episode_seed: int  # policies draw their randomness from (their seed, episode_seed, turn)
    turn: int
    step: int  # env steps taken so far
    instruction: str
    image: np.ndarray
    action_names: list[str]
    history: tuple[HistoryItem, ...]
    feedback: str
    prompt: Prompt
    max_steps_left: int
    info: dict  # the env's ground truth: only privileged policies (the expert) may read it


@dataclass(frozen=True)
class Decision:
    text: str
    plan: Plan
    tokens: object | None = None  # a local model's token ids and log-probs (agent.models.generate.Generation)


@runtime_checkable
class Policy(Protocol):
    name: str

    def act(self, inputs: list[PolicyInput]) -> list[Decision]:
        """One decision per input, in order; inputs may come from different episodes (batching)."""
        ...


class TextPolicy(ABC):
    """Base for policies that only produce text (models): the plan comes from the prompt format's
    parser, which never raises, so a model's output can never crash a rollout."""

    name = "text"

    def __init__(self, prompt_format):
        self.format = prompt_format

    @abstractmethod
    def generate(self, inputs: list[PolicyInput]) -> list[str]:
        """One reply per input, for ``input.prompt``."""

    def act(self, inputs: list[PolicyInput]) -> list[Decision]:
        texts = self.generate(inputs)
        return [Decision(t, self.format.parse(t, i.action_names)) for t, i in zip(texts, inputs)]
