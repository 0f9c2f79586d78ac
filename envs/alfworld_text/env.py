"""``EgoAlfworldText-v0``: ALFWorld's TextWorld games behind the household env's contract.

Observation: ``rgb`` (a black frame: the game is text only), ``instruction`` (the task sentence) and
``feedback`` (the game's text: the room description after reset, the response after each step).
Action: an id into this step's admissible commands (``info["action_names"]``, sorted as TextWorld
sorts them, so the list changes from step to step) or a command's text. A command that is not
admissible is an invalid step: it costs a step and an invalid action, and the game is not touched.
With ``action_list="episode"`` the list instead grows through the episode (every command admissible
so far keeps its id; ``info["admissible_commands"]`` says which hold now): ids then stay valid across
the actions of one multi-action plan, which the per-step list cannot promise.
``expert=True`` adds ``info["expert_action"]``: Fast Downward's plan from the current state (TextWorld's
``policy_commands``), so the expert recovers from any detour.
"""

from __future__ import annotations

import string

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from envs.alfworld_text import games, progress
from envs.alfworld_text.backend import TextGame
from envs.task import SUBSETS

MAX_ACTIONS = 128  # the fixture games admit at most a few dozen commands; checked on every step
MAX_TEXT = 4096
TEXT_CHARSET = string.printable
ACTION_LISTS = ("admissible", "episode")
INVALID = "Last action is invalid. "
# the command's first word -> the event the household env's log would call it
EVENTS = {"take": "picked", "move": "put", "open": "opened", "close": "closed", "heat": "heated",
          "cool": "cooled", "clean": "cleaned", "use": "toggled", "slice": "sliced"}


