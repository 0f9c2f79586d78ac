"""Guided members of branch groups (``train/online/guide.py``): the planner plays on from a branch
group's replayed state, its replies are tokenised as the SFT data write them, it joins the group's
normalisation, and its turns train with the first pass's log-probs standing in for sampling ones."""

import copy
import random
from pathlib import Path

import gymnasium as gym
import pytest
import torch
from omegaconf import OmegaConf

from agent.loop import LoopConfig
from agent.models.generate import Generator, Sampling
from agent.models.load import load_model
from agent.prompts import make_format
from train.online.collect import RewardWeights, SamplingPolicy, collect_groups
from train.online.guide import GuidePolicy, add_guided, complete_turns, demonstrations
from train.online.loss import LossConfig, SequenceScorer, imitate, train_on

CONF = Path(__file__).resolve().parents[2] / "train" / "conf" / "grpo_online.yaml"
KW = dict(resolution=112, annotations=True, max_steps=30, max_invalid=10)


def _failed_prefix(seed: int) -> tuple[tuple[str, ...], str]:
    """A find, then a pick-up of the wrong object (it fails): the state a branch group restarts from."""
    env = gym.make("envs:EgoHousehold-v0", **KW)
    _, info = env.reset(seed=seed)
    target = info["task"]["object_target"]
    wrong = next(n for n in info["action_names"] if n.startswith("pick up the") and target not in n)
    return (f"<think>go</think><action>find a {target}</action>", f"<think>take</think><action>{wrong}</action>"), wrong


@pytest.fixture(scope="module")
def branch(tiny_model):
    model, processor = load_model(tiny_model, dtype="float32")
    fmt = make_format("bare")
    gen = Generator(model, processor, Sampling(8, 1.0))
    seed = 5
    prefix, wrong = _failed_prefix(seed)
    envs = [gym.make("envs:EgoHousehold-v0", expert=True, **KW) for _ in range(2)]
    loop = LoopConfig(max_steps=30, max_invalid=10)
    sampled = collect_groups(envs, SamplingPolicy(gen, fmt, seed=0, batch_size=8), fmt, [seed], 2, loop,
                             RewardWeights(), iteration=1, prefixes={seed: prefix})
    complete = lambda trace, skip: complete_turns(trace, skip, processor.tokenizer, gen.eos)  # noqa: E731
    guided = collect_groups(envs, GuidePolicy(gen, fmt), fmt, [seed], 1, loop, RewardWeights(), iteration=1,
                            prefixes={seed: prefix}, complete=complete)
    return dict(model=model, processor=processor, gen=gen, sampled=sampled, guided=guided, prefix=prefix, wrong=wrong)


def test_the_planner_recovers_from_the_replayed_failure(branch):
    (g,) = branch["guided"]
    (r,) = g.rollouts
    steps = r.episode.steps
    assert [s.output for s in steps[:2]] == list(branch["prefix"])
    assert not steps[1].valid  # the replayed failure, with its feedback in the next prompt
    assert r.parts["success"] == 1.0 and r.parts["invalid"] == 0
    assert len(r.turns) == r.episode.metrics["planner_steps"] - 2  # only the turns after the prefix train
    first = branch["processor"].tokenizer.decode(r.turns[0].prompt_ids)
    assert branch["wrong"].lower() in first.lower()  # it acts knowing what failed


def test_guided_replies_are_tokenised_as_the_sft_data_write_them(branch):
    tok, eos = branch["processor"].tokenizer, branch["gen"].eos
    (r,) = branch["guided"][0].rollouts
    boxed = 0
    for turn, step in zip(r.turns, [s for s in r.episode.steps if s.turn > 2]):
        assert turn.logprobs == []  # not sampled: nothing to claim about the sampler
        assert turn.completion_ids[-1] == eos
        text = tok.decode(turn.completion_ids, skip_special_tokens=True)
        assert text.lower().startswith(step.output.lower())  # the planner's reply, then its box when in view
        boxed += "<box>[" in text
        assert turn.completion_ids == tok(text, add_special_tokens=False)["input_ids"] + [eos]
    assert boxed >= 1 and r.parts["grounding"] > 0.5  # its boxes are the simulator's own


def test_guided_members_join_the_branch_group_after_its_sampled_ones(branch):
    sampled, guided = copy.deepcopy(branch["sampled"]), copy.deepcopy(branch["guided"])
    add_guided(sampled, guided)
    (g,) = sampled
    assert [r.member for r in g.rollouts] == [0, 1, 2]
    assert [r.guided for r in g.rollouts] == [False, False, True]
    other = copy.deepcopy(branch["guided"])
    other[0].seed = 6
    with pytest.raises(AssertionError, match="does not match"):
        add_guided(copy.deepcopy(branch["sampled"]), other)


