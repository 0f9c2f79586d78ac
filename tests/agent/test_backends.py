"""`backend=ray`: the same seeds give the same episodes as `backend=local`, and an actor that dies
or hangs costs a replay of its episode, never a lost or doubled one."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("ray", reason="backend=ray needs the ray extra (pip install 'egoloop[ray]')")

ROOT = Path(__file__).resolve().parents[2]


def cli(module, *args):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # Ray's workers import the test env from here
    r = subprocess.run([sys.executable, "-m", module, *args, "progress=false"], cwd=ROOT, capture_output=True,
                       text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return r


def episodes(folder: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(folder.glob("episode_*/episode.json"))]


def same(a: dict, b: dict) -> bool:
    """Equal episodes: everything but the wall-clock timing."""
    return {k: v for k, v in a.items() if k != "timing"} == {k: v for k, v in b.items() if k != "timing"}


@pytest.mark.slow
def test_eval_embodied_on_ray_gives_the_local_summary_and_episodes(tmp_path):
    args = ["policy=expert", "policy.mistake_prob=0.3", "episodes_per_subset=4", "subsets=[base,spatial]"]
    cli("eval.embodied", *args, f"out={tmp_path / 'local'}")
    cli("eval.embodied", *args, f"out={tmp_path / 'ray'}", "backend=ray", "ray.workers=2")
    local, ray = (json.loads((tmp_path / k / "summary.json").read_text()) for k in ("local", "ray"))
    assert local == ray
    for subset in ("base", "spatial"):
        a, b = episodes(tmp_path / "local" / subset), episodes(tmp_path / "ray" / subset)
        assert len(a) == len(b) == 4 and all(same(x, y) for x, y in zip(a, b))
        frames = sorted((tmp_path / "ray" / subset / "episode_0000" / "frames").iterdir())
        assert [f.read_bytes() for f in frames] == \
               [f.read_bytes() for f in sorted((tmp_path / "local" / subset / "episode_0000" / "frames").iterdir())]


@pytest.mark.slow
def test_rollout_on_ray_survives_an_actor_that_dies_and_one_that_hangs(tmp_path):
    faults = tmp_path / "faults"
    faults.mkdir()
    common = ["policy=expert", "episodes=6", "record.video=false"]
    cli("agent.rollout", *common, f"out={tmp_path / 'local'}", "env.id=tests.agent.faulty_env:EgoFaulty-v0",
        f"+env.kwargs.fault_dir={faults / 'unused'}")
    r = cli("agent.rollout", *common, f"out={tmp_path / 'ray'}", "backend=ray", "ray.workers=2",
            "ray.episode_timeout_s=20", "env.id=tests.agent.faulty_env:EgoFaulty-v0",
            f"+env.kwargs.fault_dir={faults}", "+env.kwargs.die_seed=1", "+env.kwargs.hang_seed=3")
    assert {p.name for p in faults.iterdir()} == {"died_1", "hung_3"}  # both faults did happen
    local, ray = episodes(tmp_path / "local"), episodes(tmp_path / "ray")
    assert [e["index"] for e in ray] == list(range(6))  # every episode once
    assert all(same(a, {**b, "env": a["env"]}) for a, b in zip(local, ray))
    assert json.loads((tmp_path / "ray" / "summary.json").read_text())["overall"]["task_success"]["mean"] == 1.0
    assert "success" in r.stdout


@pytest.mark.slow
def test_policy_in_the_driver_with_envs_in_actors_gives_the_local_episodes(tmp_path):
    common = ["policy=random", "episodes=5", "parallel=3", "record.video=false"]
    cli("agent.rollout", *common, f"out={tmp_path / 'local'}")
    cli("agent.rollout", *common, f"out={tmp_path / 'ray'}", "backend=ray", "ray.policy_in=driver", "ray.workers=3")
    local, ray = episodes(tmp_path / "local"), episodes(tmp_path / "ray")
    assert len(ray) == 5 and all(same(a, b) for a, b in zip(local, ray))
