"""The rollout loop's rules (EmbodiedBench's): plans run until the first failure, unreadable replies
cost an invalid action but no env step, empty plans end the episode, invalid actions are capped,
and the order episodes run in changes nothing."""

from agent.loop import LoopConfig, run_episodes
from agent.policies import make_policy
from agent.policy import TextPolicy
from agent.prompts import make_format
from tests.agent.conftest import make_env


class Script(TextPolicy):
    """Replies written per turn by a function of the policy input."""

    name = "script"

    def __init__(self, prompt_format, write):
        super().__init__(prompt_format)
        self.write, self.prompts = write, []

    def generate(self, inputs):
        self.prompts += [i.prompt for i in inputs]
        return [self.write(i) for i in inputs]


def play(policy, fmt, seeds=(0,), parallel=1, expert=True):
    envs = [make_env(expert=expert) for _ in range(parallel)]
    return sorted(run_episodes(envs, policy, fmt, list(enumerate(seeds)), LoopConfig()), key=lambda e: e.index)


def test_a_plan_runs_until_its_first_failure_then_the_model_replans():
    fmt = make_format("eb")

    def write(inp):
        if inp.turn == 0:  # the expert's first action, then one that fails with an empty hand, then another
            names = inp.action_names
            plan = [inp.info["expert_action"], names.index("put down the object in hand"), names.index("find a Apple")]
            return fmt.render(plan, names, "three at once")
        return fmt.render([], inp.action_names, "stop")

    (ep,) = play(Script(fmt, write), fmt)
    assert [s.turn for s in ep.steps] == [1, 1] and [s.valid for s in ep.steps] == [True, False]
    assert ep.metrics["num_steps"] == 2 and ep.metrics["planner_steps"] == 2 and ep.metrics["empty_plan"] == 1


def test_an_unreadable_reply_costs_an_invalid_action_and_no_step():
    fmt = make_format("compact")
    policy = Script(fmt, lambda i: "I am not sure." if i.turn == 0 else "<think>t</think><action></action>")
    (ep,) = play(policy, fmt)
    (bad,) = ep.steps
    assert bad.action_id is None and not bad.valid and bad.step == 0 and "no <action>" in bad.feedback
    assert ep.metrics["num_invalid_actions"] == ep.metrics["planner_output_error"] == 1
    assert ep.metrics["num_steps"] == 0
    assert "Last feedback: Last action is invalid." in policy.prompts[1].messages[1]["content"][1]["text"]


def test_invalid_actions_are_capped_at_ten():
    fmt = make_format("eb")
    (ep,) = play(Script(fmt, lambda i: "garbage"), fmt)
    assert len(ep.steps) == 10 and ep.metrics["num_invalid_actions"] == 10 and ep.metrics["task_success"] == 0


def test_parallel_episodes_are_the_same_episodes():
    fmt = make_format("compact")
    policy = make_policy("expert", fmt, mistake_prob=0.3)
    seeds = (3, 4, 5, 6, 7)
    one, three = play(policy, fmt, seeds), play(policy, fmt, seeds, parallel=3)
    assert [e.to_dict() | {"timing": 0} for e in one] == [e.to_dict() | {"timing": 0} for e in three]


def test_expert_mistakes_show_failure_and_reflection_and_still_succeed():
    fmt = make_format("eb")
    episodes = play(make_policy("expert", fmt, mistake_prob=0.5, seed=1), fmt, range(20))
    assert sum(e.metrics["task_success"] for e in episodes) >= 18
    failed = [s for e in episodes for s in e.steps if not s.valid]
    assert failed, "mistakes were made"
    reflections = [s.output for e in episodes for s in e.steps if "did not work" in s.output]
    assert reflections and all("reasoning_and_reflection" in r for r in reflections)


def test_the_random_baseline_rarely_succeeds():
    fmt = make_format("eb")
    episodes = play(make_policy("random", fmt), fmt, range(10), expert=False)
    assert sum(e.metrics["task_success"] for e in episodes) <= 1
    assert all(e.metrics["num_steps"] > 0 for e in episodes)
