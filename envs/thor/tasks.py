"""ALFRED / EB-ALFRED task files -> episodes: the Task record every layer shares plus the ALFRED scene
state (object poses, toggles, dirty flags, the agent's start) that a THOR reset restores.

Accepted ``tasks`` paths (the env kwarg, else ``$EGOLOOP_THOR_TASKS``):
- EB-ALFRED's ``splits.json`` (``{subset: [{task, repeat_idx, instruction}, ...]}``): the episodes of
  one subset, in file order, with EB's rewritten instructions. Trajectories are read from
  ``<data_dir>/<task>/pp/ann_<repeat_idx>.json`` (EB's ``data/json_2.1.0``; ``data_dir`` defaults to
  ``json_2.1.0`` beside the splits folder, as EmbodiedBench lays it out).
- one ALFRED trajectory (``traj_data.json`` or a ``pp/ann_N.json``), or a folder searched for them;
  the instruction is the trajectory's own ``turk_annotations`` text.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from envs.task import SUBSETS, TASK_TYPES, Task
from envs.thor.errors import ThorSetupError

TASKS_ENV = "EGOLOOP_THOR_TASKS"
DATA_ENV = "EGOLOOP_THOR_DATA"
WHERE = ("EB-ALFRED's splits.json and json_2.1.0 trajectories come from `git clone "
         "https://huggingface.co/datasets/EmbodiedBench/EB-ALFRED`; ALFRED's json_2.1.0 from the ALFRED repo")


@dataclass(frozen=True)
class ThorEpisode:
    task: Task
    scene: dict = field(repr=False)  # ALFRED's traj["scene"]: object_poses, toggles, dirty_and_empty, init_action
    source: str = ""
    high_pddl: tuple = field(default=(), repr=False)  # ALFRED's plan["high_pddl"]: what the expert replays


def load_episodes(tasks: str | os.PathLike | None, subset: str = "base",
                  data_dir: str | os.PathLike | None = None) -> list[ThorEpisode]:
    if tasks is None:
        tasks = os.environ.get(TASKS_ENV) or None
    if tasks is None:
        raise ThorSetupError(
            "the AI2-THOR env plays ALFRED / EB-ALFRED task files and none is configured: set the env kwarg "
            f"`tasks` (env.kwargs.tasks=/path/to/splits.json on the command line) or ${TASKS_ENV}. It takes "
            f"EB-ALFRED's splits.json (then `data_dir` or ${DATA_ENV} names json_2.1.0), one ALFRED trajectory "
            f"json, or a folder of them. {WHERE}.")
    path = Path(tasks).expanduser()
    if not path.exists():
        raise ThorSetupError(f"task file {path} does not exist (env kwarg `tasks` / ${TASKS_ENV}). {WHERE}.")
    if path.is_dir():
        found = [(p, d) for p in sorted(path.rglob("*.json")) if _is_trajectory(d := _read(p))]
        if not found:
            raise ThorSetupError(f"no ALFRED trajectory json (with 'scene' and 'pddl_params') under {path}")
        return [from_trajectory(d, subset, source=str(p)) for p, d in found]
    data = _read(path)
    if _is_trajectory(data):
        return [from_trajectory(data, subset, source=str(path))]
    if isinstance(data, dict) and any(k in data for k in SUBSETS):
        return _from_splits(data, path, subset, data_dir)
    raise ThorSetupError(f"{path} is neither EB-ALFRED's splits.json (keys {', '.join(SUBSETS)}) nor an ALFRED "
                         "trajectory json (keys 'scene', 'pddl_params', 'task_type')")


def _from_splits(data: dict, path: Path, subset: str, data_dir) -> list[ThorEpisode]:
    if subset not in data:
        raise ThorSetupError(f"{path} has no subset {subset!r}; it has {', '.join(sorted(data))}")
    if data_dir is None:
        data_dir = os.environ.get(DATA_ENV) or path.parent.parent / "json_2.1.0"
    root = Path(data_dir).expanduser()
    out = []
    for k, entry in enumerate(data[subset]):
        traj_path = root / entry["task"] / "pp" / f"ann_{entry['repeat_idx']}.json"
        if not traj_path.exists():
            raise ThorSetupError(f"{path} entry {k} needs {traj_path}, which does not exist: point the env kwarg "
                                 f"`data_dir` (or ${DATA_ENV}) at EB-ALFRED's json_2.1.0 folder. {WHERE}.")
        traj = _read(traj_path)
        out.append(from_trajectory(traj, subset, repeat_idx=entry["repeat_idx"], instruction=entry["instruction"],
                                   task_id=f"{entry['task']}/r{entry['repeat_idx']}", source=str(traj_path)))
    return out


def from_trajectory(traj: dict, subset: str = "base", repeat_idx: int | None = None, instruction: str | None = None,
                    task_id: str | None = None, source: str = "") -> ThorEpisode:
    """An ALFRED trajectory as a Task (ALFRED writes "" for an absent target; the Task uses None)."""
    if traj.get("task_type") not in TASK_TYPES:
        raise ThorSetupError(f"{source or 'trajectory'}: task_type {traj.get('task_type')!r} is not an ALFRED type "
                             f"({', '.join(TASK_TYPES)})")
    r = int(traj.get("repeat_idx", 0) if repeat_idx is None else repeat_idx)
    if instruction is None:
        anns = traj.get("turk_annotations", {}).get("anns", [])
        instruction = anns[r]["task_desc"] if r < len(anns) else ""
    p = traj["pddl_params"]
    scene = traj["scene"]
    task = Task(id=task_id or f"{traj.get('task_id', 'alfred')}/r{r}", type=traj["task_type"], subset=subset,
                instruction=instruction, floorplan=int(scene["scene_num"]), seed=int(scene.get("random_seed", 0)),
                object_target=p["object_target"], parent_target=p.get("parent_target") or None,
                toggle_target=p.get("toggle_target") or None, mrecep_target=p.get("mrecep_target") or None,
                object_sliced=bool(p.get("object_sliced", False)), randomize=False)
    return ThorEpisode(task, scene, source, tuple(traj.get("plan", {}).get("high_pddl", [])))


def _is_trajectory(data) -> bool:
    return isinstance(data, dict) and "scene" in data and "pddl_params" in data


def _read(path: Path):
    try:
        return json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise ThorSetupError(f"cannot read task file {path}: {e}") from e
