"""Guided members of branch groups (``branch.guide``): continuations played by the simulator's planner.

Why: half of the SFT model's held-out failures (52 of 103) begin with a pick-up that fails with
"X is not visible because it is in Drawer_5. Go there to pick the object instead." The way out is
written in that feedback, yet in none of the 69 episodes that read it did the next reply name the
container, and GRPO branch groups rarely sample one (2-14% of branch episodes succeed): a recovery
the policy never samples is one no group can reward.

A guided member is one more episode of a branch group, from the same replayed state, in which the
privileged planner acts (``agent.policies.expert``; its replies worded as the SFT data word them,
``<box>`` included). It enters the group like any member: its return is normalised with the sampled
members' returns, so it is reinforced when it does better than they do and not otherwise. Its turns
were not sampled from the policy, so they carry no sampling log-probs: the first pass's log-probs
stand in (ratio 1), and the update is the advantage times the gradient of their log-likelihood, as
in LUFFY's off-policy guidance (Yan et al., 2025). Only branch groups are guided: from a state after a
failure the planner's next steps are mostly what the feedback says, where from the initial state
they would use what the frame cannot show (which drawer holds the object).
"""

from __future__ import annotations

from agent.models.generate import Generation, Generator
from agent.policies.expert import ExpertPolicy
from agent.policy import Decision, PolicyInput
from synth.thoughts import NARRATORS


class GuidePolicy:
    """The planner as a policy whose decisions carry the prompt's token ids (for the loss); the reply's
    tokens are written after the episode, when the target's box is known (``complete_turns``)."""

    name = "guide"

    def __init__(self, generator: Generator, prompt_format, thoughts: str = "brief", box: bool = True):
        if thoughts not in NARRATORS:
            raise ValueError(f"branch.guide_thoughts must be one of {sorted(NARRATORS)}, got {thoughts!r}")
        self.generator, self.box = generator, box
        self.expert = ExpertPolicy(prompt_format, narrator=NARRATORS[thoughts])

    def act(self, inputs: list[PolicyInput]) -> list[Decision]:
        batch = self.generator.encode([i.prompt for i in inputs])  # left-padded: keep each row's real tokens
        out = []
        for k, d in enumerate(self.expert.act(inputs)):
            ids = batch["input_ids"][k][batch["attention_mask"][k].bool()].tolist()
            out.append(Decision(d.text, d.plan, Generation(d.text, ids, [], [], ids.count(self.generator.image_token))))
        return out

    def complete(self, trace, skip: int) -> None:
        """``complete_turns`` with this policy's tokenizer: ``collect_groups``'s ``complete`` hook."""
        complete_turns(trace, skip, self.generator.tokenizer, self.generator.eos, self.box)


def complete_turns(trace, skip: int, tokenizer, eos: int, box: bool = True) -> None:
    """Give each guided turn after the first ``skip`` its reply as the SFT data write it (with the box of
    the object its action acted on, in the frame it saw, when in view) and that reply's token ids."""
    for k, (d, images, frame) in enumerate(trace.turns):
        if k < skip or d.tokens is None:
            continue
        text = d.text
        region = trace.data.interactions[frame + 1] if frame + 1 < len(trace.data.interactions) else None
        if box and region and region.get("box_before") is not None:
            text += "<box>[" + ",".join(map(str, region["box_before"])) + "]</box>"
        ids = tokenizer(text, add_special_tokens=False)["input_ids"] + [eos]
        g = d.tokens
        trace.turns[k] = (Decision(text, d.plan, Generation(text, g.prompt_ids, ids, [], g.image_tokens)), images, frame)


def add_guided(branch: list, guided: list) -> None:
    """Append each guided group's members to the branch group of the same seed, numbered after its own."""
    for g, h in zip(branch, guided, strict=True):
        if g.seed != h.seed:
            raise AssertionError(f"guided group {h.id} does not match branch group {g.id}")
        for r in h.rollouts:
            r.member += len(g.rollouts)
            r.guided = True
        g.rollouts += h.rollouts


def demonstrations(groups) -> list:
    """The turns of one guided member that succeeded per branch group, for ``branch.imitate_lr``. The
    planner is deterministic, so a group's guided members are copies of one another: one is enough."""
    out = []
    for g in groups:
        r = next((r for r in g.rollouts if r.guided and r.parts["success"] > 0), None)
        if r is not None:
            out += r.turns
    return out
