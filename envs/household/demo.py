"""Play one household episode with the privileged planner and record it.

    python -m envs.household.demo out=runs/demo seed=0 subset=base

Writes ``frames/step_000.png``..., ``strip.png`` (all frames in a grid), ``trace.txt`` (instruction,
then one line per step with action, feedback and progress) and ``episode.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

import hydra
import numpy as np
from omegaconf import DictConfig
from PIL import Image

from envs.household.env import HouseholdEnv


def frame_strip(frames: list[np.ndarray], columns: int) -> Image.Image:
    h, w, _ = frames[0].shape
    rows = -(-len(frames) // columns)
    sheet = Image.new("RGB", (w * min(columns, len(frames)), h * rows), (0, 0, 0))
    for k, f in enumerate(frames):
        sheet.paste(Image.fromarray(f), ((k % columns) * w, (k // columns) * h))
    return sheet


@hydra.main(config_path="conf", config_name="demo", version_base=None)
def main(cfg: DictConfig) -> None:
    out = Path(cfg.out)
    (out / "frames").mkdir(parents=True, exist_ok=True)
    env = HouseholdEnv(subset=cfg.subset, scene_split=cfg.scene_split, resolution=cfg.resolution,
                       view=cfg.view, expert=True, max_steps=cfg.max_steps, max_invalid=cfg.max_invalid)
    obs, info = env.reset(seed=cfg.seed)
    frames = [obs["rgb"]]
    lines = [f"task: {env.task.id}", f"scene: {env.task.scene} ({info['task']['room_type']})",
             f"instruction: {obs['instruction']}", ""]
    steps = []
    done = False
    while not done and info["expert_action"] is not None:
        action = info["expert_action"]
        obs, reward, terminated, truncated, info = env.step(action)
        done = terminated or truncated
        frames.append(obs["rgb"])
        steps.append({"step": info["env_step"], "action_id": action, "action": info["action_description"],
                      "feedback": obs["feedback"], "reward": reward, "task_progress": info["task_progress"],
                      "events": info["events"]})
        lines.append(f"Step {info['env_step']}, action id {action}, {info['action_description']}, "
                     f"env feedback: {obs['feedback']} (progress {info['task_progress']:.2f})")
    lines += ["", f"task_success: {info['task_success']}  task_progress: {info['task_progress']:.2f}  "
                  f"num_steps: {info['env_step']}  num_invalid_actions: {info['num_invalid_actions']}"]
    for k, f in enumerate(frames):
        Image.fromarray(f).save(out / "frames" / f"step_{k:03d}.png")
    frame_strip(frames, cfg.strip_columns).save(out / "strip.png")
    (out / "trace.txt").write_text("\n".join(lines) + "\n")
    episode = {"task": env.task.to_dict(), "seed": cfg.seed, "policy": "planner", "steps": steps,
               "metrics": {"task_success": info["task_success"], "task_progress": info["task_progress"],
                           "num_steps": info["env_step"], "num_invalid_actions": info["num_invalid_actions"]}}
    (out / "episode.json").write_text(json.dumps(episode, indent=1) + "\n")
    print("\n".join(lines))
    print(f"\nrecorded {len(frames)} frames to {out.resolve()}")


if __name__ == "__main__":
    main()
