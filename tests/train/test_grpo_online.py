"""Online GRPO (``train.grpo_online``): the loss trains exactly the generated tokens with the sampler's
log-probs, the advantages on hand-made groups, the grounding and video-QA rewards, the curriculum,
and a run killed mid-way that resumes without losing or repeating a group."""

import json
import random
import subprocess
import sys
from pathlib import Path

import gymnasium as gym
import pytest
import torch
from omegaconf import OmegaConf

from agent.loop import LoopConfig
from agent.models.generate import Generator, Sampling
from agent.models.load import load_model
from agent.prompts import make_format
from agent.prompts.replies import action_box
from train.online.advantages import answer_advantages, discounted, normalize, step_advantages, turn_advantages
from train.online.aux_rewards import answer_reward, episode_question, grounding_reward, turn_format
from train.online.collect import RewardWeights, SamplingPolicy, collect_groups
from train.online.curriculum import Curriculum, stagnation, variance_state
from train.online.loss import LossConfig, SequenceScorer, completion_mask, train_on

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "train" / "conf" / "grpo_online.yaml"


# ---- (1) loss mask and log-probs over a 3-turn episode ----------------------------------------------
def test_mask_covers_generated_tokens_and_logprobs_match_sampling(tiny_model):
    model, processor = load_model(tiny_model, dtype="float32")
    fmt = make_format("compact", box=True)
    policy = SamplingPolicy(Generator(model, processor, Sampling(12, 1.0)), fmt, seed=0, batch_size=8)
    envs = [gym.make("envs:EgoHousehold-v0", resolution=112, annotations=True, max_steps=3, max_invalid=3)
            for _ in range(4)]
    # two tasks in one batch: their instructions differ in length, so the sampler left-pads
    groups = collect_groups(envs, policy, fmt, [3, 11], 2, LoopConfig(max_steps=3, max_invalid=3),
                            RewardWeights(), iteration=1)
    rollouts = [r for g in groups for r in g.rollouts]
    assert len({len(r.turns[0].prompt_ids) for r in rollouts}) > 1, "no padding in the sampled batch"
    scorer = SequenceScorer(processor, temperature=1.0)
    image_tokens = processor.image_token_id
    for r in rollouts:
        assert len(r.turns) == 3  # the random model's replies are unreadable: 3 turns until max_invalid
        # the turns are the episode's replies, token for token
        texts = [processor.tokenizer.decode(t.completion_ids, skip_special_tokens=True) for t in r.turns]
        assert [s.output for s in r.episode.steps] == texts
        for t in r.turns:
            mask = completion_mask(t)
            ids = torch.tensor(t.prompt_ids + t.completion_ids)
            assert mask.sum() == len(t.completion_ids) and ids[mask].tolist() == t.completion_ids
            assert not mask[:len(t.prompt_ids)].any()
            assert t.prompt_ids.count(image_tokens) == 16  # each turn's prompt holds its own 112x112 frame
            if not scorer.scorable(t):  # a random model may sample a vision placeholder: not trained
                continue
            with torch.no_grad():
                recomputed = scorer.logprobs(model, t)
            assert torch.allclose(recomputed, torch.tensor(t.logprobs), atol=1e-4)
        # later turns see the history, never the previous completions' token ids
        assert len(r.turns[2].prompt_ids) > len(r.turns[0].prompt_ids)
    # the training forward pass (train mode, gradients on) gives the same log-probs on its first minibatch
    samples = [t for r in rollouts for t in r.turns]
    for k, s in enumerate(samples):
        s.advantage = 1.0 if k % 2 else -1.0
    before = [p.detach().clone() for p in model.parameters()]
    stats = train_on(model, torch.optim.AdamW(model.parameters(), lr=1e-3), scorer, samples,
                     LossConfig(epochs=2, minibatch_size=len(samples)), random.Random(0))
    assert stats["first_epoch_logprob_gap"] < 1e-4
    scorable = [s for s in samples if scorer.scorable(s)]
    assert len(scorable) >= len(samples) - 2 and stats["unscorable"] == len(samples) - len(scorable)
    assert stats["updates"] == 2 and stats["trained_tokens"] == 2 * sum(len(s.completion_ids) for s in scorable)
    assert any(not torch.equal(a, b) for a, b in zip(before, model.parameters()))


