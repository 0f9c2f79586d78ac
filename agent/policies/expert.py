"""The privileged expert: it reads the simulator's planner (``info["expert_action"]``) and says so
in the prompt format's words. With ``mistake_prob`` > 0 it sometimes takes a seeded wrong turn
(finds the wrong thing, or tries an action that fails) and then recovers, because the planner plans
again from wherever it ends up: the data then shows failure, feedback and reflection. With
``probe_prob`` > 0 it sometimes acts as an agent that cannot see into containers must: where the
planner would open the container holding the object it just found, it first tries to pick the object
up, and the feedback names the container it then opens."""

from __future__ import annotations

import numpy as np

from agent.policy import Decision, Plan, PolicyInput


class ExpertPolicy:
    name = "expert"
    privileged = True

    def __init__(self, prompt_format, seed: int = 0, mistake_prob: float = 0.0, max_mistakes: int = 2,
                 narrator=None, probe_prob: float = 0.0):
        """``narrator(inp, action) -> (visual_state, thought)`` writes the reply's words (synthesis
        plugs in richer ones); the default says what is in view and what comes next."""
        if not 0.0 <= mistake_prob <= 1.0:
            raise ValueError(f"mistake_prob must be in [0, 1], got {mistake_prob}")
        if not 0.0 <= probe_prob <= 1.0:
            raise ValueError(f"probe_prob must be in [0, 1], got {probe_prob}")
        self.format, self.seed = prompt_format, seed
        self.mistake_prob, self.max_mistakes = mistake_prob, max_mistakes
        self.probe_prob = probe_prob
        self.probed: set[tuple[int, int]] = set()  # (episode_seed, turn) of each probe, for the data's records
        self.narrator = narrator or (lambda inp, action: (_visual(inp.info), _thought(inp, action)))

    def act(self, inputs: list[PolicyInput]) -> list[Decision]:
        return [self._one(i) for i in inputs]

    def _one(self, inp: PolicyInput) -> Decision:
        if "expert_action" not in inp.info:
            raise ValueError("the expert policy reads info['expert_action']: make the env with expert=True")
        planned = inp.info["expert_action"]
        if planned is None:  # nothing left to do, or no plan from here: say so with an empty plan
            return Decision(self.format.render([], inp.action_names, "I have nothing left to do."), Plan(empty=True))
        action = self._mistake(inp, planned)
        if action is None:
            action = self._probe(inp, planned)
        action = planned if action is None else action
        visual, thought = self.narrator(inp, action)
        text = self.format.render([action], inp.action_names, thought, visual)
        return Decision(text, Plan((action,)))

    def _rng(self, episode_seed: int, turn: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, episode_seed, turn])

    def _mistake(self, inp: PolicyInput, planned: int) -> int | None:
        """A wrong action at this turn, or None. Drawn from (seed, episode, turn) alone, so parallel
        runs and reruns make the same mistakes; only early in the episode, so recovery fits."""
        if self.mistake_prob == 0.0 or inp.max_steps_left < 10:
            return None
        made = sum(self._rng(inp.episode_seed, t).random() < self.mistake_prob for t in range(inp.turn))
        rng = self._rng(inp.episode_seed, inp.turn)
        if rng.random() >= self.mistake_prob or made >= self.max_mistakes:
            return None
        names = inp.action_names
        finds = [i for i, n in enumerate(names) if n.startswith("find ") and i != planned]
        others = [i for i, n in enumerate(names) if not n.startswith("find ") and i != planned]
        pool = finds if rng.random() < 0.5 else others
        return int(pool[rng.integers(len(pool))])


    def _probe(self, inp: PolicyInput, planned: int) -> int | None:
        """The pick-up that asks where the found object is, on a seeded share of the chances."""
        if self.probe_prob == 0.0:
            return None
        pick = probe_action(inp.action_names, inp.history, planned)
        if pick is None:
            return None
        if np.random.default_rng([self.seed, inp.episode_seed, inp.turn, 1]).random() >= self.probe_prob:
            return None
        self.probed.add((inp.episode_seed, inp.turn))
        return pick


def probe_action(action_names: list[str], history, planned: int) -> int | None:
    """``pick up the X`` when the last action found X and the planner now opens another class's
    container (the one X lies in, whose instance the frame cannot name), else None."""
    opening = action_names[planned]
    if not opening.startswith("open the ") or not history or not history[-1].valid:
        return None
    found = history[-1].action
    if not found.startswith("find a "):
        return None
    cls = found.removeprefix("find a ").split("_")[0]
    if cls == opening.removeprefix("open the ").split("_")[0]:
        return None
    pick = f"pick up the {cls}"
    return action_names.index(pick) if pick in action_names else None


def _visual(info: dict, most: int = 8) -> str:
    """What the frame shows, largest first, when the env annotates frames."""
    frame = info.get("frame")
    if frame is None:
        return ""
    seen = sorted(frame.objects, key=lambda o: -o["pixels"])[:most]
    return ("I see " + ", ".join(o["name"] for o in seen) + ".") if seen else "I see no object of interest."


def _thought(inp: PolicyInput, action: int) -> str:
    name = inp.action_names[action]
    if inp.history and not inp.history[-1].valid:
        last = inp.history[-1]
        return f"My last action, {last.action}, did not work: {last.feedback} Next I will {name}."
    if not inp.history:
        return f"The task is: {inp.instruction} First I will {name}."
    return f"Next I will {name}."
