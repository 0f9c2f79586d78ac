"""Ego3S's counterfactual selection (synth.select): the three prompts, the scores and filters on
hand-computed numbers, a whole selection with a scripted generator, and the CLI on the tiny model."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from datasets import load_from_disk
from omegaconf import OmegaConf

from synth.select import CONDITIONS, decide, row_prompts, run, score
from synth.videoqa import build

ROOT = Path(__file__).resolve().parents[2]
SUMMARY = ("samples", "conditions", "mean_delta_c", "mean_delta_f", "passed_coarse", "passed_fine", "passed_both",
           "kept", "kept_fraction", "no_interaction_box", "dropped_by", "fingerprint", "per_sample")


def defaults(name: str, **overrides) -> dict:
    cfg = OmegaConf.to_container(OmegaConf.load(ROOT / "synth" / "conf" / f"{name}.yaml"))
    cfg.pop("hydra")
    return {**cfg, **overrides}


@pytest.fixture(scope="module")
def videoqa(tmp_path_factory):
    """Four questions from two short episodes (64-pixel frames)."""
    out = tmp_path_factory.mktemp("select") / "videoqa"
    build(defaults("videoqa", n=2, seed=0, resolution=64, questions_per_episode=2, progress=False), out)
    return out


@pytest.fixture(scope="module")
def rows(videoqa):
    return list(load_from_disk(str(videoqa)))


def prompt_text(prompt) -> str:
    return prompt.messages[0]["content"][-1]["text"]


# ---- the prompts ---------------------------------------------------------------------------------
def test_text_only_prompt_has_no_images_and_no_placeholders(rows):
    for i, row in enumerate(rows):
        p = row_prompts(row, i, seed=0)
        assert p["text"].images == []
        assert all(c["type"] != "image" for m in p["text"].messages for c in m["content"])
        assert prompt_text(p["text"]) == prompt_text(p["full"]) == row["prompt"]


def test_full_prompt_is_the_row(rows):
    for i, row in enumerate(rows):
        full = row_prompts(row, i, seed=0)["full"]
        assert full.messages == row["messages"] and len(full.images) == len(row["images"])
        for a, im in zip(full.images, row["images"]):
            assert np.array_equal(a, np.asarray(im.convert("RGB")))


def test_masked_prompt_differs_from_the_full_one_only_inside_the_interaction_boxes(rows):
    boxed = 0
    for i, row in enumerate(rows):
        p = row_prompts(row, i, seed=0)
        assert p["masked"].messages == p["full"].messages
        for full, masked, box in zip(p["full"].images, p["masked"].images, row["interaction_boxes"]):
            changed = (full != masked).any(axis=-1)
            if box is None:
                assert not changed.any()
                continue
            boxed += 1
            x0, y0, x1, y1 = box
            inside = np.zeros_like(changed)
            inside[y0:y1, x0:x1] = True
            assert not (changed & ~inside).any()
            assert changed[inside].mean() > 0.9  # uniform noise: almost every pixel changes
    assert boxed > 0
    a, b, c = (row_prompts(rows[0], 0, seed=s)["masked"].images for s in (0, 0, 1))
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not all(np.array_equal(x, y) for x, y in zip(a, c))


# ---- scores and filters --------------------------------------------------------------------------
def test_m_is_the_mean_of_the_g_format_and_g_accuracy_scores():
    s = score(["<think>x</think> <answer>B</answer>", "<think>x</think><answer>C</answer>", "B"], "B")
    assert (s.format, s.accuracy, s.m) == pytest.approx((2 / 3, 1 / 3, 3 / 6))


def test_filters_on_hand_computed_gaps():
    full, text, masked = [1, .5, .5, .5, 0], [0, .25, .5, .25, .25], [0, 1, .25, .5, 0]
    d = decide(full, text, masked, 0.1, 0.5)
    # Δc = [1, .25, 0, .25, -.25], mean .25, |dev| = [.75, 0, .25, 0, .5]
    assert d["mean_delta_c"] == pytest.approx(0.25)
    assert d["coarse"].tolist() == [True, False, True, False, True]
    # Δf = [1, -.5, .25, 0, 0]; mean over the coarse survivors (0, 2, 4) = 1.25 / 3
    assert d["mean_delta_f"] == pytest.approx(1.25 / 3)
    assert d["fine"].tolist() == [True, True, False, False, False]
    assert d["kept"].tolist() == [True, False, False, False, False]
    every = decide(full, text, masked, 0.1, 0.5, "all")  # mean Δf over all five: 0.15
    assert every["mean_delta_f"] == pytest.approx(0.15)
    assert every["fine"].tolist() == [True, True, False, False, False]
    assert not decide([.5] * 3, [.5] * 3, [.5] * 3)["kept"].any()  # no gap anywhere: nothing needs the video


# ---- a whole selection, with a scripted generator ------------------------------------------------
def scripted(rows, answers):
    """A generator whose reply depends on the row (found by its prompt text) and the condition
    (no images: text; the row's own frames: full; else masked)."""
    by_text = {r["prompt"]: (i, [np.asarray(im.convert("RGB")) for im in r["images"]]) for i, r in enumerate(rows)}
    assert len(by_text) == len(rows)

    def generate(prompts, seed):
        out = []
        for p in prompts:
            i, frames = by_text[prompt_text(p)]
            cond = ("text" if not p.images else
                    "full" if all(np.array_equal(a, b) for a, b in zip(p.images, frames)) else "masked")
            kind = answers[cond][i]
            letter = rows[i]["answer"] if kind == "right" else "Z"
            out.append(f"<think>x</think><answer>{letter}</answer>" if kind != "junk" else "no idea")
        return out
    return generate


def test_selection_keeps_the_rows_the_rule_picks_and_stores_their_scores(videoqa, rows, tmp_path):
    # m: right 1, wrong letter 0.5 (format only), junk 0
    answers = {"full": ["right"] * 4, "text": ["right", "wrong", "wrong", "junk"],
               "masked": ["wrong", "right", "junk", "junk"]}
    cfg = defaults("select", data=str(videoqa), out=str(tmp_path), G=2, lambda_f=0.2)
    report = run(cfg, generate=scripted(rows, answers))
    # Δc = [0, .5, .5, 1], mean .5, |dev| = [.5, 0, 0, .5] -> coarse keeps 0 and 3
    # Δf = [.5, 0, 1, 1], mean over {0, 3} .75, |dev| = [.25, .75, .25, .25] > .2 -> all pass fine
    assert [s["kept"] for s in report["per_sample"]] == [True, False, False, True]
    assert (report["passed_coarse"], report["passed_fine"], report["kept"]) == (2, 4, 2)
    assert report["kept_fraction"] == 0.5 and report["dropped_by"] == {"coarse": 2}
    assert report["conditions"]["text"]["mean_score"] == pytest.approx((1 + .5 + .5 + 0) / 4)
    selected = load_from_disk(str(tmp_path / "selected"))
    assert selected["source_index"] == [0, 3]
    for row, i in zip(selected, selected["source_index"]):
        assert {k: row[k] for k in ("question", "options", "answer", "episode_id", "interaction_boxes")} == \
               {k: rows[i][k] for k in ("question", "options", "answer", "episode_id", "interaction_boxes")}
        assert row["m_full"] == 1.0 and row["m_text"] == report["per_sample"][i]["m_text"]


# ---- the CLI on the tiny model -------------------------------------------------------------------
def test_cli_on_the_tiny_model_reports_three_conditions_and_the_kept_fraction(tiny_model, videoqa, rows, tmp_path):
    args = [f"model={tiny_model}", f"data={videoqa}", "G=2", "max_new_tokens=8", "batch_size=4", "seed=5",
            "save_rollouts=true", "progress=false"]
    r = subprocess.run([sys.executable, "-m", "synth.select", f"out={tmp_path / 'cli'}", *args], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert all(c in r.stdout for c in CONDITIONS) and "kept fraction" in r.stdout
    report = json.loads((tmp_path / "cli" / "report.json").read_text())
    assert set(report["conditions"]) == set(CONDITIONS)
    assert all(0 <= v["mean_score"] <= 1 for v in report["conditions"].values())
    assert report["samples"] == len(rows) and report["kept_fraction"] == report["kept"] / len(rows)
    assert report["rollouts"] == 2 * (2 * len(rows) + sum(any(r["interaction_boxes"]) for r in rows))

    per = report["per_sample"]
    d = decide(*([s[k] for s in per] for k in ("m_full", "m_text", "m_masked")), 0.1, 0.5)
    assert [s["kept"] for s in per] == d["kept"].tolist()
    selected = load_from_disk(str(tmp_path / "cli" / "selected"))
    assert selected["source_index"] == [s["index"] for s in per if s["kept"]]
    for row in selected:
        assert row["question"] == rows[row["source_index"]]["question"]
        assert row["m_full"] == per[row["source_index"]]["m_full"]

    # the same seed, run again (in this process): the same sampled replies and the same report;
    # another seed samples other replies (so the equality is not that of a constant model)
    cli = [json.loads(line) for line in (tmp_path / "cli" / "rollouts.jsonl").read_text().splitlines()]
    assert len(cli) == len(rows) and len({t for s in cli for c in CONDITIONS for t in s[c]}) > 1
    for name, seed in (("same", 5), ("other", 6)):
        again = run(defaults("select", model=str(tiny_model), data=str(videoqa), out=str(tmp_path / name), G=2,
                             max_new_tokens=8, batch_size=4, seed=seed, save_rollouts=True, progress=False))
        replies = [json.loads(line) for line in (tmp_path / name / "rollouts.jsonl").read_text().splitlines()]
        if seed == 5:
            assert replies == cli and {k: again[k] for k in SUMMARY} == {k: report[k] for k in SUMMARY}
        else:
            assert replies != cli
