"""``EgoThor-v0``: EB-ALFRED on the real AI2-THOR (ai2thor 2.1.0), behind the household env's contract.

Same observation (``rgb``, ``instruction``, ``feedback``), same action ids (EB-ALFRED's 162 global
actions, then this scene's ``Type_k`` extras), same feedback strings, caps and ``info`` keys as
``envs/household/env.py``; success and progress are ALFRED's goal conditions on THOR's metadata.
Episodes come from ALFRED / EB-ALFRED task files (``tasks``); episode ``seed`` plays task
``seed % len(tasks)`` (EB plays them in file order, which seeds 0, 1, ... reproduce).

With ``expert=True``, ``info["expert_action"]`` is the next skill of ALFRED's own plan for the task
(``envs/thor/expert.py``); with ``annotations=True``, ``info["frame"]`` holds the instance mask and
visible objects read off THOR's object image (``envs/thor/annotations.py``).

Nothing starts at construction except the checks (package, build, display, task files), so a
misconfigured env fails at once; the Unity backend starts on the first ``reset``.
"""

from __future__ import annotations

import string

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from PIL import Image

from envs.household.skills import INVALID
from envs.household.vocab import GLOBAL_ACTIONS, alias_actions
from envs.task import SUBSETS
from envs.thor import goals
from envs.thor.annotations import MIN_VISIBLE_PIXELS, annotate, box_of, mask_of
from envs.thor.backend import BackendConfig, ThorBackend
from envs.thor.errors import ThorBackendError
from envs.thor.expert import PlanFollower, skills_for
from envs.thor.skills import Outcome, ThorSkills
from envs.thor.tasks import ThorEpisode, load_episodes

MAX_TEXT = 4096
TEXT_CHARSET = string.printable
MAX_ACTIONS = 512  # 162 global + per-scene aliases (EB reports up to ~300 per episode)
VIEWS = ("ego", "blank")
# ALFRED's scene set-up (env/thor_env.py reset/restore_scene), with the object image that ALFRED renders
# too (ai2thor's client-side Open/Close check and the annotations read it); depth and class images are
# left off, since nothing here reads them.
INITIALIZE = dict(action="Initialize", gridSize=0.25, cameraY=0.675, renderImage=True, renderDepthImage=False,
                  renderClassImage=False, renderObjectImage=True, visibility_distance=1.5, makeAgentsVisible=False)