class AlfworldTextEnv(gym.Env):
    metadata = {"render_modes": ["rgb_array"], "render_fps": 2}

    def __init__(self, subset: str = "base", scene_split: str = "train", resolution: int = 224,
                 view: str = "blank", expert: bool = False, max_steps: int = 30, max_invalid: int = 10,
                 task_types: list[str] | None = None, annotations: bool = False, action_list: str = "admissible",
                 render_mode: str | None = None):
        if subset not in SUBSETS:
            raise ValueError(f"subset must be one of {SUBSETS}, got {subset!r}")
        if view != "blank":
            raise ValueError(f"the ALFWorld text games have no picture: view must be 'blank', got {view!r}")
        if action_list not in ACTION_LISTS:
            raise ValueError(f"action_list must be one of {ACTION_LISTS}, got {action_list!r}")
        if render_mode not in (None, "rgb_array"):
            raise ValueError(f"render_mode must be None or 'rgb_array', got {render_mode!r}")
        self.games = games.games(scene_split, task_types)  # validates the split before any import
        self.subset, self.scene_split, self.resolution = subset, scene_split, int(resolution)
        self.expert, self.max_steps, self.max_invalid = expert, max_steps, max_invalid
        self.action_list = action_list
        self.annotations = annotations  # accepted for the contract; a text game has no masks to give
        self.render_mode = render_mode
        self.observation_space = spaces.Dict({
            "rgb": spaces.Box(0, 255, (self.resolution, self.resolution, 3), np.uint8),
            "instruction": spaces.Text(MAX_TEXT, min_length=0, charset=TEXT_CHARSET),
            "feedback": spaces.Text(MAX_TEXT, min_length=0, charset=TEXT_CHARSET),
        })
        self.action_space = spaces.Discrete(MAX_ACTIONS)
        self.spec_game: games.GameSpec | None = None
        self.game: TextGame | None = None
        self.action_names: list[str] = []
        self._loaded: dict[tuple[str, int], TextGame] = {}  # parsing a game costs ~0.1 s: keep them

    # ---- gymnasium API ---------------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        episode_seed = seed if seed is not None else int(self.np_random.integers(2**31 - 1))
        # consecutive seeds walk through the games first, then through the goal library's templates
        n = len(self.games)
        self.spec_game, template = self.games[episode_seed % n], (episode_seed // n) % 2
        key = (self.spec_game.id, template)
        if key not in self._loaded:
            self._loaded[key] = TextGame(games.game_data(self.spec_game, template), planner=self.expert)
        self.game = self._loaded[key]
        state = self.game.reset()
        self.instruction = games.instruction(self.spec_game, template)
        self.feedback = state.feedback.strip()
        self.steps, self.invalid, self.done = 0, 0, False
        self.action_names = []
        self._task = {"id": f"alfworld_text/{self.spec_game.id}/t{template}", "type": self.spec_game.task_type,
                      "subset": self.subset, "instruction": self.instruction, "seed": episode_seed,
                      "game": self.spec_game.id, "split": self.spec_game.split,
                      "object_target": self.spec_game.object_target, "parent_target": self.spec_game.parent_target,
                      "toggle_target": self.spec_game.toggle_target}
        self._sync_actions()
        self.conditions = self._conditions()
        return self._obs(), self._info(last_success=True, events=[])

    def step(self, action):
        if self.game is None:
            raise RuntimeError("call reset() before step()")
        if self.done:
            raise RuntimeError("the episode is over; call reset() to start a new one")
        command, action_id = self._command(action)
        events: list[dict] = []
        if command is None or command not in self._admissible:
            ok = False
            self.feedback = INVALID + (f"Action id {action} is out of range 0..{len(self.action_names) - 1} "
                                       "for this step." if command is None else
                                       f"{command!r} is not one of the admissible commands. Nothing happens.")
        else:
            ok = True
            self.feedback = self.game.step(command).feedback.strip()
            events = _events(command)
            self._sync_actions()
        self.steps += 1
        self.invalid += not ok
        before, self.conditions = self.progress, self._conditions()
        reward = self.progress - before
        success = self.game.won
        terminated = success
        truncated = not success and (self.steps >= self.max_steps or self.invalid >= self.max_invalid)
        self.done = terminated or truncated
        info = self._info(last_success=ok, events=events)
        info["action_id"] = action_id
        info["action_description"] = command if command is not None else str(action)
        return self._obs(), float(reward), terminated, truncated, info

    def render(self):
        return np.zeros((self.resolution, self.resolution, 3), np.uint8)

    # ---- helpers -------------------------------------------------------------------------------
    def _sync_actions(self) -> None:
        self.admissible = self.game.admissible
        if self.action_list == "admissible":
            self.action_names = list(self.admissible)
        else:  # append-only: an id keeps its command for the whole episode
            known = set(self.action_names)
            self.action_names = self.action_names + [c for c in self.admissible if c not in known]
        if len(self.action_names) > MAX_ACTIONS:
            raise RuntimeError(f"game {self.spec_game.id} admits {len(self.action_names)} commands, more than "
                               f"the action space's {MAX_ACTIONS}; raise MAX_ACTIONS")
        self._index = {a: i for i, a in enumerate(self.action_names)}
        self._admissible = set(self.admissible)

    def _command(self, action) -> tuple[str | None, int | None]:
        if isinstance(action, str):
            text = " ".join(action.split()).lower()  # ALFWorld's commands are lower case, single-spaced
            return text, self._index.get(text)
        idx = int(action)
        if 0 <= idx < len(self.action_names):
            return self.action_names[idx], idx
        return None, None

    def _conditions(self) -> tuple[int, int]:
        s, ts = progress.conditions_met(self.spec_game, self.game.facts)
        return (ts, ts) if self.game.won else (s, ts)  # a won game is complete whatever the counts say

    @property
    def progress(self) -> float:
        s, ts = self.conditions
        return s / ts

    def _obs(self) -> dict:
        return {"rgb": np.zeros((self.resolution, self.resolution, 3), np.uint8),
                "instruction": self.instruction, "feedback": self.feedback}

    def _info(self, last_success: bool, events: list) -> dict:
        info = {
            "action_names": list(self.action_names),
            "task_success": float(self.game.won),
            "task_progress": self.progress,
            "goal_conditions_met": self.conditions,
            "last_action_success": float(last_success),
            "num_invalid_actions": self.invalid,
            "env_step": self.steps,
            "env_feedback": self.feedback,
            "instruction": self.instruction,
            "task": dict(self._task),
            "events": events,
            "admissible_commands": list(self.admissible),
        }
        if self.expert:
            plan = None if self.game.won else self.game.plan
            info["expert_action"] = self._index.get(plan[0]) if plan else None
        return info


def _events(command: str) -> list[dict]:
    """What a valid command changed, in the household env's event-log shape (names, not ids)."""
    words = command.split()
    kind = EVENTS.get(words[0]) if words else None
    if kind is None or len(words) < 3:
        return []
    obj = " ".join(words[1:3])
    other = " ".join(words[-2:]) if len(words) >= 5 else None  # "take x 1 from y 1", "heat x 1 with y 1"
    return [{"event": kind, "object": obj, "class": words[1], "other": other,
             "other_class": other.split()[0] if other else None}]
