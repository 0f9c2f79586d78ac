"""``EgoHousehold-v0``: the embedded household simulator behind the Gymnasium interface.

Observation: ``rgb`` (HxWx3 uint8, the first-person view by default), ``instruction`` and
``feedback`` (text). Action: an id into the episode's action list (``info["action_names"]``:
EB-ALFRED's 162 global actions, then this scene's ``Type_k`` extras) or the action text itself.
Ground truth goes in ``info`` only: success, progress, the task, the step's world events, the
interaction region, with ``annotations=True`` the instance mask and visible objects, and with
``expert=True`` the privileged planner's next skill.
"""

from __future__ import annotations

import string
from functools import lru_cache

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from envs.household import goals, planner, skills, tasks
from envs.household.annotations import MIN_VISIBLE_PIXELS, FrameAnnotations, box_of, noise_region
from envs.household.catalog import load
from envs.household.ego import EgoRenderer
from envs.household.placement import MAX_INSTANCES, alias_names
from envs.household.topdown import TopDown
from envs.household.vocab import GLOBAL_ACTIONS, OPEN_OBJECTS, alias_actions
from envs.household.world import World
from envs.task import SUBSETS, Task

MAX_TEXT = 4096
TEXT_CHARSET = string.printable
VIEWS = ("ego", "topdown", "blank")


@lru_cache(maxsize=1)
def max_actions() -> int:
    """An upper bound on any episode's action list, so that the action space is fixed."""
    catalog = load()
    worst = 0
    for scene in catalog.scenes.values():
        counts: dict[str, int] = {}
        for o in scene.objects:
            if o.interactive:
                counts[o.type] = counts.get(o.type, 0) + 1
        extra = 0
        for cls, n in counts.items():
            n = max(n, MAX_INSTANCES)
            extra += (n - 1) * (3 if cls in OPEN_OBJECTS else 1)
        worst = max(worst, extra)
    return len(GLOBAL_ACTIONS) + worst


