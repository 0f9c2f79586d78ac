"""`backend=vector`: envs in subprocesses (gymnasium's AsyncVectorEnv), the policy here. The same
seeds give the same episodes, files and summary as `backend=local`, ragged plans included, resume
works, and a hung or dead env stops the run with an error that says so."""

import json

import gymnasium as gym
import numpy as np
import pytest

from agent.backends import Runner, vector_options
from agent.loop import LoopConfig, run_episodes
from agent.policy import Decision, Plan
from agent.prompts import make_format
from agent.recorder import EpisodeWriter
from agent.vector_envs import VectorEnvs
from tests.agent.conftest import ENV_ID, cli, episodes, same

SPEC = {"id": ENV_ID, "kwargs": {"view": "ego", "resolution": 32, "expert": True, "annotations": True}}


class Ragged:
    """The expert's next action, then up to three finds or other actions drawn at random: plans of
    every length, some of which fail part-way, so episodes take different numbers of steps per turn."""

    def __init__(self, prompt_format):
        self.format = prompt_format

    def act(self, inputs):
        out = []
        for inp in inputs:
            first = inp.info["expert_action"]
            if first is None:
                out.append(Decision(self.format.render([], inp.action_names, "done"), Plan(empty=True)))
                continue
            rng = np.random.default_rng([inp.episode_seed, inp.turn])
            finds = [i for i, n in enumerate(inp.action_names) if n.startswith("find ")]
            extra = [int(rng.choice(finds)) if rng.random() < 0.7 else int(rng.integers(len(inp.action_names)))
                     for _ in range(rng.integers(4))]
            plan = (first, *extra)
            out.append(Decision(self.format.render(list(plan), inp.action_names, "several"), Plan(plan)))
        return out


def files(folder):
    """Every recorded episode file's bytes (episode.json without its timing)."""
    out = {}
    for path in sorted(p for p in folder.glob("episode_*/**/*") if p.is_file()):
        data = path.read_bytes()
        if path.name == "episode.json":
            data = {k: v for k, v in json.loads(data).items() if k != "timing"}
        out[str(path.relative_to(folder))] = data
    return out


def play(envs, tmp_path, name):
    fmt = make_format("eb")
    writer_for = lambda i, s: EpisodeWriter(tmp_path / name / f"episode_{i:04d}", annotations=True, video=False)
    run_episodes(envs, Ragged(fmt), fmt, [(i, 7 + i) for i in range(5)], LoopConfig(env_meta=SPEC), writer_for)
    return files(tmp_path / name)


def test_ragged_plans_in_subprocesses_give_the_local_episodes_and_files(tmp_path):
    local = play([gym.make(SPEC["id"], **SPEC["kwargs"]) for _ in range(2)], tmp_path, "local")
    vec = VectorEnvs(SPEC, 2, "forkserver", 120)
    try:
        vector = play(vec, tmp_path, "vector")
    finally:
        vec.close()
    assert vector.keys() == local.keys() and vector == local
    recorded = [v for k, v in local.items() if k.endswith("episode.json")]
    turns = [[s["turn"] for s in e["steps"]] for e in recorded]
    steps_per_turn = [t.count(k) for t in turns for k in set(t)]
    assert len(recorded) == 5 and {1, 2, 3} <= set(steps_per_turn), "plans ran for different numbers of steps"
    assert any(not s["valid"] for e in recorded for s in e["steps"])


@pytest.mark.parametrize("fault", ["hang", "die"])
def test_a_hung_or_dead_env_stops_the_run_with_an_error_that_says_so(tmp_path, fault):
    spec = {"id": "tests.agent.faulty_env:EgoFaulty-v0",
            "kwargs": {"fault_dir": str(tmp_path), f"{fault}_seed": 1, "view": "blank", "expert": True}}
    runner = Runner("vector", "expert", {}, make_format("eb"), LoopConfig(), 2,
                    vector_options=vector_options({"timeout_s": 3}))
    expected = (TimeoutError, "vector.timeout_s") if fault == "hang" else (RuntimeError, "subprocess died")
    with pytest.raises(expected[0], match=expected[1]):
        runner.run(spec, [(0, 0), (1, 1)], None, lambda e: None)
    assert runner._vector.closed
    runner.close()


def test_bad_vector_and_backend_values_name_their_key():
    with pytest.raises(ValueError, match="vector.context"):
        vector_options({"context": "threads"})
    with pytest.raises(ValueError, match="unknown vector option.*timeout"):
        vector_options({"timeout": 3})
    with pytest.raises(ValueError, match="backend must be one of .*vector"):
        Runner("vectors", "expert", {}, make_format("eb"), LoopConfig())


@pytest.mark.slow
def test_eval_embodied_on_vector_envs_gives_the_local_summary_and_episodes_and_resumes(tmp_path):
    args = ["policy=expert", "policy.mistake_prob=0.3", "subsets=[base,spatial]", "n_shots=2", "resolution=64"]
    cli("eval.embodied", *args, "episodes_per_subset=4", f"out={tmp_path / 'local'}")
    vector = [*args, f"out={tmp_path / 'vector'}", "backend=vector", "parallel=2"]
    cli("eval.embodied", *vector, "episodes_per_subset=2")
    first = (tmp_path / "vector" / "base" / "episode_0000" / "episode.json").stat().st_mtime_ns
    cli("eval.embodied", *vector, "episodes_per_subset=4")  # resumes: plays episodes 2 and 3 only
    assert (tmp_path / "vector" / "base" / "episode_0000" / "episode.json").stat().st_mtime_ns == first
    local, vec = (json.loads((tmp_path / k / "summary.json").read_text()) for k in ("local", "vector"))
    assert local == vec
    for subset in ("base", "spatial"):
        a, b = episodes(tmp_path / "local" / subset), episodes(tmp_path / "vector" / subset)
        assert len(a) == len(b) == 4 and all(same(x, y) for x, y in zip(a, b))
        assert files(tmp_path / "local" / subset) == files(tmp_path / "vector" / subset)
