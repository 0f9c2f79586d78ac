"""``EgoHabitat-v0``: EB-Habitat behind the household env's contract.

Observation: ``rgb`` (the robot's head camera), ``instruction``, ``feedback`` (EB-Habitat's text).
Action: an id into the 70 skills generated from the rearrangement PDDL domain (``info["action_names"]``,
the same list every episode), or a skill's text. Success and progress are the simulator's measures
(``predicate_task_success``, latched subgoal ``task_progress``, forced to 1 on success as EB does); the
caps, the feedback text and the holding state are kept here. The simulator is EB's, reached through a
small backend surface (``envs.habitat.simulator``), so everything below it can be tested with a stand-in.
"""

from __future__ import annotations

import string

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from envs.habitat import feedback as fb
from envs.habitat.simulator import EBHabitatBackend
from envs.habitat.skills import Skill, skills
from envs.task import SUBSETS

MAX_TEXT = 4096
TEXT_CHARSET = string.printable
SPLITS = ("train", "test", "all")
EVENTS = {"pick": "picked", "place": "put", "open": "opened", "close": "closed"}


class HabitatEnv(gym.Env):
    metadata = {"render_modes": ["rgb_array"], "render_fps": 2}

    def __init__(self, subset: str = "base", scene_split: str = "train", resolution: int = 500, view: str = "ego",
                 expert: bool = False, max_steps: int = 30, max_invalid: int = 10, annotations: bool = False,
                 render_mode: str | None = None, backend=None):
        """``backend``: an object with the surface ``envs.habitat.simulator`` describes (tests pass a
        stand-in); by default EB-Habitat's own simulator, imported here and only here."""
        if subset not in SUBSETS:
            raise ValueError(f"subset must be one of {SUBSETS}, got {subset!r}")
        if scene_split not in SPLITS:
            raise ValueError(f"scene_split must be one of {SPLITS}, got {scene_split!r}")
        if view != "ego":
            raise ValueError(f"EB-Habitat gives the head camera only: view must be 'ego', got {view!r}")
        if expert:
            raise ValueError("EgoHabitat-v0 has no privileged planner: EB-Habitat's episodes carry goal "
                             "predicates but no plan; use a non-expert policy")
        self.skills: tuple[Skill, ...] = skills()
        self.action_names = [s.text for s in self.skills]
        self._index = {name: i for i, name in enumerate(self.action_names)}
        self.backend = backend if backend is not None else EBHabitatBackend(subset, int(resolution))
        self._check_skills(self.backend.skill_datas)
        self.subset, self.scene_split, self.resolution = subset, scene_split, int(resolution)
        self.max_steps, self.max_invalid, self.annotations = max_steps, max_invalid, annotations
        self.render_mode = render_mode
        self.observation_space = spaces.Dict({
            "rgb": spaces.Box(0, 255, (self.resolution, self.resolution, 3), np.uint8),
            "instruction": spaces.Text(MAX_TEXT, min_length=0, charset=TEXT_CHARSET),
            "feedback": spaces.Text(MAX_TEXT, min_length=0, charset=TEXT_CHARSET),
        })
        self.action_space = spaces.Discrete(len(self.skills))
        self.rgb: np.ndarray | None = None
        self.done = True

    def _check_skills(self, datas) -> None:
        """The simulator's action ids must mean what our generated list says they mean."""
        ours = [(s.action, list(s.args)) for s in self.skills]
        theirs = [(name, list(args)) for name, args in datas]
        if ours != theirs:
            first = next((i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b), min(len(ours), len(theirs)))
            raise RuntimeError(f"the simulator's skill list differs from the one generated from the domain at id "
                               f"{first} ({len(theirs)} vs {len(ours)} skills): is its PDDL domain another version?")

    # ---- gymnasium API ---------------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        episode_seed = seed if seed is not None else int(self.np_random.integers(2**31 - 1))
        index = episode_seed % self.backend.num_episodes  # EB plays its dataset in order; a seed picks one
        self.rgb, info = self.backend.reset(index)
        self.instruction = str(info["lang_goal"])
        self.num_subgoals = max(int(info.get("num_subgoals", 1)), 1)
        self.steps, self.invalid, self.done = 0, 0, False
        self.holding: str | None = None
        self.feedback = ""
        self.success, self.progress = False, 0.0
        self._task = {"id": f"eb_habitat/{self.subset}/{info['episode_id']}", "type": "language_rearrangement",
                      "subset": self.subset, "instruction": self.instruction, "seed": episode_seed,
                      "episode_index": index, "episode_id": str(info["episode_id"]),
                      "split": self.scene_split}  # recorded only: EB-Habitat's eval sets fix their scenes
        return self._obs(), self._info(last_success=True, events=[])

    def step(self, action):
        if self.done:
            raise RuntimeError("call reset() before step(), and again after the episode is over")
        skill_id = self._skill_id(action)
        events: list[dict] = []
        before = self.progress  # the reward is its change: EB's subgoal reward without the factor 5
        if skill_id is None:  # never reaches the simulator: EB's ids are always in range
            ok = False
            self.feedback = (f"{fb.INVALID} {action!r} is not one of the {len(self.skills)} actions."
                             if isinstance(action, str) else
                             f"{fb.INVALID} Action id {action} is out of range 0..{len(self.skills) - 1}.")
        else:
            skill = self.skills[skill_id]
            self.rgb, measures = self.backend.step(skill_id)
            ok = not bool(measures["was_prev_action_invalid"])
            self.feedback, self.holding = fb.feedback(skill, not ok, self.holding)
            self.success = bool(measures["predicate_task_success"])
            self.progress = 1.0 if self.success else float(measures["task_progress"])
            if ok and skill.kind in EVENTS:
                events = [{"event": EVENTS[skill.kind], "object": skill.target, "class": skill.target,
                           "other": None, "other_class": None}]
        self.steps += 1
        self.invalid += not ok
        terminated = self.success
        truncated = not terminated and (self.steps >= self.max_steps or self.invalid >= self.max_invalid)
        self.done = terminated or truncated
        info = self._info(last_success=ok, events=events)
        info["action_id"] = skill_id
        info["action_description"] = self.action_names[skill_id] if skill_id is not None else str(action)
        return self._obs(), float(self.progress - before), terminated, truncated, info

    def render(self):
        return self.rgb

    # ---- helpers -------------------------------------------------------------------------------
    def _skill_id(self, action) -> int | None:
        if isinstance(action, str):
            return self._index.get(" ".join(action.split()))
        idx = int(action)
        return idx if 0 <= idx < len(self.skills) else None

    def _obs(self) -> dict:
        return {"rgb": self.rgb, "instruction": self.instruction, "feedback": self.feedback}

    def _info(self, last_success: bool, events: list) -> dict:
        n = self.num_subgoals
        return {
            "action_names": list(self.action_names),
            "task_success": float(self.success),
            "task_progress": self.progress,
            "goal_conditions_met": (round(self.progress * n), n),
            "last_action_success": float(last_success),
            "num_invalid_actions": self.invalid,
            "env_step": self.steps,
            "env_feedback": self.feedback,
            "instruction": self.instruction,
            "task": dict(self._task),
            "events": events,
            "holding": self.holding,
        }
