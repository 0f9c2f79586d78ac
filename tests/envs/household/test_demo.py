"""The simulator's own demo CLI: record one expert episode to a folder."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def record(out: Path, seed: int) -> None:
    subprocess.run([sys.executable, "-m", "envs.household.demo", f"out={out}", f"seed={seed}", "resolution=96"],
                   check=True, capture_output=True, text=True, cwd=ROOT, env={**os.environ})


def test_demo_records_frames_trace_episode_and_config(tmp_path):
    record(tmp_path / "a", seed=1)
    out = tmp_path / "a"
    episode = json.loads((out / "episode.json").read_text())
    frames = sorted((out / "frames").glob("step_*.png"))
    assert episode["metrics"]["task_success"] == 1.0
    assert len(frames) == episode["metrics"]["num_steps"] + 1
    trace = (out / "trace.txt").read_text()
    assert trace.count("\nStep ") == episode["metrics"]["num_steps"] and "instruction: " in trace
    assert (out / "strip.png").exists()
    assert "seed: 1" in (out / ".hydra" / "config.yaml").read_text()


def test_demo_is_deterministic(tmp_path):
    record(tmp_path / "a", seed=2)
    record(tmp_path / "b", seed=2)
    for name in ("trace.txt", "episode.json", "strip.png"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
