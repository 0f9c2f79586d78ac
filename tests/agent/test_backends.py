"""`backend=ray`: the same seeds give the same episodes as `backend=local`, and an actor that dies
or hangs costs a replay of its episode, never a lost or doubled one."""

import json

import pytest

from tests.agent.conftest import cli, episodes, same

pytest.importorskip("ray", reason="backend=ray needs the ray extra (pip install 'egoloop[ray]')")


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
    # the hung actor costs one timeout; 45 s, since a loaded 2-core CI machine took 20 s for a healthy episode
    r = cli("agent.rollout", *common, f"out={tmp_path / 'ray'}", "backend=ray", "ray.workers=2",
            "ray.episode_timeout_s=45", "env.id=tests.agent.faulty_env:EgoFaulty-v0",
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