class ThorEnv(gym.Env):
    metadata = {"render_modes": ["rgb_array"], "render_fps": 2}

    def __init__(self, tasks: str | None = None, data_dir: str | None = None, subset: str = "base",
                 scene_split: str = "all", resolution: int = 500, render_resolution: int | None = None,
                 view: str = "ego", max_steps: int = 30, max_invalid: int = 10, expert: bool = False,
                 annotations: bool = False, min_visible_pixels: int = MIN_VISIBLE_PIXELS, build: str | None = None,
                 x_display: str | None = None, timeout: float = 60.0, quality: str = "MediumCloseFitShadows",
                 render_mode: str | None = None):
        if subset not in SUBSETS:
            raise ValueError(f"subset must be one of {SUBSETS}, got {subset!r}")
        if view not in VIEWS:
            raise ValueError(f"view must be one of {VIEWS} on THOR, got {view!r}")
        if render_mode not in (None, "rgb_array"):
            raise ValueError(f"render_mode must be None or 'rgb_array', got {render_mode!r}")
        # scene_split is the household env's (train/test floorplans); THOR plays what the task files name
        self.subset, self.scene_split, self.resolution, self.view = subset, scene_split, int(resolution), view
        self.max_steps, self.max_invalid, self.render_mode = max_steps, max_invalid, render_mode
        self.expert = expert  # ALFRED's plan replayed as EB skills (envs/thor/expert.py)
        self.annotations, self.min_visible_pixels = annotations, min_visible_pixels
        # the checks, in the order a newcomer meets them: package, build, display (ThorBackend), task files
        render = int(render_resolution or max(self.resolution, 300))  # ai2thor 2.1.0 renders >= 300
        self.backend = ThorBackend(BackendConfig(build=build, x_display=x_display, resolution=render,
                                                 timeout=float(timeout), quality=quality))
        self.episodes: list[ThorEpisode] = load_episodes(tasks, subset, data_dir)
        scenes = set(self.backend.scene_names())
        missing = sorted({e.task.scene for e in self.episodes if e.task.scene + "_physics" not in scenes})
        if missing:
            raise ValueError(f"task files name scenes that ai2thor 2.1.0's build does not hold: {missing}")
        self.observation_space = spaces.Dict({
            "rgb": spaces.Box(0, 255, (self.resolution, self.resolution, 3), np.uint8),
            "instruction": spaces.Text(MAX_TEXT, min_length=0, charset=TEXT_CHARSET),
            "feedback": spaces.Text(MAX_TEXT, min_length=0, charset=TEXT_CHARSET),
        })
        self.action_space = spaces.Discrete(MAX_ACTIONS)
        self.skills = ThorSkills(self.backend.step)
        self.episode: ThorEpisode | None = None
        self.action_names: list[str] = []
        self.rgb: np.ndarray | None = None
        self.mask: np.ndarray | None = None  # instance ids of the current frame (annotations=True)

    # ---- gymnasium API ---------------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        options = options or {}
        if "task_index" in options:
            index = int(options["task_index"])
        else:
            index = seed if seed is not None else int(self.np_random.integers(2**31 - 1))
        self.episode = self.episodes[index % len(self.episodes)]
        self._restore(self.episode)
        event = self.backend.step(dict(action="GetReachablePositions"))  # ThorConnector.restore_scene does too
        reachable = event.metadata["actionReturn"] or []
        self.skills.reset(event, reachable)
        self.action_names = list(GLOBAL_ACTIONS) + alias_actions(self.skills.receptacle_aliases,
                                                                 self.skills.pickable_aliases)
        if len(self.action_names) > MAX_ACTIONS:
            raise ThorBackendError(f"{self.episode.task.scene} has {len(self.action_names)} actions, "
                                   f"over {MAX_ACTIONS}")
        self._index = {a: i for i, a in enumerate(self.action_names)}
        self.steps, self.invalid, self.done, self.feedback = 0, 0, False, ""
        self.follower = PlanFollower(skills_for(list(self.episode.high_pddl)) if self.expert else None)
        self._task_info = {**self.episode.task.to_dict(), "scene": self.episode.task.scene,
                           "source": self.episode.source}
        self.progress = self._progress()
        self._objects: dict[str, int] = {}  # objectId -> index in the masks, stable within the episode
        self.mask = None
        self._frame(event)
        return self._obs(), self._info(last_success=True, events=[])

    def step(self, action):
        if self.episode is None:
            raise RuntimeError("call reset() before step()")
        if self.done:
            raise RuntimeError("the episode is over; call reset() to start a new one")
        text, action_id = self._action_text(action)
        if text is None:
            outcome = Outcome(False, f"{INVALID}Action id {action} is out of range 0..{len(self.action_names) - 1} "
                                     "for this episode.")
        else:
            outcome = self.skills.execute(text)
        self.follower.observe(text, outcome.success)
        self.steps += 1
        self.invalid += not outcome.success
        self.feedback = outcome.feedback
        progress = self._progress()
        reward, self.progress = progress - self.progress, progress
        success = progress == 1.0
        terminated = success
        truncated = not success and (self.steps >= self.max_steps or self.invalid >= self.max_invalid)
        self.done = terminated or truncated
        before = self.mask
        self._frame(None)
        info = self._info(last_success=outcome.success, events=list(outcome.events))
        info["action_id"] = action_id
        info["action_description"] = text if text is not None else str(action)
        info["interaction"] = self._interaction(outcome.target, before)
        return self._obs(), float(reward), terminated, truncated, info

    def render(self):
        return None if self.rgb is None else self.rgb.copy()

    def close(self):
        backend = getattr(self, "backend", None)
        if backend is not None:
            backend.close()
        super().close()

    # ---- helpers -------------------------------------------------------------------------------
    def _restore(self, ep: ThorEpisode):
        """ALFRED's reset + restore_scene + init_action, as EB-ALFRED's ``_reset_controller`` runs them."""
        b, scene = self.backend, ep.scene
        event = b.reset(ep.task.scene)
        if not event.metadata.get("lastActionSuccess", True):
            raise ThorBackendError(f"the THOR build could not load {ep.task.scene}: "
                                   f"{event.metadata.get('errorMessage')}")
        b.step(dict(INITIALIZE))
        if scene.get("object_toggles"):
            b.step(dict(action="SetObjectToggles", objectToggles=scene["object_toggles"]))
        if scene.get("dirty_and_empty"):
            b.step(dict(action="SetStateOfAllObjects", StateChange="CanBeDirty", forceAction=True))
            b.step(dict(action="SetStateOfAllObjects", StateChange="CanBeFilled", forceAction=False))
        event = b.step(dict(action="SetObjectPoses", objectPoses=scene.get("object_poses", [])))
        init = dict(scene.get("init_action") or {})
        if init.get("action") == "TeleportFull":
            init.pop("rotateOnTeleport", None)
            init["standing"] = True
        if init:
            event = b.step(init)
        return event

    def _interaction(self, target: str | None, before: np.ndarray | None) -> dict | None:
        """The object the skill acted on and, with annotations, its box in the frames before and after."""
        if target is None:
            return None
        out = {"object": target, "class": self.skills._class(target),
               "name": self.skills.id_to_name.get(target, target.split("|")[0]), "box_before": None, "box_after": None}
        if self.mask is not None and target in self._objects:
            k = self._objects[target] + 1
            out["box_before"] = box_of(before, k, self.min_visible_pixels) if before is not None else None
            out["box_after"] = box_of(self.mask, k, self.min_visible_pixels)
        return out

    def _progress(self) -> float:
        s, ts = goals.conditions_met(self.skills.meta, self.episode.task, self.skills.treated)
        return s / ts

    def _frame(self, event) -> None:
        if self.view == "blank":
            self.rgb = np.zeros((self.resolution, self.resolution, 3), np.uint8)
            return
        event = event or self.backend.controller.last_event
        frame = event.frame
        if frame is None:
            raise ThorBackendError("the THOR build sent no RGB frame (renderImage must be on)")
        frame = np.ascontiguousarray(frame, dtype=np.uint8)
        if frame.shape[:2] != (self.resolution, self.resolution):
            frame = np.asarray(Image.fromarray(frame).resize((self.resolution, self.resolution), Image.BILINEAR))
        self.rgb = frame.copy()  # ai2thor's frame is a read-only view of the request body
        if self.annotations:
            try:
                self.mask = mask_of(event, self._objects, self.resolution)
            except ValueError as e:
                raise ThorBackendError(str(e)) from e

    def _obs(self) -> dict:
        return {"rgb": self.rgb, "instruction": self.episode.task.instruction, "feedback": self.feedback}

    def _action_text(self, action) -> tuple[str | None, int | None]:
        if isinstance(action, str):
            return action, self._index.get(action)
        idx = int(action)
        if 0 <= idx < len(self.action_names):
            return self.action_names[idx], idx
        return None, idx

    def _info(self, last_success: bool, events: list) -> dict:
        s, ts = goals.conditions_met(self.skills.meta, self.episode.task, self.skills.treated)
        info = {
            "action_names": self.action_names,
            "task_success": float(s == ts),
            "task_progress": s / ts,
            "goal_conditions_met": (s, ts),
            "last_action_success": float(last_success),
            "num_invalid_actions": self.invalid,
            "env_step": self.steps,
            "env_feedback": self.feedback,
            "instruction": self.episode.task.instruction,
            "task": dict(self._task_info),
            "events": events,
        }
        if self.annotations and self.mask is not None:
            classes = {o["objectId"]: o["objectType"] for o in self.skills.meta["objects"]}
            info["frame"] = annotate(self.mask, self._objects, classes, self.skills.id_to_name, self.min_visible_pixels)
        if self.expert:
            nxt = self.follower.next()
            info["expert_action"] = self._index.get(nxt) if nxt is not None else None
        return info
