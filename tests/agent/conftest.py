import json
import os
import subprocess
import sys
from pathlib import Path

import gymnasium as gym
import pytest

from envs.household.vocab import GLOBAL_ACTIONS

ENV_ID = "envs:EgoHousehold-v0"
ROOT = Path(__file__).resolve().parents[2]


def make_env(**kwargs):
    return gym.make(ENV_ID, **{"view": "ego", "resolution": 32, **kwargs})


@pytest.fixture(scope="session")
def global_names() -> list[str]:
    """EB-ALFRED's 162 global actions: the same ids in every episode."""
    return list(GLOBAL_ACTIONS)



def cli(module, *args):
    """Run a module's command line as a user would (it must succeed)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # Ray's workers and env subprocesses import the test env from here
    r = subprocess.run([sys.executable, "-m", module, *args, "progress=false"], cwd=ROOT, capture_output=True,
                       text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return r


def episodes(folder: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(folder.glob("episode_*/episode.json"))]


def same(a: dict, b: dict) -> bool:
    """Equal episodes: everything but the wall-clock timing."""
    return {k: v for k, v in a.items() if k != "timing"} == {k: v for k, v in b.items() if k != "timing"}
