"""Check that a recorded episode replays exactly.

    python -m agent.replay runs/rollout/episode_0000

The recorded actions are played again in an env made from the recorded id and options, reset with
the recorded seed. Every frame (against frames/step_NNN.png), feedback, reward, progress and event
list and the final metrics must match; the first difference is printed and the exit code is 1.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import gymnasium as gym
import hydra
import numpy as np
from omegaconf import DictConfig
from PIL import Image

from agent.recorder import frame_name
from agent.records import Episode


def _frame_differs(folder: Path, step: int, rgb: np.ndarray) -> str | None:
    path = folder / frame_name(step)
    if not path.exists():
        return f"{path} is missing"
    recorded = np.asarray(Image.open(path).convert("RGB"))
    if recorded.shape != rgb.shape:
        return f"frame {step}: recorded shape {recorded.shape}, replayed {rgb.shape}"
    if not np.array_equal(recorded, rgb):
        return f"frame {step}: {int((recorded != rgb).any(axis=2).sum())} pixels differ"
    return None


def replay(folder: Path, frames: bool = True) -> str | None:
    """The first difference between the recording and a fresh run, or None when they agree."""
    ep = Episode.from_dict(json.loads((folder / "episode.json").read_text()))
    env = gym.make(ep.env["id"], **ep.env["kwargs"])
    obs, info = env.reset(seed=ep.seed)
    if info["task"] != ep.task:
        return f"task: recorded {ep.task.get('id')}, replayed {info['task'].get('id')}"
    frames = frames and (folder / frame_name(0)).exists()
    if frames and (diff := _frame_differs(folder, 0, obs["rgb"])):
        return diff
    unreadable = 0
    for rec in ep.steps:
        if rec.action_id is None:  # an unreadable reply: no env step to replay
            unreadable += 1
            continue
        obs, reward, _, _, info = env.step(rec.action_id)
        replayed = {"step": info["env_step"], "valid": bool(info["last_action_success"]), "feedback": obs["feedback"],
                    "reward": float(reward), "progress": float(info["task_progress"]), "events": info["events"]}
        for key, value in replayed.items():
            if getattr(rec, key) != value:
                return f"step {rec.step} ({rec.action}): {key} recorded {getattr(rec, key)!r}, replayed {value!r}"
        if frames and (diff := _frame_differs(folder, rec.step, obs["rgb"])):
            return diff
    final = {"task_success": float(info["task_success"]), "task_progress": float(info["task_progress"]),
             "num_steps": info["env_step"], "num_invalid_actions": info["num_invalid_actions"] + unreadable}
    for key, value in final.items():
        if ep.metrics[key] != value:
            return f"metric {key}: recorded {ep.metrics[key]!r}, replayed {value!r}"
    return None


@hydra.main(config_path="conf", config_name="replay", version_base=None)
def main(cfg: DictConfig) -> None:
    folder = Path(cfg.episode)
    if not (folder / "episode.json").exists():
        raise SystemExit(f"{folder} holds no episode.json (not a finished episode folder)")
    diff = replay(folder, cfg.frames)
    if diff:
        print(f"{folder}: DIFFERS: {diff}")
        raise SystemExit(1)
    print(f"{folder}: replays identically")


if __name__ == "__main__":
    # `python -m agent.replay DIR` as well as `episode=DIR`
    sys.argv[1:] = [a if ("=" in a or a.startswith("-")) else f"episode={a}" for a in sys.argv[1:]]
    main()