class HouseholdEnv(gym.Env):
    metadata = {"render_modes": ["rgb_array"], "render_fps": 2}

    def __init__(self, subset: str = "base", scene_split: str = "train", resolution: int = 224,
                 view: str = "ego", expert: bool = False, max_steps: int = 30, max_invalid: int = 10,
                 floorplans: list[int] | None = None, task_types: list[str] | None = None,
                 randomize: bool = True, annotations: bool = False, min_visible_pixels: int = MIN_VISIBLE_PIXELS,
                 render_mode: str | None = None):
        if subset not in SUBSETS:
            raise ValueError(f"subset must be one of {SUBSETS}, got {subset!r}")
        if view not in VIEWS:
            raise ValueError(f"view must be one of {VIEWS}, got {view!r}")
        if render_mode not in (None, "rgb_array"):
            raise ValueError(f"render_mode must be None or 'rgb_array', got {render_mode!r}")
        load().floorplans(scene_split)  # validates the split name
        self.subset, self.scene_split, self.resolution, self.view = subset, scene_split, int(resolution), view
        self.expert, self.max_steps, self.max_invalid = expert, max_steps, max_invalid
        self.floorplans, self.task_types, self.randomize = floorplans, task_types, randomize
        self.annotations, self.min_visible_pixels = annotations, min_visible_pixels
        self.render_mode = render_mode
        self.observation_space = spaces.Dict({
            "rgb": spaces.Box(0, 255, (self.resolution, self.resolution, 3), np.uint8),
            "instruction": spaces.Text(MAX_TEXT, min_length=0, charset=TEXT_CHARSET),
            "feedback": spaces.Text(MAX_TEXT, min_length=0, charset=TEXT_CHARSET),
        })
        self.action_space = spaces.Discrete(max_actions())
        self.task: Task | None = None
        self.world: World | None = None
        self.action_names: list[str] = []
        self.rgb: np.ndarray | None = None
        self.mask: np.ndarray | None = None  # instance ids of the current frame (ego view only)

    # ---- gymnasium API ---------------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        options = options or {}
        if "task" in options:
            task = options["task"]
            self.task = task if isinstance(task, Task) else Task.from_dict(task)
            self.world = tasks.world_for(self.task)
        else:
            episode_seed = seed if seed is not None else int(self.np_random.integers(2**31 - 1))
            self.task, self.world = tasks.generate(episode_seed, self.subset, self.scene_split,
                                                   self.floorplans, self.task_types, self.randomize)
        recs, picks = alias_names(self.world)
        self.action_names = list(GLOBAL_ACTIONS) + alias_actions(recs, picks)
        self._index = {a: i for i, a in enumerate(self.action_names)}
        self._renderer = {"ego": EgoRenderer, "topdown": TopDown}.get(self.view)
        self._renderer = self._renderer(self.world, self.resolution) if self._renderer else None
        self.steps, self.invalid, self.done = 0, 0, False
        self._last_box: tuple | None = None  # (mask, target, its box) of the last interaction
        # worked out once: dataclasses.asdict on every step cost a logic step a quarter of its time
        self._task_info = {**self.task.to_dict(), "scene": self.task.scene,
                           "room_type": self.world.scene.room_type, "split": self.world.scene.split}
        self.feedback = ""
        self.progress = goals.progress(self.world, self.task)
        self._render()
        return self._obs(), self._info(last_success=True, events=[])

    def step(self, action):
        if self.world is None:
            raise RuntimeError("call reset() before step()")
        if self.done:
            raise RuntimeError("the episode is over; call reset() to start a new one")
        text, action_id = self._action_text(action)
        self.world.events.clear()
        pose = self._pose()
        if text is None:
            outcome = skills.Outcome(False, f"{skills.INVALID}Action id {action} is out of range "
                                            f"0..{len(self.action_names) - 1} for this episode.")
        else:
            outcome = skills.execute(self.world, text)
        self.steps += 1
        self.invalid += not outcome.success
        self.feedback = outcome.feedback
        progress = goals.progress(self.world, self.task)
        reward, self.progress = progress - self.progress, progress
        success = progress == 1.0
        terminated = success
        truncated = not success and (self.steps >= self.max_steps or self.invalid >= self.max_invalid)
        self.done = terminated or truncated
        before = self.mask
        if self.world.events or pose != self._pose():
            self._render()
        else:  # a failed skill changes nothing: the same frame, in new arrays (callers may keep the old)
            self.rgb = self.rgb.copy()
            self.mask = self.mask.copy() if self.mask is not None else None
        info = self._info(last_success=outcome.success, events=self._events())
        info["action_id"] = action_id
        info["action_description"] = text if text is not None else str(action)
        info["interaction"] = self._interaction(outcome.target, before)
        return self._obs(), float(reward), terminated, truncated, info

    def render(self):
        """The top-down map of the room (for debugging; the observation is the first-person view)."""
        if self.world is None:
            return None
        view = self._renderer if self.view == "topdown" else TopDown(self.world, self.resolution)
        return view.render(self.world)

    def counterfactual(self, object_id: str, seed: int = 0) -> np.ndarray | None:
        """The current frame with one object's box replaced by noise (``None`` if it is not in view)."""
        if self.mask is None:
            raise RuntimeError("counterfactual frames need view='ego'")
        idx = next((o.idx for o in self.world.objects if o.id == object_id), None)
        if idx is None:
            raise KeyError(f"no object {object_id!r} in this episode")
        box = box_of(self.mask, idx + 1, self.min_visible_pixels)
        return None if box is None else noise_region(self.rgb, box, seed)

    # ---- helpers -------------------------------------------------------------------------------
    def _action_text(self, action) -> tuple[str | None, int | None]:
        if isinstance(action, str):
            return action, self._index.get(action)
        idx = int(action)
        if 0 <= idx < len(self.action_names):
            return self.action_names[idx], idx
        return None, idx

    def _pose(self) -> tuple:
        a = self.world.agent
        return (a.x, a.z, a.yaw, a.horizon, a.held)

    def _render(self) -> None:
        if self.view == "ego":
            frame = self._renderer.render(self.world)
            self.rgb, self.mask = frame.rgb, frame.mask
        elif self.view == "topdown":
            self.rgb = self._renderer.render(self.world)
        else:
            self.rgb = np.zeros((self.resolution, self.resolution, 3), np.uint8)

    def _obs(self) -> dict:
        return {"rgb": self.rgb, "instruction": self.task.instruction, "feedback": self.feedback}

    def _events(self) -> list[dict]:
        out = []
        for kind, i, other in self.world.events:
            o = self.world.objects[i]
            event = {"event": kind, "object": o.id, "class": o.cls, "other": None, "other_class": None}
            if other is not None:
                event["other"], event["other_class"] = self.world.objects[other].id, self.world.objects[other].cls
            out.append(event)
        return out

    def _interaction(self, target: int | None, before: np.ndarray | None) -> dict | None:
        """The object the skill acted on and its box in the frames before and after (ego view)."""
        if target is None:
            return None
        o = self.world.objects[target]
        out = {"object": o.id, "class": o.cls, "name": o.name, "box_before": None, "box_after": None}
        if before is not None:
            # A skill mostly acts on what the one before it found: its box in that frame is known.
            last = self._last_box
            if last is not None and last[0] is before and last[1] == target:
                out["box_before"] = None if last[2] is None else list(last[2])
            else:
                out["box_before"] = box_of(before, target + 1, self.min_visible_pixels)
            out["box_after"] = box_of(self.mask, target + 1, self.min_visible_pixels)
            self._last_box = (self.mask, target, out["box_after"])
        return out

    def _info(self, last_success: bool, events: list) -> dict:
        s, ts = goals.conditions_met(self.world, self.task)
        info = {
            "action_names": self.action_names,
            "task_success": float(s == ts),
            "task_progress": s / ts,
            "goal_conditions_met": (s, ts),
            "last_action_success": float(last_success),
            "num_invalid_actions": self.invalid,
            "env_step": self.steps,
            "env_feedback": self.feedback,
            "instruction": self.task.instruction,
            # the whole Task (``Task.from_dict`` takes it back, less the last three keys) and where it is
            "task": dict(self._task_info),
            "events": events,
        }
        if self.annotations and self.mask is not None:
            # object indices never change within an episode, so the lazy list may read the live world
            info["frame"] = FrameAnnotations(self.world, self.mask, self.min_visible_pixels)
        if self.expert:
            nxt = planner.next_action(self.world, self.task, self.action_names)
            info["expert_action"] = self._index[nxt] if nxt is not None else None
        return info
