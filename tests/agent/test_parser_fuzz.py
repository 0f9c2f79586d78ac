"""Acceptance: >= 10,000 generated replies per prompt format, fed through the real rollout loop on the
real env: no exception escapes, every bad reply becomes an invalid step with feedback (and counts as
a planner_output_error), every good or repairable one runs the action it names."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.loop import LoopConfig, run_episodes
from agent.policy import TextPolicy
from agent.prompts import make_format
from envs.household.vocab import GLOBAL_ACTIONS
from tests.agent.conftest import make_env

N_GLOBAL = len(GLOBAL_ACTIONS)
BATCH, EXAMPLES = 40, 250  # 10,000 replies per format
ids = st.integers(0, N_GLOBAL - 1)
junk = st.text(max_size=300)


def eb_reply(actions, names=None, **extra):
    plan = [{"action_id": a, "action_name": (names or GLOBAL_ACTIONS)[a]} for a in actions]
    return json.dumps({"visual_state_description": extra.get("visual", "a kitchen"),
                       "reasoning_and_reflection": extra.get("thought", "go"), "language_plan": "plan",
                       "executable_plan": plan}, ensure_ascii=False)


def variant(name: str, k: int) -> str:
    """A way of writing an action name that a reader would still understand."""
    words = name.split()
    return [name.upper(), name.lower(), name.replace(" a ", " the "), name.replace(" the ", " a "),
            " ".join(w for w in words if w not in ("a", "the")), f"  {name}.  "][k % 6]


@st.composite
def eb_replies(draw):
    kind = draw(st.sampled_from(["valid", "fence", "single", "comma", "prose", "variant", "mismatch", "unicode",
                                 "truncated", "shape", "bad_id", "garbage", "huge", "empty"]))
    acts = draw(st.lists(ids, min_size=1, max_size=3))
    good = eb_reply(acts)
    if kind == "valid":
        return good, "ok", acts[0]
    if kind == "fence":
        return f"```json\n{good}\n```", "ok", acts[0]
    if kind == "single":
        return repr(json.loads(good)), "ok", acts[0]
    if kind == "comma":
        return good.replace("}]", "},]").replace('"}', '",}', 1), "ok", acts[0]
    if kind == "prose":
        return f"{draw(junk.filter(lambda t: '{' not in t and '[' not in t))} {good} thanks", "ok", acts[0]
    if kind == "variant":
        k = draw(st.integers(0, 5))
        return good.replace(json.dumps(GLOBAL_ACTIONS[acts[0]]), json.dumps(variant(GLOBAL_ACTIONS[acts[0]], k)), 1), \
            "ok", acts[0]
    if kind == "mismatch":  # the name is right, the id is not: the name wins
        wrong = (acts[0] + draw(st.integers(1, N_GLOBAL - 1))) % N_GLOBAL
        return good.replace(f'"action_id": {acts[0]},', f'"action_id": {wrong},', 1), "ok", acts[0]
    if kind == "unicode":
        return eb_reply(acts, thought=draw(st.text(max_size=200))), "ok", acts[0]
    if kind == "truncated":
        return good[:draw(st.integers(0, len(good) - 2))], "bad", None
    if kind == "shape":
        return draw(st.sampled_from(['{"plan": [1]}', '{"executable_plan": 3}', '"find a Apple"', "42", "null",
                                    '{"executable_plan": {"action_id": 1}}', "true"])), "bad", None
    if kind == "bad_id":
        aid = draw(st.one_of(st.integers(N_GLOBAL + 200, 10**9), st.integers(-10**6, -1)))
        return json.dumps({"executable_plan": [{"action_id": aid, "action_name": "teleport to mars"}]}), "bad", None
    if kind == "garbage":
        return draw(junk.filter(lambda t: "{" not in t and "[" not in t)), "bad", None
    if kind == "huge":
        return draw(st.sampled_from(["x", "{", "[", "{\"a\": "])) * 250_000, "bad", None
    return json.dumps({"executable_plan": []}), "empty", None


@st.composite
def compact_replies(draw):
    kind = draw(st.sampled_from(["valid", "variant", "no_think", "unicode", "untagged", "unclosed", "unknown",
                                 "garbage", "huge", "empty"]))
    a = draw(ids)
    name = GLOBAL_ACTIONS[a]
    if kind == "valid":
        return f"<think>{draw(junk.filter(lambda t: '<' not in t))}</think><action>{name}</action>", "ok", a
    if kind == "variant":
        return f"<think>ok</think><ACTION>{variant(name, draw(st.integers(0, 5)))}</ACTION>", "ok", a
    if kind == "no_think":
        return f"<action>{name}</action>", "ok", a
    if kind == "unicode":
        return f"<think>{draw(st.text(max_size=200).filter(lambda t: '<' not in t))}</think><action>{name}</action>", \
            "ok", a
    if kind == "untagged":
        return f"I will {name}.", "bad", None
    if kind == "unclosed":
        return f"<think>hm</think><action>{name[:draw(st.integers(0, len(name)))]}", "bad", None
    if kind == "unknown":
        unknown = draw(st.sampled_from(["fly to the moon", "dance", "42", "find a Unicorn"]))
        return f"<think>x</think><action>{unknown}</action>", "bad", None
    if kind == "garbage":
        return draw(junk.filter(lambda t: "<action>" not in t.lower())), "bad", None
    if kind == "huge":
        return "<think>" + "y" * 250_000 + f"</think><action>{name}</action>", "bad", None
    return "<think>done</think><action></action>", "empty", None


class Feed(TextPolicy):
    """Replies from a list, one per turn, batched like a model; then empty plans to end the episodes."""

    name = "feed"

    def __init__(self, prompt_format, replies):
        super().__init__(prompt_format)
        self.replies, self.sent = list(replies), []

    def generate(self, inputs):
        out = []
        for inp in inputs:
            if self.replies:
                text, kind, expected = self.replies.pop(0)
                self.sent.append((inp.episode_seed, inp.turn + 1, kind, expected))
                out.append(text)
            else:
                out.append(self.format.render([], inp.action_names, "stop"))
        return out


def check(episodes, sent):
    by_seed = {e.seed: e for e in episodes}
    for seed, turn, kind, expected in sent:
        ep = by_seed[seed]
        steps = [s for s in ep.steps if s.turn == turn]
        if kind == "bad":
            assert len(steps) == 1 and steps[0].action_id is None and not steps[0].valid
            assert steps[0].feedback.startswith("Last action is invalid.") and len(steps[0].feedback) > 40
        elif kind == "ok":
            assert steps and steps[0].action_id == expected, (steps[:1], expected)
        else:
            assert not steps and ep.metrics["empty_plan"] == 1
    for ep in episodes:
        bad = sum(1 for s, _, k, _ in sent if s == ep.seed and k == "bad")
        assert ep.metrics["planner_output_error"] == bad
        assert ep.metrics["num_invalid_actions"] <= 10


@pytest.mark.slow
@pytest.mark.parametrize("prompt,replies", [("eb", eb_replies()), ("compact", compact_replies())])
def test_ten_thousand_replies_through_the_loop(prompt, replies):
    fmt = make_format(prompt)
    envs = [make_env() for _ in range(4)]
    fed = []

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(st.lists(replies, min_size=BATCH, max_size=BATCH), st.integers(0, 10**6))
    def run(batch, seed):
        policy = Feed(fmt, batch)
        jobs = ((k, seed + k) for k in range(BATCH) if policy.replies)
        episodes = run_episodes(envs, policy, fmt, jobs, LoopConfig(policy_name="feed"))
        assert not policy.replies  # every reply was used
        check(episodes, policy.sent)
        fed.append(len(batch))

    run()
    assert sum(fed) >= 10_000
