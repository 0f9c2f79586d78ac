"""Video-QA: every stored answer is recomputed from the episode's event log by code written here
independently of ``synth.questions`` and ``synth.log_answers``; options are unique, the answer's
letter is uniform, the keyframes show the events, and the CLI writes a dataset that loads and is
reproducible."""

import json
import math
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from datasets import load_from_disk

from envs.household.language import noun
from envs.household.spatial import prep
from synth.episodes import expert_episodes
from synth.io import content_fingerprint
from synth.questions import FAMILIES
from synth.videoqa import build, episode_questions

ROOT = Path(__file__).resolve().parents[2]
SEED = 500
N_QUESTIONS = 500


@pytest.fixture(scope="module")
def questions():
    """At least 500 questions, each with the episode it came from."""
    out = []
    for ep in expert_episodes(90, SEED, mistake_prob=0.2, resolution=64):
        out += [(row, ep) for row in episode_questions(ep, SEED)]
        if len(out) >= N_QUESTIONS:
            break
    assert len(out) >= N_QUESTIONS
    return out[:N_QUESTIONS]


# ---- the answers, recomputed from the raw log ----------------------------------------------------
def log_of(ep):
    return [(s.step, e) for s in ep.episode.steps for e in s.events]


def where(cls):
    return "on the floor" if cls is None else f"{prep(cls)} the {noun(cls)}"


def did(e):  # first person, past tense, for the temporal family
    the = f"the {noun(e['class'])}"
    verbs = {"picked": f"picked up {the}", "dropped": f"dropped {the}", "opened": f"opened {the}",
             "closed": f"closed {the}", "toggled_on": f"turned on {the}", "toggled_off": f"turned off {the}",
             "sliced": f"sliced {the}"}
    return f"put {the} {where(e['other_class'])}" if e["event"] == "put" else verbs[e["event"]]


def done_to_it(e):  # what happened to the object, for the state-change family
    kind, other = e["event"], e["other_class"]
    if kind == "put":
        return f"put it {where(other)}"
    if kind in ("heated", "cooled", "cleaned"):
        verb = {"heated": "heated", "cooled": "chilled", "cleaned": "rinsed"}[kind]
        return f"{verb} it {where(other)}"
    return {"sliced": "sliced it", "picked": "picked it up", "dropped": "dropped it on the floor",
            "opened": "opened it", "closed": "closed it", "toggled_on": "turned it on",
            "toggled_off": "turned it off"}[kind]


RANK = ["sliced", "heated", "cooled", "cleaned", "toggled_on", "toggled_off", "opened", "closed", "put", "dropped",
        "picked"]


def expected(row, ep):
    """The answer text, and the set of statements the log makes true (no distractor may be one)."""
    log, q = log_of(ep), json.loads(row["query"])
    family = row["family"]
    if family == "state_change":
        evs = [e for _, e in log if e["class"] == q["object"] and e["event"] in RANK]
        best = min(evs, key=lambda e: RANK.index(e["event"]))["event"]
        last = [e for e in evs if e["event"] == best][-1]
        return done_to_it(last), {done_to_it(e) for e in evs}
    if family == "object_memory":
        final = {}
        for _, e in log:
            if e["class"] == q["object"] and e["event"] in ("picked", "put", "dropped"):
                final[e["object"]] = e
        assert all(e["event"] != "picked" for e in final.values())
        places = {where(e["other_class"] if e["event"] == "put" else None) for e in final.values()}
        assert len(places) == 1
        return places.pop(), places
    if family == "temporal":
        firsts = {}
        for s, e in log:
            firsts.setdefault(s, e)
        steps = sorted(firsts)
        j = steps.index(q["anchor_step"]) + (1 if q["direction"] == "after" else -1)
        assert 0 <= j < len(steps)
        return did(firsts[steps[j]]), set()
    if family == "counting":
        kind = "picked" if q["count"] == "picked_distinct" else q["count"]
        hits = [e for _, e in log if e["event"] == kind and q["object"] in (None, e["class"])]
        n = len({e["object"] for e in hits}) if q["count"] == "picked_distinct" else len(hits)
        return str(n), set()
    task = ep.episode.task
    obj = task["object_target"] + ("Sliced" if task["object_sliced"] else "")
    assert q["goal"]["type"] == task["type"] and q["goal"]["object"] == obj
    article = "an" if noun(obj)[0] in "aeiou" else "a"
    text = {"pick_and_place_simple": f"put {article} {noun(obj)} {where(task['parent_target'])}",
            "pick_clean_then_place_in_recep": f"put a clean {noun(obj)} {where(task['parent_target'])}",
            "pick_heat_then_place_in_recep": f"put a heated {noun(obj)} {where(task['parent_target'])}",
            "pick_cool_then_place_in_recep": f"put a chilled {noun(obj)} {where(task['parent_target'])}",
            "look_at_obj_in_light": f"examine {article} {noun(obj)} under the {noun(task['toggle_target'] or '')}",
            }.get(task["type"])
    if text is None:  # two objects, movable receptacle: the targets must at least be named
        answer = row["answer_text"]
        for cls in (task["parent_target"], task["mrecep_target"]):
            assert cls is None or noun(cls) in answer
        return answer, set()
    return text[0].upper() + text[1:] + ".", set()


