"""The documented command: the expert wins every training game through agent.rollout's eb prompt."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("textworld", reason="needs the `alfworld` extra (pip install -e '.[alfworld]')")
pytest.importorskip("alfworld", reason="needs the `alfworld` extra (pip install -e '.[alfworld]')")

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.slow
def test_expert_rollout_reaches_full_success(tmp_path):
    cmd = [sys.executable, "-m", "agent.rollout", "env=alfworld_text", "policy=expert", "episodes=6",
           f"out={tmp_path}", "progress=false", "record.video=false", "record.frames=false"]
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, timeout=120)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["env"]["id"] == "envs:EgoAlfworldText-v0"
    assert summary["prompt"] == "eb" and summary["overall"]["task_success"]["mean"] == 1.0
    episodes = [json.loads(p.read_text()) for p in sorted(tmp_path.glob("episode_*/episode.json"))]
    assert len(episodes) == 6 and all(e["metrics"]["task_success"] == 1.0 for e in episodes)
    assert len({e["task"]["type"] for e in episodes}) == 6
