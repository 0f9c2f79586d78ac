"""What the report shows, read from run folders: the recorded episodes of an evaluation or rollout
(any depth below the run: ``<run>/episode_NNNN`` or ``<run>/<subset>/episode_NNNN``) and the
training curves of a training run (``log_history.json``, ``checkpoint-*/trainer_state.json`` or a
CSV log with a ``step`` column)."""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from agent.records import Episode


@dataclass
class Run:
    name: str
    folder: Path
    episodes: dict[str, list[tuple[Path, Episode]]] = field(default_factory=dict)  # subset -> (folder, episode)
    curves: dict[str, list[tuple[float, float]]] = field(default_factory=dict)  # metric -> (step, value)

    @property
    def by_subset(self) -> dict[str, list[Episode]]:
        return {s: [e for _, e in eps] for s, eps in self.episodes.items()}


def load_run(folder: Path, name: str | None = None) -> Run:
    folder = Path(folder)
    if not folder.is_dir():
        raise SystemExit(f"{folder} is not a folder")
    run = Run(name or folder.name, folder)
    for path in sorted(folder.rglob("episode_*/episode.json")):
        ep = Episode.from_dict(json.loads(path.read_text()))
        run.episodes.setdefault(ep.task.get("subset", "?"), []).append((path.parent, ep))
    run.episodes = dict(sorted(run.episodes.items()))
    run.curves = training_curves(folder)
    if not run.episodes and not run.curves:
        raise SystemExit(f"{folder} holds neither recorded episodes (episode_*/episode.json) nor a training log")
    return run


def training_curves(folder: Path) -> dict[str, list[tuple[float, float]]]:
    """Numeric series against ``step`` from whichever log the run left."""
    rows: list[dict] = []
    history = folder / "log_history.json"
    states = sorted(folder.glob("checkpoint-*/trainer_state.json"), key=lambda p: int(p.parent.name.split("-")[1]))
    if history.exists():
        rows = json.loads(history.read_text())
    elif states:
        rows = json.loads(states[-1].read_text()).get("log_history", [])
    for path in sorted(folder.glob("*.csv")):
        with open(path, newline="") as f:
            rows += list(csv.DictReader(f))
    curves: dict[str, list[tuple[float, float]]] = {}
    for row in rows:
        if "step" not in row:
            continue
        for key, value in row.items():
            try:
                step, v = float(row["step"]), float(value)
            except (TypeError, ValueError):
                continue
            if key != "step":
                curves.setdefault(key, []).append((step, v))
    return curves


def viewer_episode(run_index: int, subset: str, folder: Path, ep: Episode, assets: Path, boxes: bool) -> dict:
    """One episode for the viewer: its views (the frame after reset, then one per step record), with
    frames copied into the report so that it opens from anywhere."""
    key = f"r{run_index}/{subset}/{folder.name}"
    (assets / key).mkdir(parents=True, exist_ok=True)

    def frame(rel: str | None) -> str | None:
        if not rel or not (folder / rel).exists():
            return None
        dest = assets / key / Path(rel).name
        shutil.copyfile(folder / rel, dest)
        return f"episodes/{key}/{dest.name}"

    def objects(step: int) -> list[dict]:
        path = folder / f"annotations/step_{step:03d}.json"
        if not boxes or not path.exists():
            return []
        return [{"name": o["name"], "box": o["box"]} for o in json.loads(path.read_text())["objects"]]

    first = ep.steps[0].output if ep.steps else ""
    views = [{"step": 0, "turn": 0, "frame": frame("frames/step_000.png"), "output": first, "action": "(start)",
              "feedback": "", "valid": True, "progress": 0.0, "boxes": objects(0)}]
    for s in ep.steps:
        views.append({"step": s.step, "turn": s.turn, "frame": frame(s.frame) or views[-1]["frame"], "output": s.output,
                      "action": s.action, "feedback": s.feedback, "valid": s.valid, "progress": s.progress,
                      "boxes": objects(s.step) if s.frame else views[-1]["boxes"]})
    t = ep.task
    return {"key": key, "subset": subset, "index": ep.index, "seed": ep.seed, "task_id": t.get("id"),
            "task_type": t.get("type"), "instruction": t.get("instruction", ""), "policy": ep.policy,
            "success": ep.metrics["task_success"], "progress": ep.metrics["task_progress"], "views": views}
