"""The expert's pick-up before opening (``probe_prob``): the way a policy that cannot see into a
container finds out which one holds the object, shown in the SFT data."""

import pytest

from agent.policies.expert import ExpertPolicy, probe_action
from agent.policy import HistoryItem
from agent.prompts import make_format
from synth.episodes import expert_episodes
from synth.plans import deepest_level
from synth.sft_data import build_rows

NAMES = ["find a ButterKnife", "find a Drawer_5", "open the Drawer_5", "pick up the ButterKnife", "open the Fridge"]


def found(action: str, valid: bool = True) -> tuple[HistoryItem, ...]:
    return (HistoryItem(NAMES.index(action) if action in NAMES else None, action, "", valid),)


def test_a_probe_picks_up_the_object_just_found_where_the_planner_opens_its_container():
    assert probe_action(NAMES, found("find a ButterKnife"), planned=2) == 3


@pytest.mark.parametrize("history, planned", [
    (found("find a ButterKnife"), 3),         # the planner picks up: nothing to ask
    (found("find a Drawer_5"), 2),            # it walked to the container itself
    (found("find a ButterKnife", False), 2),  # the find failed
    ((), 2),                                  # first turn
])
def test_no_probe_elsewhere(history, planned):
    assert probe_action(NAMES, history, planned) is None


def test_probe_prob_is_checked():
    with pytest.raises(ValueError, match="probe_prob"):
        ExpertPolicy(make_format("bare"), probe_prob=1.5)


@pytest.fixture(scope="module")
def probed():
    return list(expert_episodes(60, 1000, ("base",), prompt="bare", probe_prob=1.0, resolution=64))


def test_each_probe_reads_the_container_it_then_opens_and_is_not_a_detour(probed):
    probes = [(ep, t) for ep in probed for t in ep.turns if t.probe]
    assert len(probes) >= 5
    for ep, turn in probes:
        steps = ep.episode.steps
        assert steps[turn.step].action.startswith("pick up the ") and not steps[turn.step].valid
        opened = steps[turn.step + 1].action.removeprefix("open the ")
        assert f"is in {opened}. Go there" in steps[turn.step].feedback
        assert not turn.mistake


def test_probes_are_seeded_and_off_by_default(probed):
    again = list(expert_episodes(60, 1000, ("base",), prompt="bare", probe_prob=1.0, resolution=64))
    assert [[s.action for s in e.episode.steps] for e in again] == [[s.action for s in e.episode.steps] for e in probed]
    plain = list(expert_episodes(20, 1000, ("base",), prompt="bare", resolution=64))
    assert not any(t.probe for ep in plain for t in ep.turns)


def test_probe_replies_are_trained_on_and_plans_start_after_them(probed):
    ep = next(e for e in probed if any(t.probe for t in e.turns))
    probes = [i for i, t in enumerate(ep.turns) if t.probe]
    assert set(probes) <= {r["turn"] for r in build_rows([ep], "step", compress=False, mistakes=False)}
    assert deepest_level(ep) == len(ep.turns) - (probes[-1] + 1)


def test_after_a_probe_the_echo_thought_repeats_where_the_object_is_then_opens_it():
    from synth.thoughts import NARRATORS
    eps = expert_episodes(60, 1000, ("base",), prompt="bare", probe_prob=1.0, resolution=64,
                          narrator=NARRATORS["echo"])
    ep = next(e for e in eps if any(t.probe for t in e.turns))
    k = next(i for i, t in enumerate(ep.turns) if t.probe)
    where = ep.episode.steps[ep.turns[k + 1].step].action.removeprefix("open the ")
    reply = ep.turns[k + 1].decision.text
    assert "It failed: " in reply and f"because it is in {where}. Next I will open the {where}." in reply
    brief = next(e for e in expert_episodes(60, 1000, ("base",), prompt="bare", probe_prob=1.0, resolution=64,
                                            narrator=NARRATORS["brief"]) if e.id == ep.id)
    assert "Next I will open the" in brief.turns[k + 1].decision.text and "failed" not in brief.turns[k + 1].decision.text


def test_rows_that_answer_a_failure_are_repeated_and_the_rest_are_not(probed):
    from synth.sft_data import follows_failure, plan_rows, with_repeats
    ep = next(e for e in probed if any(t.probe for t in e.turns))
    rows = build_rows([ep], "step", compress=False) + plan_rows(ep, 2, 29, 0)
    answers = [r for r in rows if follows_failure(ep, r["turn"])]
    assert answers and all(ep.turns[r["turn"] - 1].probe for r in answers if r["kind"] == "act")
    more = with_repeats(ep, rows, 3)
    assert len(more) == len(rows) + 3 * len(answers) and more[:len(rows)] == rows


def test_a_negative_repeat_names_the_key(tmp_path):
    import subprocess
    import sys
    r = subprocess.run([sys.executable, "-m", "synth.sft_data", f"out={tmp_path}", "n=1", "after_failure_repeat=-1"],
                       capture_output=True, text=True)
    assert r.returncode != 0 and "after_failure_repeat" in r.stderr