def test_500_answers_match_the_event_log(questions):
    for row, ep in questions:
        answer, true = expected(row, ep)
        assert row["answer_text"] == answer, (row["question"], row["query"])
        assert row["options"]["ABCDE".index(row["answer"])] == answer
        wrong = [o for o in row["options"] if o != answer]
        assert not set(wrong) & true, (row["question"], row["options"], true)


def test_options_are_five_and_unique_and_prompt_lists_them(questions):
    for row, _ in questions:
        assert len(row["options"]) == 5 and len(set(row["options"])) == 5
        for letter, option in zip("ABCDE", row["options"]):
            assert f"\n{letter}. {option}\n" in row["prompt"]
        content = row["messages"][0]["content"]
        assert sum(c["type"] == "image" for c in content) == len(row["frame_indices"])
        assert content[-1] == {"type": "text", "text": row["prompt"]}


def test_answer_letter_is_uniform_over_a_to_e(questions):
    counts = Counter(row["answer"] for row, _ in questions)
    assert set(counts) == set("ABCDE")
    mean = len(questions) / 5
    chi2 = sum((counts[c] - mean) ** 2 / mean for c in "ABCDE")
    p = math.exp(-chi2 / 2) * (1 + chi2 / 2)  # chi-square survival function, 4 degrees of freedom
    assert p > 0.01, (counts, chi2, p)


def test_every_family_appears(questions):
    counts = Counter(row["family"] for row, _ in questions)
    assert set(counts) == set(FAMILIES), counts


def test_frames_and_keyframes_show_the_events(questions):
    for row, ep in questions:
        frames, q = row["frame_indices"], json.loads(row["query"])
        assert frames == sorted(set(frames)) and 0 <= frames[0] and frames[-1] < len(ep.frames)
        assert 4 <= len(frames) <= 16
        assert row["keyframes"] and len(row["keyframes"]) == len(row["keyframe_steps"])
        events = {s.step: s.events for s in ep.episode.steps}
        for k, step in zip(row["keyframes"], row["keyframe_steps"]):
            assert frames[k] == step
            here = events[step]
            assert here, (row["question"], step)
            if row["family"] in ("state_change", "object_memory"):
                assert any(e["class"] == q["object"] for e in here)
            elif row["family"] == "counting":
                kind = "picked" if q["count"] == "picked_distinct" else q["count"]
                assert any(e["event"] == kind for e in here)
        if row["family"] == "temporal":
            assert q["anchor_step"] in row["keyframe_steps"]


def test_cli_writes_a_loadable_dataset_and_the_seed_fixes_its_content(tmp_path):
    args = ["n=4", "seed=3", "resolution=64", "progress=false"]
    r = subprocess.run([sys.executable, "-m", "synth.videoqa", f"out={tmp_path / 'cli'}", *args], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    ds = load_from_disk(str(tmp_path / "cli"))
    card = json.loads((tmp_path / "cli" / "card.json").read_text())
    assert len(ds) > 0 and card["fingerprint"] == content_fingerprint(ds)
    assert {"images", "frame_indices", "question", "options", "answer", "answer_text", "keyframes",
            "keyframe_steps", "family", "episode_id", "task_id", "scene", "prompt", "messages"} <= set(ds.column_names)
    assert len(ds[0]["images"]) == len(ds[0]["frame_indices"]) and ds[0]["images"][0].size == (64, 64)

    conf = {**card["config"], "out": str(tmp_path / "again")}
    assert build(conf, conf["out"])[1] == card["fingerprint"]  # another process, the same bytes
    other = {**conf, "seed": 4, "out": str(tmp_path / "other")}
    assert build(other, other["out"])[1] != card["fingerprint"]