# ---- advantages ------------------------------------------------------------------------------------
def test_group_normalisation():
    assert normalize([1.0, 0.0, 0.0, 1.0]) == pytest.approx([1, -1, -1, 1], abs=1e-5)
    assert normalize([2.0, 2.0, 2.0]) == [0.0, 0.0, 0.0]
    assert normalize([3.0, 1.0], scale=False) == [1.0, -1.0]
    assert discounted([1.0, 0.0, 2.0], 0.5) == [1.5, 1.0, 2.0]
    # every turn of an episode shares its episode's advantage when the step level is off
    advs = turn_advantages([[1.0, 0.0], [0.0], [0.0, 0.0, 0.0], [1.0]], [["a", "b"], ["a"], ["a", "c", "d"], ["a"]])
    assert [len(a) for a in advs] == [2, 1, 3, 1]
    assert advs[0] == pytest.approx([1.0, 1.0], abs=1e-5) and advs[2] == pytest.approx([-1.0] * 3, abs=1e-5)


def test_gigpo_groups_steps_by_anchor_state():
    anchors = [["s0", "x", "y"], ["s0", "x"], ["s0", "z"]]
    returns = [[3.0, 2.0, 1.0], [1.0, 0.0], [2.0, 5.0]]
    adv = step_advantages(anchors, returns, scale=False)
    assert adv[0][0] == pytest.approx(1.0) and adv[1][0] == pytest.approx(-1.0) and adv[2][0] == pytest.approx(0.0)
    assert adv[0][1] == pytest.approx(1.0) and adv[1][1] == pytest.approx(-1.0)  # "x": 2 vs 0
    assert adv[0][2] == 0.0 and adv[2][1] == 0.0  # states met once have no peers
    # combined: episode level (returns 3, 1, 2 here: sums of turn rewards) plus weighted step level
    rewards = [[1.0, 1.0, 1.0], [1.0, 0.0], [-3.0, 5.0]]
    both = turn_advantages(rewards, anchors, gamma=1.0, step_weight=0.5, scale=False)
    episode = normalize([3.0, 1.0, 2.0], scale=False)
    steps = step_advantages(anchors, [discounted(r, 1.0) for r in rewards], scale=False)
    for e in range(3):
        assert both[e] == pytest.approx([episode[e] + 0.5 * s for s in steps[e]])
    assert answer_advantages([1.0, None, 0.0], scale=False) == [0.5, None, -0.5]


# ---- grounding -------------------------------------------------------------------------------------
def test_box_is_optional_in_the_compact_format():
    fmt = make_format("compact")
    names = ["find a Apple", "pick up the Apple"]
    plain = "<think>see it</think><action>pick up the Apple</action>"
    boxed = plain + "<box>[10, 20, 30, 60]</box>"
    assert fmt.parse(plain, names) == fmt.parse(boxed, names) and fmt.parse(boxed, names).actions == (1,)
    assert action_box(boxed) == [10, 20, 30, 60] and action_box(plain) is None
    assert action_box(plain + "<box>[30, 20, 10, 60]</box>") is None  # x1 < x0: not a box
    assert action_box(plain + "<box>near the top</box>") is None
    assert turn_format(plain) == 1.0 and turn_format(boxed) == 1.0 and turn_format("pick up the Apple") == 0.0
    assert grounding_reward(boxed, [10, 20, 30, 60]) == 1.0
    assert grounding_reward(boxed, [20, 20, 40, 60]) == pytest.approx(400 / 1200)  # 20x40 overlap, union 3x
    assert grounding_reward(plain, [10, 20, 30, 60]) == 0.0 and grounding_reward(boxed, None) == 0.0


