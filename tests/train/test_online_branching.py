"""Branch groups (``train/online/branching.py``): G episodes restarted where a failed episode made its
first invalid action. The replay must rebuild that state exactly, only the turns after it train, and
a run with branch groups commits them once each."""

from pathlib import Path
from types import SimpleNamespace

import gymnasium as gym
import pytest
from omegaconf import OmegaConf

from agent.loop import LoopConfig
from agent.models.generate import Generator, Sampling
from agent.models.load import load_model
from agent.prompts import make_format
from train.online.branching import branch_points, greedy_branch_points
from train.online.collect import RewardWeights, SamplingPolicy, collect_groups

CONF = Path(__file__).resolve().parents[2] / "train" / "conf" / "grpo_online.yaml"


def _episode(outputs_valid: list[tuple[str, bool]], success: bool):
    steps = [SimpleNamespace(turn=k, output=text, valid=ok) for k, (text, ok) in enumerate(outputs_valid, start=1)]
    return SimpleNamespace(steps=steps, metrics={"planner_steps": len(steps), "task_success": float(success)})


def _group(seed: int, episodes: list) -> SimpleNamespace:
    rollouts = [SimpleNamespace(episode=ep, parts={"success": float(ok)}) for ep, ok in episodes]
    return SimpleNamespace(seed=seed, id=f"1:{seed}", rollouts=rollouts)


def test_branch_points_start_at_the_first_invalid_action_of_a_failed_episode():
    failed = _episode([("a", True), ("b", False), ("c", False), ("d", False)], False)
    won = _episode([("a", True), ("x", False), ("y", True)], True)
    ended_there = _episode([("a", True), ("b", False)], False)  # nothing after its invalid turn
    clean_fail = _episode([("a", True), ("b", True)], False)  # ran out of steps, never invalid
    at_start = _episode([("z", False), ("w", False)], False)

    groups = [_group(1, [(failed, False), (won, True)]), _group(2, [(ended_there, False), (clean_fail, False)]),
              _group(3, [(at_start, False)])]
    after = branch_points(groups, n=5, at="after", seed=0)
    assert {p.seed: p.prefix for p in after} == {1: ("a", "b"), 3: ("z",)}  # the failure's feedback is seen
    before = branch_points(groups, n=5, at="before", seed=0)
    # at the mistake itself; never the initial state, which the task group already plays
    assert {p.seed: p.prefix for p in before} == {1: ("a",), 2: ("a",)}
    assert len(branch_points(groups, n=1, at="after", seed=0)) == 1
    assert branch_points(groups, n=5, at="after", seed=7) == branch_points(groups, n=5, at="after", seed=7)


def test_greedy_branch_points_come_from_the_greedy_episodes_that_failed():
    failed = _episode([("a", True), ("b", False), ("c", True)], False)
    won = _episode([("a", True), ("x", False), ("y", True)], True)  # won after a mistake: nothing to fix
    clean_fail = _episode([("a", True), ("b", True)], False)
    points = greedy_branch_points([failed, won, clean_fail], [11, 12, 13], iteration=4, n=3, at="before", seed=0)
    assert [(p.seed, p.prefix, p.source) for p in points] == [(11, ("a",), "4:11:greedy")]
    after = greedy_branch_points([failed, won, clean_fail], [11, 12, 13], iteration=4, n=3, at="after", seed=0)
    assert [(p.seed, p.prefix) for p in after] == [(11, ("a", "b"))]


def test_branch_group_replays_the_prefix_exactly_and_trains_only_what_follows(tiny_model):
    model, processor = load_model(tiny_model, dtype="float32")
    fmt = make_format("bare")
    policy = SamplingPolicy(Generator(model, processor, Sampling(8, 1.0)), fmt, seed=0, batch_size=8)
    kw = dict(resolution=112, annotations=True, max_steps=4, max_invalid=4)
    seed = 5
    probe = gym.make("envs:EgoHousehold-v0", **kw)
    _, info = probe.reset(seed=seed)
    target = info["task"]["object_target"]
    find = info["action_names"].index(f"find a {target}")
    pick = next(i for i, n in enumerate(info["action_names"]) if n.startswith("pick up the") and target not in n)
    prefix = (f"<think>go</think><action>find a {target}</action>", "no reply here",
              f"<think>take</think><action>{info['action_names'][pick]}</action>")
    # the same three turns straight on the env: a step, an unreadable reply (no step), a failed pick-up
    expected = [probe.step(find), probe.step(pick)]  # (obs, reward, terminated, truncated, info)
    assert expected[0][4]["last_action_success"] and not expected[1][4]["last_action_success"]

    envs = [gym.make("envs:EgoHousehold-v0", **kw) for _ in range(2)]
    (group,) = collect_groups(envs, policy, fmt, [seed], 2, LoopConfig(max_steps=4, max_invalid=4), RewardWeights(),
                              iteration=3, prefixes={seed: prefix})
    assert group.id == f"3:{seed}:b3" and group.prefix == prefix
    for r in group.rollouts:
        steps = r.episode.steps
        assert [s.output for s in steps[:3]] == list(prefix)
        assert [s.valid for s in steps[:3]] == [True, False, False]
        assert (steps[0].action_id, steps[2].action_id) == (find, pick)
        assert [steps[0].feedback, steps[2].feedback] == [e[0]["feedback"] for e in expected]
        assert steps[2].progress == expected[1][4]["task_progress"]
        # the random model's replies after the prefix are what trains; the prefix is neither trained nor paid
        assert len(r.turns) == r.episode.metrics["planner_steps"] - 3 >= 1
        assert [processor.tokenizer.decode(t.completion_ids, skip_special_tokens=True) for t in r.turns] == \
            [s.output for s in steps[3:]]
        first = processor.tokenizer.decode(r.turns[0].prompt_ids)
        assert f"find a {target}" in first  # the history of the replayed turns is in its prompt
        assert r.parts["invalid"] == sum(not s.valid for s in steps[3:])


@pytest.mark.parametrize("source", ["sampled", "greedy"])
def test_a_run_with_branch_groups_commits_them_once_each(tiny_model, tmp_path, source):
    from train.grpo_online import train
    from train.online import checkpoint

    out = tmp_path / "run"
    overrides = [f"init={tiny_model}", f"out={out}", "iterations=2", "save_every=1", "progress=false",
                 "tasks.per_iteration=2", "tasks.group_size=2", "tasks.pool_size=4", "env.max_steps=3",
                 "env.max_invalid=3", "generation.max_new_tokens=8", "qa.enabled=false", "eval.every=0",
                 "train.epochs=1", "branch.per_iteration=1", f"branch.source={source}"]
    cfg = OmegaConf.merge(OmegaConf.load(CONF), OmegaConf.from_dotlist(overrides))
    train(cfg)
    _, state = checkpoint.latest(out)
    ids = state["committed_groups"]
    # the random model's replies are unreadable, so every episode fails at turn 1 and goes on after it
    assert len(ids) == 6 and len(set(ids)) == 6 and sum(":b1" in i for i in ids) == 2
    rows = (out / "metrics.csv").read_text().splitlines()
    header = rows[0].split(",")
    assert [r.split(",")[header.index("branch_groups")] for r in rows[1:]] == ["1", "1"]
    # greedy: the random model fails its greedy episodes too, and their success is logged
    assert [r.split(",")[header.index("greedy_success")] for r in rows[1:]] == \
        (["0.0", "0.0"] if source == "greedy" else ["", ""])
