"""`python -m eval.videoqa`, `eval.grounding` and `eval.planning` on small synthesized held-out sets:
the gold replies score full marks, chance scores like chance, and a rerun resumes."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def cli(module, *args, check=True):
    r = subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True, text=True)
    if check and r.returncode:
        raise AssertionError(r.stdout + r.stderr)
    return r


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("qa")
    cli("synth.videoqa", f"out={root / 'vqa'}", "n=4", "scene_split=test", "progress=false")
    cli("synth.grounding", f"out={root / 'gr'}", "n=4", "scene_split=test")
    cli("synth.planning_data", f"out={root / 'plan'}", "n=3", "scene_split=test", "subsets=[base]")
    return root


def summary(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text())


@pytest.mark.slow
def test_videoqa_gold_scores_one_chance_scores_low_and_a_rerun_resumes(data, tmp_path):
    cli("eval.videoqa", f"data={data / 'vqa'}", "policy=expert", f"out={tmp_path / 'gold'}", "progress=false")
    gold = summary(tmp_path / "gold")
    assert gold["accuracy"] == 1.0 and gold["keyframe_reward"] == 1.0 and gold["questions"] >= 20
    assert set(gold["by_family"]) >= {"temporal", "counting"}
    out = tmp_path / "chance"
    cli("eval.videoqa", f"data={data / 'vqa'}", "policy=random", f"out={out}", "limit=10", "progress=false")
    cli("eval.videoqa", f"data={data / 'vqa'}", "policy=random", f"out={out}", "progress=false")
    lines = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
    assert sorted(r["id"] for r in lines) == list(range(gold["questions"]))  # each once
    assert summary(out)["accuracy"] < 0.5
    r = cli("eval.videoqa", f"data={data / 'vqa'}", "policy=expert", f"out={out}", check=False)
    assert r.returncode != 0 and "another run" in r.stderr


@pytest.mark.slow
def test_grounding_gold_boxes_hit_every_entity_and_score_box_as_mask_iou(data, tmp_path):
    cli("eval.grounding", f"data={data / 'gr'}", "policy=expert", f"out={tmp_path / 'gold'}", "progress=false")
    gold = summary(tmp_path / "gold")
    assert gold["box_iou@0.5"] == 1.0 and gold["answer"] == 1.0
    # a box drawn as a mask covers more than the object's own pixels: below 1, well above chance
    assert 0.5 < gold["cIoU"] < 1.0 and 0.5 < gold["gIoU"] <= 1.0
    cli("eval.grounding", f"data={data / 'gr'}", "policy=random", f"out={tmp_path / 'rnd'}", "progress=false")
    rnd = summary(tmp_path / "rnd")
    assert rnd["cIoU"] < 0.2 and rnd["box_iou@0.5"] < 0.2 and set(rnd["by_kind"]) == set(gold["by_kind"])


@pytest.mark.slow
def test_tiny_qwen_answers_questions_without_crashing(data, tmp_path, tiny_model):
    cli("eval.videoqa", f"data={data / 'vqa'}", "policy=qwen", f"policy.path={tiny_model}", "policy.max_new_tokens=8",
        "limit=2", f"out={tmp_path}", "progress=false")
    s = summary(tmp_path)
    assert s["questions"] == 2 and 0.0 <= s["accuracy"] <= 1.0


@pytest.mark.slow
def test_planning_gold_plans_earn_the_full_reward_a_guess_does_not_and_a_rerun_resumes(data, tmp_path):
    cli("eval.planning", f"data={data / 'plan'}", "policy=expert", f"out={tmp_path / 'gold'}", "progress=false")
    gold = summary(tmp_path / "gold")
    assert gold["reward"] == pytest.approx(1.7) and gold["exact"] == gold["first"] == gold["prefix"] == 1.0
    assert gold["samples"] >= 12 and "1" in gold["by_level"] and gold["by_level"]["1"]["samples"] == 3
    out = tmp_path / "chance"
    cli("eval.planning", f"data={data / 'plan'}", "policy=random", f"out={out}", "limit=5", "progress=false")
    cli("eval.planning", f"data={data / 'plan'}", "policy=random", f"out={out}", "progress=false")
    lines = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
    assert sorted(r["id"] for r in lines) == list(range(gold["samples"]))  # each once
    guess = summary(out)
    # one action of the plan: never the whole of a longer plan, so far below the gold's reward
    assert guess["reward"] < 1.3 and guess["exact"] < 0.5
    assert guess["by_level"]["1"]["first"] == 1.0  # a one-action plan's only action is the right guess