def test_box_hint_only_when_asked():
    from agent.policy import PolicyInput

    inp = PolicyInput(0, 0, 0, "do it", None, ["find a Apple"], (), "", None, 5, {})
    system = lambda f: f.build(inp).messages[0]["content"][0]["text"]  # noqa: E731
    assert "<box>" in system(make_format("compact", box=True)) and "<box>" not in system(make_format("compact"))


# ---- video-QA --------------------------------------------------------------------------------------
def test_video_qa_question_about_the_own_episode_and_its_reward():
    from synth.episodes import expert_episodes

    ep = next(expert_episodes(1, seed=4, subsets=("base",), resolution=112))
    q = episode_question(ep, seed=0, families=("state_change", "counting"), frames_min=2, frames_max=4,
                         with_keyframes=True)
    assert q is not None and q.answer in "ABCDE" and 2 <= len(q.prompt.images) <= 4
    assert sum(c.get("type") == "image" for c in q.prompt.messages[0]["content"]) == len(q.prompt.images)
    keys = ", ".join(map(str, q.keyframes))
    right = f"<think>I saw it</think><answer>{q.answer}</answer><keyframes>{keys}</keyframes>"
    wrong_letter = next(x for x in "ABCDE" if x != q.answer)
    wrong = f"<think>I saw it</think><answer>{wrong_letter}</answer><keyframes>{keys}</keyframes>"
    assert answer_reward(right, q, keyframe_weight=0.5) == (1.5, 1.0, 1.0)
    assert answer_reward(wrong, q, keyframe_weight=0.5) == (0.0, 0.0, 0.0)  # keyframes gated by the answer



def test_default_answer_budget_fits_the_gold_answer_with_its_keyframes(tiny_model):
    """The reply SFT teaches for a video-QA question must fit qa.max_new_tokens, or the <keyframes>
    block is cut off and the keyframe reward is 0 for every answer (it was, at 32 tokens)."""
    from transformers import AutoTokenizer

    from synth.episodes import expert_episodes
    from synth.videoqa import episode_questions, gold_reply

    cfg = OmegaConf.load(Path(__file__).parents[2] / "train" / "conf" / "grpo_online.yaml")
    tok = AutoTokenizer.from_pretrained(tiny_model)
    rows = [r for ep in expert_episodes(6, seed=11, subsets=("base",), resolution=64)
            for r in episode_questions(ep, seed=0, frames_min=cfg.qa.frames_min, frames_max=cfg.qa.frames_max)]
    assert rows
    longest = max(len(tok(gold_reply(r))["input_ids"]) for r in rows)
    assert longest + 2 <= cfg.qa.max_new_tokens  # and room for the end-of-turn tokens

# ---- curriculum ------------------------------------------------------------------------------------
def test_curriculum_reselects_when_probes_stagnate():
    assert variance_state([1.0, 1.0]) == 0.0 and variance_state([0.0, 2.0]) == 1.0
    assert stagnation({"1": 0.0, "2": 1.0}, {"1": 0.0, "2": 0.5}) == 0.5
    played = []

    def returns_of(seeds):  # probe tasks never change; fresh even seeds disagree within their group
        played.append(list(seeds))
        return {s: ([0.0, 1.0] if s >= 100 and s % 2 == 0 else [0.0, 0.0]) for s in seeds}

    c = Curriculum(pool=[1, 2, 3, 4], probe=[1, 2], every=2, threshold=0.6, candidates=4, next_seed=100)
    assert c.update(1, returns_of) is None
    assert c.update(2, returns_of) == {"iteration": 2, "stagnation": None, "reselected": 0}
    event = c.update(4, returns_of)
    assert event["stagnation"] == 1.0 and event["reselected"] == 2
    assert c.pool == [3, 4, 100, 102] and played[-1] == [100, 101, 102, 103]


# ---- (4) kill and resume ---------------------------------------------------------------------------
class Killed(Exception):
    pass


