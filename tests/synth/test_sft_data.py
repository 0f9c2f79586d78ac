"""Trajectories, SFT and multi-level planning data: what the trainers read, exactly."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from datasets import Dataset, load_from_disk
from trl.trainer.sft_trainer import DataCollatorForVisionLanguageModeling

from agent.models.load import load_processor
from synth import chat
from synth.planning_data import levels
from synth.plans import PLAN_REQUEST
from synth.sft_data import COLUMNS, build_rows

ROOT = Path(__file__).resolve().parents[2]


def cli(module, *args):
    r = subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout


def card(folder: Path) -> dict:
    return json.loads((folder / "card.json").read_text())


@pytest.mark.parametrize("prompt", ["compact", "eb"])
def test_an_sft_batch_goes_through_trls_collator_with_image_tokens_matching(episodes, tiny_model, prompt):
    from synth.episodes import expert_episodes
    from synth.thoughts import narrate

    eps = episodes if prompt == "compact" else list(expert_episodes(2, 5, prompt="eb", narrator=narrate))
    rows = build_rows(eps[:2], "step", compress=False)[:4]
    ds = Dataset.from_list(rows, features=chat.features(**COLUMNS))
    processor = load_processor(tiny_model)
    collator = DataCollatorForVisionLanguageModeling(processor, assistant_only_loss=True)
    batch = collator([ds[i] for i in range(len(ds))])
    image_tokens = int((batch["input_ids"] == processor.image_token_id).sum())
    features = int((batch["image_grid_thw"].prod(dim=1) // 4).sum())
    assert image_tokens == features == 64 * len(ds)
    trained = processor.tokenizer.decode(batch["input_ids"][0][batch["labels"][0] != -100])
    assert trained == rows[0]["messages"][-1]["content"][0]["text"] + "<|im_end|>"  # only the expert's reply


def test_episode_rows_and_compression(episodes):
    (row,) = build_rows(episodes[:1], "episode", compress=False)
    n_images = sum(c["type"] == "image" for m in row["messages"] for c in m["content"])
    assert n_images == len(row["images"]) == len(episodes[0].turns)
    assert [m["role"] for m in row["messages"][1:5]] == ["user", "assistant", "user", "assistant"]
    step_rows = build_rows(episodes[:1], "step", compress=True)
    last = step_rows[-1]
    text = last["messages"][-2]["content"][-1]["text"]
    done = [s.action for s in episodes[0].episode.steps if s.action_id is not None][:-1]
    assert text.endswith("Previous actions taken: " + ", ".join(done)) and len(last["images"]) == 1


def test_planning_levels_target_the_last_d_expert_actions_and_ask_for_them(episodes):
    for ep in episodes:
        actions = [s.action for s in ep.episode.steps if s.action_id is not None]
        detours = [i for i, t in enumerate(ep.turns) if t.mistake]
        deepest = len(actions) - (detours[-1] + 1 if detours else 0)
        rows = levels(ep, max_level=5, compress=True)
        assert [r["level"] for r in rows] == list(range(1, min(deepest, 5) + 1))
        for r, bare in zip(rows, levels(ep, max_level=5, compress=True, ask_plan=False)):
            d = r["level"]
            assert r["expert_actions"] == actions[len(actions) - d:]
            assert r["messages"][-1]["role"] == "user"  # a prompt, no answer
            prefix = ", ".join(actions[:len(actions) - d])
            assert r["messages"][-1]["content"][-1]["text"].endswith(prefix + PLAN_REQUEST)
            assert bare["messages"][-1]["content"][-1]["text"].endswith(prefix)
    assert any(t.mistake for ep in episodes for t in ep.turns)  # the fixture has detours to stop at


def test_plan_rows_answer_the_plan_request_with_the_expert_plan_in_full(episodes):
    from synth.sft_data import plan_rows
    from train.rewards import imitation_reward

    made = [r for ep in episodes for r in plan_rows(ep, 2, 29, seed=3)]
    assert len(made) >= 2 * len(episodes) - 2 and {r["kind"] for r in made} == {"plan"}
    for r in made:
        *_, user, reply = r["messages"]
        assert user["content"][-1]["text"].endswith(PLAN_REQUEST)
        # the reply is the whole remaining plan, which the imitation reward pays in full
        assert imitation_reward(reply["content"][0]["text"], r["expert_actions"]) == pytest.approx(1.7)
    assert max(len(r["expert_actions"]) for r in made) > 1
    assert [r["turn"] for r in made] == [r["turn"] for ep in episodes for r in plan_rows(ep, 2, 29, seed=3)]


def test_trajectories_show_detours_reflection_and_the_true_state(tmp_path):
    out = tmp_path / "traj"
    cli("synth.trajectories", f"out={out}", "n=12", "seed=3", "mistake_prob=0.4")
    ds = load_from_disk(str(out))
    assert set(ds["subset"]) == {"base", "common_sense", "complex_instruction", "spatial", "visual_appearance",
                                 "long_horizon"}
    assert len(set(ds["task_type"])) >= 4 and all(s == 1.0 for s in ds["success"])
    r = next(r for r in ds if not all(r["valid"]))
    k = r["valid"].index(False)
    assert "failed" in r["replies"][k + 1] and r["feedback"][k].startswith("Last action is invalid.")
    assert any("I am holding the" in t for t in r["replies"]) and len(r["images"]) == r["num_steps"] + 1
    assert card(out)["stats"]["episodes"] == len(ds)


def test_same_seed_same_datasets(tmp_path):
    for name, module, *extra in (("traj", "synth.trajectories"), ("sft", "synth.sft_data", "planning.per_episode=2"),
                                 ("plan", "synth.planning_data")):
        cli(module, f"out={tmp_path / name}_a", "n=3", "seed=1", *extra)
        cli(module, f"out={tmp_path / name}_b", "n=3", "seed=1", *extra)
        cli(module, f"out={tmp_path / name}_c", "n=3", "seed=2", *extra)
        a, b, c = (card(tmp_path / f"{name}_{k}")["fingerprint"] for k in "abc")
        assert a == b != c
        assert load_from_disk(str(tmp_path / f"{name}_a"))[0] == load_from_disk(str(tmp_path / f"{name}_b"))[0]
    assert card(tmp_path / "sft_a")["stats"]["plan_rows"] > 0


def test_thought_rewrite_keeps_facts_or_falls_back(monkeypatch):
    from synth.rewrite import Rewriter
    from tests.agent.policies.flaky_server import FlakyServer

    with FlakyServer(["ok:Right now my hands hold nothing and I go for the Apple.", "ok:I go on.", "500"]) as server:
        r = Rewriter(base_url=server.base_url, model="m", max_retries=0)
        assert r.rephrase("My hands are empty. Next I will find a Apple.").endswith("go for the Apple.")
        assert r.rephrase("Next I will find a Apple.") == "Next I will find a Apple."  # dropped the Apple: kept
        assert r.rephrase("Next I will find a Mug.") == "Next I will find a Mug."  # server error: kept
    assert (r.rewritten, r.kept) == (1, 2)


def test_subsets_key_chooses_the_subsets_and_names_a_bad_one(tmp_path):
    cli("synth.sft_data", f"out={tmp_path / 'base'}", "n=2", "seed=3", "subsets=[base]", "prompt=bare")
    ds = load_from_disk(str(tmp_path / "base"))
    assert set(ds["subset"]) == {"base"} and [m["role"] for m in ds[0]["messages"]] == ["user", "assistant"]
    r = subprocess.run([sys.executable, "-m", "synth.sft_data", f"out={tmp_path / 'bad'}", "n=1", "subsets=[bas]"],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode != 0 and "subsets" in r.stderr and "bas" in r.stderr


def test_box_rows_end_with_the_box_the_grounding_reward_scores(episodes):
    from agent.prompts.replies import action_box

    ep = episodes[0]
    rows = build_rows([ep], "step", compress=False, box=True)
    plain = build_rows([ep], "step", compress=False)
    boxed = 0
    for t, (row, base) in enumerate(zip(rows, plain)):
        text, before = row["messages"][-1]["content"][0]["text"], base["messages"][-1]["content"][0]["text"]
        region = ep.interactions[ep.turns[t].step + 1]  # the step this turn's action became
        truth = region["box_before"] if region else None
        assert text.startswith(before) and action_box(text) == (list(truth) if truth is not None else None)
        boxed += truth is not None
    assert boxed >= 2  # a pick and a put at least: the object is in view when acted on


def test_rows_encoded_in_chunks_are_the_rows_encoded_at_once(episodes):
    from synth.io import content_fingerprint, rows_dataset

    rows = build_rows(episodes[:3], "step", compress=False)
    whole = Dataset.from_list(rows, features=chat.features(**COLUMNS))
    chunked = rows_dataset(iter(rows), chat.features(**COLUMNS), chunk=4)
    assert len(chunked) == len(rows) and content_fingerprint(chunked) == content_fingerprint(whole)


def test_without_mistakes_the_detours_replies_go_and_their_recoveries_stay(episodes):
    ep = next(e for e in episodes if any(t.mistake for t in e.turns))
    detours = [t for t, turn in enumerate(ep.turns) if turn.mistake]
    kept = [r["turn"] for r in build_rows([ep], "step", compress=False, mistakes=False)]
    assert kept == [t for t in range(len(ep.turns)) if t not in detours]
    k = detours[0]
    recovery = build_rows([ep], "step", compress=False)[k + 1]["messages"][-2]["content"][-1]["text"]
    assert k + 1 in kept or ep.turns[k + 1].mistake
    detour = next(st.action for st in ep.episode.steps if st.turn == k + 1)
    assert detour in recovery.split("Previous actions: ")[1]  # the recovery's prompt shows the detour


def test_videoqa_rows_ask_what_online_grpo_asks_and_their_gold_reply_scores_full(episodes):
    from synth.questions import FAMILIES
    from synth.sft_data import videoqa_rows
    from train.online.aux_rewards import answer_reward, episode_question

    asked = 0
    for ep in episodes:
        rows = videoqa_rows(ep, 7, 1, (2, 4))
        q = episode_question(ep, 7, FAMILIES, 2, 4, with_keyframes=True)
        assert (q is None) == (not rows)
        if q is None:
            continue
        asked += 1
        (row,) = rows
        user, reply = row["messages"]
        assert user["content"][-1]["text"] == q.prompt.messages[0]["content"][-1]["text"]
        assert len(row["images"]) == len(q.prompt.images) == sum(c["type"] == "image" for c in user["content"])
        assert answer_reward(reply["content"][0]["text"], q, keyframe_weight=0.5) == (1.5, 1.0, 1.0)
        assert row["kind"] == "videoqa"
    assert asked >= 6
