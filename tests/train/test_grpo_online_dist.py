"""Online GRPO under `accelerate launch --num_processes 2` on CPU (gloo): the same batch gives the same
loss and the same updated weights as one process, and the training CLI runs distributed."""

import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import gymnasium as gym
import pytest

from agent.loop import LoopConfig
from agent.models.generate import Generator, Sampling
from agent.models.load import load_model
from agent.prompts import make_format
from train.online.collect import RewardWeights, SamplingPolicy, collect_groups
from train.online.loss import SequenceScorer

ROOT = Path(__file__).resolve().parents[2]
CPU_2PROC = ROOT / "train" / "conf" / "accelerate" / "cpu_2proc.yaml"
ACCELERATE = shutil.which("accelerate", path=str(Path(sys.executable).parent)) or shutil.which("accelerate")


def run(cmd: list[str]) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return r


@pytest.fixture(scope="module")
def batch(tiny_model, tmp_path_factory):
    """A real batch: one group's turns from the tiny model, with advantages of both signs."""
    model, processor = load_model(tiny_model, dtype="float32")
    fmt = make_format("compact")
    policy = SamplingPolicy(Generator(model, processor, Sampling(10, 1.0)), fmt, seed=0, batch_size=8)
    envs = [gym.make("envs:EgoHousehold-v0", resolution=112, max_steps=2, max_invalid=2) for _ in range(3)]
    groups = collect_groups(envs, policy, fmt, [5], 3, LoopConfig(max_steps=2, max_invalid=2), RewardWeights(), 1)
    scorer = SequenceScorer(processor)
    samples = [t for r in groups[0].rollouts for t in r.turns if scorer.scorable(t)]
    for k, s in enumerate(samples):
        s.advantage = 1.0 if k % 2 else -0.5
    assert len(samples) >= 3
    path = tmp_path_factory.mktemp("dist") / "batch.pkl"
    path.write_bytes(pickle.dumps(samples))
    return path


@pytest.mark.slow
def test_two_processes_take_the_same_step_as_one(batch, tiny_model, tmp_path):
    if ACCELERATE is None:
        pytest.skip("the accelerate launcher is not on PATH")
    module = ["-m", "train.online.dist_check", str(tiny_model), str(batch)]
    run([sys.executable, *module, str(tmp_path / "one.json")])
    run([ACCELERATE, "launch", "--config_file", str(CPU_2PROC), *module, str(tmp_path / "two.json")])
    one, two = (json.loads((tmp_path / f).read_text()) for f in ("one.json", "two.json"))
    assert (one["processes"], two["processes"]) == (1, 2)
    assert one["tokens"] == two["tokens"] and one["updates"] == two["updates"] == 1
    assert two["loss"] == pytest.approx(one["loss"], rel=1e-5, abs=1e-7)
    assert two["weight_sum"] == pytest.approx(one["weight_sum"], rel=1e-6)
    assert two["weight_abs_sum"] == pytest.approx(one["weight_abs_sum"], rel=1e-6)


@pytest.mark.slow
def test_training_cli_runs_under_accelerate_with_two_processes(tmp_path):
    if ACCELERATE is None:
        pytest.skip("the accelerate launcher is not on PATH")
    out = tmp_path / "run"
    run([ACCELERATE, "launch", "--config_file", str(CPU_2PROC), "-m", "train.grpo_online", "init=tiny", f"out={out}",
         "iterations=2", "save_every=2", "tasks.per_iteration=2", "tasks.group_size=2", "env.max_steps=2",
         "env.max_invalid=2", "generation.max_new_tokens=8", "qa.enabled=false", "eval.every=0", "progress=false"])
    rows = (out / "metrics.csv").read_text().splitlines()
    assert len(rows) == 3 and rows[1].startswith("1,") and rows[2].startswith("2,")  # one row per iteration, once
    state = json.loads(next((out / "checkpoints").glob("*/state.json")).read_text())
    assert len(state["committed_groups"]) == 4 and len(set(state["committed_groups"])) == 4