def test_killed_run_resumes_without_losing_or_repeating_a_group(tiny_model, tmp_path):
    from train.grpo_online import schedule, train
    from train.online import checkpoint

    out = tmp_path / "run"
    overrides = [f"init={tiny_model}", f"out={out}", "iterations=4", "save_every=2", "progress=false",
                 "tasks.per_iteration=2", "tasks.group_size=2", "tasks.pool_size=6", "env.max_steps=2",
                 "env.max_invalid=2", "generation.max_new_tokens=8", "qa.max_new_tokens=8", "eval.every=0",
                 "advantage.mode=gigpo", "train.beta=0.05", "train.epochs=1"]
    cfg = OmegaConf.merge(OmegaConf.load(CONF), OmegaConf.from_dotlist(overrides))

    def kill_after_third(it):
        if it == 3:  # iteration 3 is trained and logged, but its checkpoint (at 4) never comes
            raise Killed

    with pytest.raises(Killed):
        train(cfg, after_iteration=kill_after_third)
    path, state = checkpoint.latest(out)
    assert path.name == "iter-2" and state["iteration"] == 2 and len(state["committed_groups"]) == 4
    # resume through the CLI, as a user would rerun the same command
    r = subprocess.run([sys.executable, "-m", "train.grpo_online", *overrides], cwd=ROOT, capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "resuming from" in r.stdout and "iteration 2" in r.stdout
    _, state = checkpoint.latest(out)
    expected = [f"{it}:{s}" for it in range(1, 5) for s in schedule(list(range(6)), 2, 0, it)]
    assert state["committed_groups"] == expected  # every group once, in schedule order
    lines = (out / "metrics.csv").read_text().splitlines()
    assert [ln.split(",")[0] for ln in lines[1:]] == ["1", "2", "3", "4"]
    run = (out / "run.json").read_text()
    assert '"eval_floorplans"' in run and (out / "reward_curve.png").stat().st_size > 0
    assert json.loads(run)["packages"]["torch"].startswith(torch.__version__.split("+")[0])


def test_video_qa_answer_is_trained_with_its_own_advantage(tiny_model):
    from types import SimpleNamespace

    from synth.episodes import expert_episodes
    from train.grpo_online import assign_advantages
    from train.online.collect import Group, Rollout, ask_questions

    model, processor = load_model(tiny_model, dtype="float32")
    policy = SamplingPolicy(Generator(model, processor, Sampling(8, 1.0)), make_format("compact"), seed=0)
    eps = list(expert_episodes(2, seed=4, subsets=("base",), resolution=112))
    traces = {k: SimpleNamespace(data=ep) for k, ep in enumerate(eps)}  # what the rollout loop's recorder keeps
    group = Group("1:4", 4, [Rollout(k, ep.episode, [], {}) for k, ep in enumerate(eps)])
    qa = {"families": ["state_change", "counting"], "frames_min": 2, "frames_max": 3, "keyframe_weight": 0.5,
          "max_new_tokens": 8, "temperature": 1.0}
    ask_questions([group], traces, policy, group_size=2, iteration=1, qa=qa)
    scorer = SequenceScorer(processor, 1.0)
    for r in group.rollouts:
        a = r.answer
        assert a.kind == "qa" and 2 <= len(a.images) <= 3 and r.answer_parts["family"] in qa["families"]
        assert a.prompt_ids.count(processor.image_token_id) == 16 * len(a.images)  # the episode's own frames
        if scorer.scorable(a):
            with torch.no_grad():
                assert torch.allclose(scorer.logprobs(model, a), torch.tensor(a.logprobs), atol=1e-4)
    group.rollouts[0].answer.reward, group.rollouts[1].answer.reward = 1.5, 0.0
    assign_advantages([group], OmegaConf.create({"mode": "grpo", "step_weight": 0.0, "gamma": 1.0, "scale": True}))
    assert [r.answer.advantage for r in group.rollouts] == pytest.approx([1.0, -1.0], abs=1e-5)


def test_video_qa_answers_are_sampled_at_the_temperature_the_loss_recomputes():
    from train.grpo_online import qa_options

    cfg = OmegaConf.load(CONF)
    cfg.generation.temperature = 0.7
    assert qa_options(cfg)["temperature"] == 0.7 and qa_options(cfg)["max_new_tokens"] == cfg.qa.max_new_tokens
    cfg.qa.enabled = False
    assert qa_options(cfg) is None


def scored(steps, n_turns, reply, target=None, empty=0):
    """``score_turns`` on a hand-made episode: ``n_turns`` turns of the same ``reply``, its env
    ``steps``, every step acting on ``target`` (an interaction record, or None)."""
    from types import SimpleNamespace

    import numpy as np

    from agent.records import Episode
    from train.online.collect import _Trace, score_turns

    t = _Trace()
    t.data.frames = [np.zeros((4, 4, 3), np.uint8)] * (n_turns + 1)
    t.data.interactions = [target] * (n_turns + 1)
    gen = SimpleNamespace(prompt_ids=[1], completion_ids=[2], logprobs=[0.0])
    t.turns = [(SimpleNamespace(text=reply, tokens=gen), [], 0)] * n_turns
    t.data.episode = Episode(0, 0, {}, {}, "qwen", "compact", steps, {"task_success": 0.0, "empty_plan": empty})
    return score_turns(t, RewardWeights())


def test_quitting_with_an_empty_plan_costs_more_than_a_failed_try():
    """Without a cost, an empty plan (which ends the episode with no invalid action) beats trying:
    a run without it learned to quit after two turns."""
    from agent.records import StepRecord

    reply = "<think>x</think><action>find a Apple</action>"
    failed = [StepRecord(1, 1, 5, "find a Apple", False, "failed", 0.0, 0.0, "")]
    quit_turns, quit_parts = scored([], 1, reply, empty=1)
    try_turns, _ = scored(failed, 1, reply)
    assert quit_parts["empty_plan"] == 1.0
    assert sum(t.reward for t in quit_turns) < sum(t.reward for t in try_turns)


def test_shaping_rewards_do_not_pay_for_longer_episodes():
    """Format and grounding are paid per episode: a run that summed them per turn learned to fill its
    30-step budget with well-formed invalid turns. More of the same failing turn must cost more."""
    from agent.records import StepRecord

    reply = "<think>x</think><action>put down the object in hand</action><box>[0,0,4,4]</box>"

    def episode_return(n):
        steps = [StepRecord(k + 1, k + 1, 7, "put down the object in hand", False, "failed", 0.0, 0.0, "")
                 for k in range(n)]
        turns, parts = scored(steps, n, reply, target={"box_before": (0, 0, 4, 4)})
        assert parts["format"] == 1.0 and parts["grounding"] == 1.0  # the log still shows per-turn rates
        return sum(x.reward for x in turns)

    returns = [episode_return(n) for n in (2, 5, 10, 30)]
    assert all(a > b for a, b in zip(returns, returns[1:]))
    w = RewardWeights()
    assert returns[0] == pytest.approx(2 * w.invalid + w.format + w.grounding)


@pytest.mark.slow
def test_groups_collected_from_envs_in_ray_actors_equal_local_ones(tiny_model):
    pytest.importorskip("ray", reason="backend=ray needs the ray extra")
    import ray

    from agent.backends import RayOptions, remote_envs

    model, processor = load_model(tiny_model, dtype="float32")
    fmt = make_format("compact")
    loop = LoopConfig(max_steps=2, max_invalid=2)
    kwargs = {"resolution": 112, "annotations": True, "max_steps": 2, "max_invalid": 2}

    def collect(envs, threads):
        policy = SamplingPolicy(Generator(model, processor, Sampling(8, 1.0)), fmt, seed=0, batch_size=8)
        groups = collect_groups(envs, policy, fmt, [2], 2, loop, RewardWeights(), 1, threads=threads)
        return [([t.completion_ids for t in r.turns], r.parts) for r in groups[0].rollouts]

    local = collect([gym.make("envs:EgoHousehold-v0", **kwargs) for _ in range(2)], 0)
    try:
        remote = collect(remote_envs(RayOptions(), {"id": "envs:EgoHousehold-v0", "kwargs": kwargs}, 2), 2)
    finally:
        ray.shutdown()
    assert remote == local
