"""The probe (``train/online/probe.py``, ``python -m train.probe``): fixed tasks, the same sampling
randomness at every probe, never trained on, logged once per probe across a resume."""

import subprocess
import sys
from pathlib import Path

import gymnasium as gym
import pytest
from omegaconf import OmegaConf

from agent.loop import LoopConfig
from agent.models.generate import Generator, Sampling
from agent.models.load import load_model
from agent.prompts import make_format
from train.online.collect import RewardWeights, SamplingPolicy
from train.online.probe import run_probe

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "train" / "conf" / "grpo_online.yaml"
QA = {"families": ["temporal", "counting"], "frames_min": 2, "frames_max": 2, "keyframe_weight": 0.5,
      "max_new_tokens": 8, "temperature": 1.0}


def test_probe_plays_the_same_episodes_whatever_the_training_iteration(tiny_model):
    model, processor = load_model(tiny_model, dtype="float32")
    fmt = make_format("compact", box=True)
    policy = SamplingPolicy(Generator(model, processor, Sampling(12, 1.0)), fmt, seed=0, batch_size=8)
    envs = [gym.make("envs:EgoHousehold-v0", resolution=112, annotations=True, max_steps=3, max_invalid=3)
            for _ in range(4)]
    loop = LoopConfig(max_steps=3, max_invalid=3)

    def probe():
        return run_probe(envs, policy, fmt, [900000, 900001], 2, loop, RewardWeights(), QA, per_episode=True)

    policy.begin(3)
    first = probe()
    policy.begin(17)  # later in a run: the training draws have moved on, the probe's have not
    second = probe()
    assert first == second
    assert first["episodes"] == 4 and sorted({e["seed"] for e in first["per_episode"]}) == [900000, 900001]


def test_probe_seeds_that_could_be_trained_on_are_refused():
    from train.grpo_online import check_probe

    def cfg(*overrides):
        return OmegaConf.merge(OmegaConf.load(CONF), OmegaConf.from_dotlist(["probe.every=1", *overrides]))

    check_probe(cfg("tasks.pool_start=0", "tasks.pool_size=32"))  # the default start lies far away
    with pytest.raises(ValueError, match="probe.start"):
        check_probe(cfg("probe.start=20", "tasks.pool_start=0", "tasks.pool_size=32"))
    # the curriculum adds fresh tasks after the pool: 20 iterations x 4 candidates reach seed 111
    with pytest.raises(ValueError, match="overlaps the training tasks"):
        check_probe(cfg("probe.start=100", "tasks.pool_size=32", "curriculum.enabled=true"))
    check_probe(cfg("probe.start=100", "tasks.pool_size=32"))


def test_run_logs_each_probe_once_across_a_resume_and_the_cli_compares_models(tiny_model, tmp_path):
    from train.grpo_online import train

    out = tmp_path / "run"
    overrides = [f"init={tiny_model}", f"out={out}", "save_every=1", "progress=false", "tasks.per_iteration=1",
                 "tasks.group_size=2", "tasks.pool_size=4", "env.max_steps=2", "env.max_invalid=2",
                 "generation.max_new_tokens=8", "qa.enabled=false", "eval.every=0", "train.epochs=1",
                 "probe.every=2", "probe.tasks=2", "probe.group_size=1"]
    cfg = OmegaConf.merge(OmegaConf.load(CONF), OmegaConf.from_dotlist([*overrides, "iterations=2"]))
    train(cfg)
    train(OmegaConf.merge(cfg, OmegaConf.from_dotlist(["iterations=4"])))  # resumes from iter-2
    lines = (out / "probe.csv").read_text().splitlines()
    assert lines[0].startswith("iteration,episodes,success")
    assert [ln.split(",")[0] for ln in lines[1:]] == ["0", "2", "4"]
    assert all(ln.split(",")[1] == "2" for ln in lines[1:])
    # the same model twice: the same episodes, so a paired change of exactly zero
    r = subprocess.run([sys.executable, "-m", "train.probe", f"run={out}", f"models=[{tiny_model},{tiny_model}]",
                        "probe.tasks=2", "probe.group_size=1", f"out={tmp_path / 'cmp'}"], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    table = (tmp_path / "cmp" / "probe.md").read_text()
    assert "+0.0 ± 0.0 pts" in table and table.count(str(tiny_model)) == 2
    r = subprocess.run([sys.executable, "-m", "train.probe", f"run={out}", f"models=[{tiny_model}]",
                        "probe.start=0", f"out={tmp_path / 'bad'}"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode != 0 and "overlaps the training tasks" in r.stderr
