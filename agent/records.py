"""The records the rollout loop hands to the layers above (synthesis, training, evaluation)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

# EmbodiedBench's per-episode metric names (``eb_alfred_evaluator.save_episode_metric``)
METRICS = ("task_success", "task_progress", "num_steps", "num_invalid_actions", "planner_output_error",
           "empty_plan", "planner_steps", "reward", "num_invalid_action_ratio")


@dataclass
class StepRecord:
    """One entry of an episode: an environment step, or a model turn that produced no action
    (unparsable output, ``action_id`` None) and so cost an invalid action but no env step."""

    step: int  # env steps taken so far, this one included
    turn: int  # the model call that chose this action
    action_id: int | None
    action: str
    valid: bool
    feedback: str
    reward: float
    progress: float
    output: str  # the model's text for this turn (repeated on each action of a multi-action plan)
    frame: str | None = None  # frame file after the step, relative to the episode folder
    annotations: str | None = None
    events: list = field(default_factory=list)
    repairs: list = field(default_factory=list)  # what the parser had to fix in the output


@dataclass
class Episode:
    """A finished episode: the task, where it came from, every step and EmbodiedBench's metrics."""

    index: int
    seed: int
    env: dict  # env id and constructor options: what ``agent.replay`` needs to rebuild it
    task: dict
    policy: str
    prompt: str
    steps: list[StepRecord]
    metrics: dict
    timing: dict = field(default_factory=dict)  # seconds; the only fields that differ between reruns

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Episode":
        d = dict(d)
        d["steps"] = [StepRecord(**s) for s in d["steps"]]
        return cls(**d)
