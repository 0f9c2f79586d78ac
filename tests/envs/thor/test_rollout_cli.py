"""`python -m agent.rollout env=thor ...` (the command docs/thor.md gives) records episodes on the fake
backend, a random policy's and the expert's (ALFRED's plan replayed as EB skills)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("ai2thor", reason="needs the thor extra: pip install 'egoloop[thor]'")

pytestmark = pytest.mark.timeout(90)
ROOT = Path(__file__).resolve().parents[3]


def rollout(args, tmp_path, fake_build, heat_task):
    cmd = [sys.executable, "-m", "agent.rollout", "env=thor", f"out={tmp_path / 'run'}", "progress=false",
           f"env.kwargs.tasks={heat_task}", f"env.kwargs.build={fake_build}", "env.kwargs.timeout=5", *args]
    return subprocess.run(cmd, cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, timeout=80)


def test_rollout_records_thor_episodes(tmp_path, fake_build, fake_display, heat_task):
    r = rollout(["policy=random", "n_shots=0", "episodes=2", "record.video=false"], tmp_path, fake_build, heat_task)
    assert r.returncode == 0, r.stderr[-2000:]
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["env"]["id"] == "envs:EgoThor-v0" and summary["env"]["kwargs"]["render_resolution"] == 500
    episode = json.loads((tmp_path / "run" / "episode_0000" / "episode.json").read_text())
    assert episode["task"]["type"] == "pick_heat_then_place_in_recep" and episode["steps"]
    assert (tmp_path / "run" / "episode_0000" / "frames" / "step_000.png").exists()
    assert "Traceback" not in r.stderr  # the backend is shut down cleanly at exit


def test_rollout_records_expert_demonstrations(tmp_path, fake_build, fake_display, heat_task):
    r = rollout(["policy=expert", "n_shots=0", "episodes=1", "record.video=false"], tmp_path, fake_build, heat_task)
    assert r.returncode == 0, r.stderr[-2000:]
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["env"]["kwargs"]["expert"] is True
    episode = json.loads((tmp_path / "run" / "episode_0000" / "episode.json").read_text())
    assert episode["metrics"]["task_success"] == 1.0 and len(episode["steps"]) == 13
