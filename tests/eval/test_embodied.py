"""`python -m eval.embodied` as a user runs it: success rates per subset, EmbodiedBench's files,
and resuming after the process was killed."""

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from envs.task import SUBSETS
from eval.eb_format import EB_KEYS, SCORES

ROOT = Path(__file__).resolve().parents[2]


def evaluate(*args, check=True):
    r = subprocess.run([sys.executable, "-m", "eval.embodied", *args, "progress=false"], cwd=ROOT,
                       capture_output=True, text=True)
    if check and r.returncode:
        raise AssertionError(r.stdout + r.stderr)
    return r


def summary(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text())


@pytest.mark.slow
def test_expert_solves_every_subset_and_writes_embodiedbench_files(tmp_path):
    r = evaluate("policy=expert", "episodes_per_subset=3", f"out={tmp_path}")
    s = summary(tmp_path)
    assert s["num_episodes"] == 18 and s["task_success"] == 1.0
    assert set(s["by_subset"]) == set(SUBSETS)
    assert all(b["task_success"] == 1.0 and b["num_episodes"] == 3 for b in s["by_subset"].values())
    assert s["config"]["scene_split"] == "test" and s["config"]["seeds"] == [0, 2]
    # EmbodiedBench's analysis scripts average the numeric top-level keys of these files
    for subset in SUBSETS:
        res = tmp_path / subset / "results"
        rows = [json.loads((res / f"episode_{i}_final_res.json").read_text()) for i in range(3)]
        assert all(tuple(row) == EB_KEYS for row in rows)
        avg = json.loads((res / "summary.json").read_text())
        assert avg["task_success"] == 1.0 and set(SCORES) <= set(avg)
    assert set(SCORES) <= set(s) and "overall" in r.stdout and "base" in r.stdout


@pytest.mark.slow
def test_random_policy_scores_near_zero_on_the_same_tasks_as_the_expert(tmp_path):
    evaluate("policy=random", "episodes_per_subset=4", "subsets=[base,long_horizon]", f"out={tmp_path / 'r'}",
             "record.frames=false")
    evaluate("policy=expert", "episodes_per_subset=4", "subsets=[base,long_horizon]", f"out={tmp_path / 'e'}",
             "record.frames=false")
    rnd, exp = summary(tmp_path / "r"), summary(tmp_path / "e")
    assert rnd["task_success"] <= 0.125 and rnd["num_invalid_actions"] > 0
    assert [e["task_id"] for e in rnd["episodes"]["base"]] == [e["task_id"] for e in exp["episodes"]["base"]]


@pytest.mark.slow
def test_tiny_qwen_policy_runs_and_its_bad_replies_become_invalid_actions(tmp_path, tiny_model):
    evaluate("policy=qwen", f"policy.path={tiny_model}", "policy.max_new_tokens=12", "prompt=compact",
             "episodes_per_subset=1", "subsets=[base]", "max_invalid=3", f"out={tmp_path}")
    s = summary(tmp_path)
    assert s["num_episodes"] == 1 and s["num_invalid_actions"] >= 1
    ep = json.loads((tmp_path / "base" / "episode_0000" / "episode.json").read_text())
    assert ep["policy"] == "qwen" and ep["steps"] and all(not st["valid"] for st in ep["steps"])


def test_a_bad_subset_list_is_refused_with_its_name(tmp_path):
    r = evaluate("subsets=[base,base]", f"out={tmp_path}", check=False)
    assert r.returncode != 0 and "base" in r.stderr
    r = evaluate("subsets=[nonsense]", f"out={tmp_path}", check=False)
    assert r.returncode != 0 and "nonsense" in r.stderr


@pytest.mark.slow
def test_sigkill_three_times_then_resume_gives_the_uninterrupted_summary(tmp_path):
    args = ["policy=expert", "policy.mistake_prob=0.3", "episodes_per_subset=5", "subsets=[base,spatial]"]
    evaluate(*args, f"out={tmp_path / 'whole'}")
    out = tmp_path / "killed"
    rng = random.Random(7)
    for _ in range(3):
        before = len(list(out.glob("*/episode_*/episode.json")))
        proc = subprocess.Popen([sys.executable, "-m", "eval.embodied", *args, f"out={out}", "progress=false"],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        # wait for new work to land, then kill at a random moment within the next episodes
        while proc.poll() is None and time.time() < deadline:
            if len(list(out.glob("*/episode_*/episode.json"))) > before:
                break
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.25))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    r = evaluate(*args, f"out={out}")
    assert summary(out) == summary(tmp_path / "whole")
    for subset in ("base", "spatial"):
        folders = sorted(p.name for p in (out / subset).glob("episode_*"))
        assert folders == [f"episode_{i:04d}" for i in range(5)]
        assert all((out / subset / f / "episode.json").exists() for f in folders)
    assert not list(out.rglob("*.tmp"))
    assert "overall" in r.stdout


@pytest.mark.slow
def test_expert_wins_every_alfworld_text_game(tmp_path):
    pytest.importorskip("textworld", reason="the ALFWorld text games need the alfworld extra")
    evaluate("env=alfworld_text", "policy=expert", "scene_split=all", "episodes_per_subset=7", f"out={tmp_path}")
    s = summary(tmp_path)
    games = {(e["task_id"], e["task_type"]) for e in s["episodes"]["base"]}
    assert s["task_success"] == 1.0 and list(s["by_subset"]) == ["base"]
    assert len(games) == 7 and len({t for _, t in games}) >= 5


def test_real_simulators_fail_fast_here_with_what_is_missing(tmp_path):
    r = evaluate("env=habitat", "policy=random", "n_shots=0", "episodes_per_subset=1", f"out={tmp_path}", check=False)
    assert r.returncode != 0 and "habitat" in r.stderr.lower() and "install" in r.stderr.lower()
    r = evaluate("env=thor", "policy=random", "n_shots=0", "episodes_per_subset=1", f"out={tmp_path}", check=False)
    assert r.returncode != 0 and "EGOLOOP_THOR_BUILD" in r.stderr and "never" in r.stderr