def test_a_guided_turn_trains_from_its_first_pass_log_probs(branch):
    model = copy.deepcopy(branch["model"])
    scorer = SequenceScorer(branch["processor"], temperature=1.0)
    sample = copy.deepcopy(branch["guided"][0].rollouts[0].turns[0])
    sample.advantage = 1.0
    with torch.no_grad():
        before = scorer.logprobs(model, sample)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    stats = train_on(model, opt, scorer, [sample], LossConfig(epochs=2, minibatch_size=1), random.Random(0))
    assert stats["first_epoch_logprob_gap"] < 1e-5  # ratio 1 on the first pass
    assert torch.allclose(torch.tensor(sample.logprobs), before, atol=1e-5)  # kept as the old log-probs
    with torch.no_grad():
        after = scorer.logprobs(model, sample)
    assert after.sum() > before.sum()  # a positive advantage makes the planner's reply likelier


def test_demonstrations_are_one_successful_guided_member_per_group(branch):
    sampled, guided = copy.deepcopy(branch["sampled"]), copy.deepcopy(branch["guided"])
    twin = copy.deepcopy(guided)
    add_guided(sampled, guided)
    add_guided(sampled, twin)  # two guided members, as branch.guide=2 gives: copies of one another
    (g,) = sampled
    turns = demonstrations(sampled)
    assert turns == g.rollouts[2].turns  # one of the copies, none of the sampled members
    g.rollouts[2].parts["success"] = g.rollouts[3].parts["success"] = 0.0
    assert demonstrations(sampled) == []  # a guided member that failed shows nothing worth imitating


def test_imitation_raises_the_planners_likelihood_at_its_own_lr(branch):
    model = copy.deepcopy(branch["model"])
    scorer = SequenceScorer(branch["processor"], temperature=1.0)
    turns = copy.deepcopy(branch["guided"][0].rollouts[0].turns[:3])
    with torch.no_grad():
        before = sum(scorer.logprobs(model, t).sum() for t in turns)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-6)
    stats = imitate(model, opt, scorer, turns, lr=1e-3, epochs=3, cfg=LossConfig(minibatch_size=2), rng=random.Random(0))
    with torch.no_grad():
        after = sum(scorer.logprobs(model, t).sum() for t in turns)
    assert after > before + 1.0  # the planner's replies are now likelier, far beyond what lr 1e-6 would do
    assert opt.param_groups[0]["lr"] == 1e-6  # the policy-gradient steps keep their own lr
    assert stats["imitation_tokens"] == 3 * sum(len(t.completion_ids) for t in turns)
    assert stats["imitation_nll"] > 0 and not model.training


def test_a_run_with_guided_branch_groups_logs_their_success(tiny_model, tmp_path):
    from train.grpo_online import train
    from train.online import checkpoint

    out = tmp_path / "run"
    overrides = [f"init={tiny_model}", f"out={out}", "iterations=1", "save_every=1", "progress=false",
                 "tasks.per_iteration=2", "tasks.group_size=2", "tasks.pool_size=4", "env.max_steps=12",
                 "env.max_invalid=3", "generation.max_new_tokens=8", "qa.enabled=false", "eval.every=0",
                 "train.epochs=1", "branch.per_iteration=1", "branch.guide=1", "branch.imitate_lr=1e-4"]
    cfg = OmegaConf.merge(OmegaConf.load(CONF), OmegaConf.from_dotlist(overrides))
    train(cfg)
    _, state = checkpoint.latest(out)
    assert len(state["committed_groups"]) == 3  # the guided member is part of its branch group, not a group
    header, row = [line.split(",") for line in (out / "metrics.csv").read_text().splitlines()]
    got = dict(zip(header, row))
    assert got["episodes"] == "7" and got["branch_groups"] == "1"  # 2 x 2 task episodes, 2 sampled + 1 guided
    assert got["guide_success"] in ("0.0", "1.0")
    assert (int(got["imitation_tokens"]) > 0) == (got["guide_success"] == "1.0")  # imitated only when it succeeded

    bad = OmegaConf.merge(cfg, OmegaConf.from_dotlist(["branch.per_iteration=0", f"out={tmp_path / 'bad'}"]))
    with pytest.raises(ValueError, match="branch.per_iteration"):
        train(bad)
    bad = OmegaConf.merge(cfg, OmegaConf.from_dotlist(["branch.guide=0", f"out={tmp_path / 'bad2'}"]))
    with pytest.raises(ValueError, match="branch.imitate_lr"):
        train(bad)
