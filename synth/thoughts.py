"""Template thoughts tied to the true state, for the expert's replies: what I see (the frame's
visible objects), what I hold (from my own successful actions), how much of the goal remains, why
the last action failed, and what I do next. Plugs into ``ExpertPolicy(narrator=...)``."""

from __future__ import annotations

from agent.policy import PolicyInput

MOST_SEEN = 6


def holding(inp: PolicyInput) -> str | None:
    """What is in hand, read off my successful actions (EB skills: pick up fills the hand; put
    down and drop empty it)."""
    held = None
    for h in inp.history:
        if not h.valid:
            continue
        if h.action.startswith("pick up the "):
            held = h.action.removeprefix("pick up the ")
        elif h.action in ("put down the object in hand", "drop the object in hand"):
            held = None
    return held


def seen(inp: PolicyInput) -> str:
    frame = inp.info.get("frame")
    objects = sorted(frame.objects, key=lambda o: -o["pixels"])[:MOST_SEEN] if frame is not None else []
    if not objects:
        return "I see nothing I can use from here."
    names = [o["name"] for o in objects]
    return "I see " + (", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]) + "."


def narrate(inp: PolicyInput, action: int) -> tuple[str, str]:
    """``(visual_state, thought)`` for the expert choosing ``action`` at this turn."""
    name = inp.action_names[action]
    held = holding(inp)
    met, total = inp.info.get("goal_conditions_met", (0, 1))
    parts = []
    if inp.history and not inp.history[-1].valid:
        last = inp.history[-1]
        parts.append(f"My last action, {last.action}, failed: {last.feedback.removeprefix('Last action is invalid. ')}")
        parts.append("I must try something else.")
    elif not inp.history:
        parts.append(f"My task: {inp.instruction}")
    parts.append(f"I am holding the {held}." if held else "My hands are empty.")
    parts.append(f"{total - met} of {total} goal conditions remain." if met < total else "The goal is reached.")
    if action != inp.info.get("expert_action"):
        parts.append(f"Let me check {name.removeprefix('find a ')} first." if name.startswith("find ")
                     else f"Let me try to {name}.")
    else:
        parts.append(f"Next I will {name}.")
    return seen(inp), " ".join(parts)


def narrate_brief(inp: PolicyInput, action: int) -> tuple[str, str]:
    """Only the step: for small models, whose capacity should go to choosing the action."""
    return "", f"Next I will {inp.action_names[action]}."


def narrate_echo(inp: PolicyInput, action: int) -> tuple[str, str]:
    """As brief, but after a failed action it first repeats the feedback's first sentence ("It
    failed: ButterKnife is not visible because it is in Drawer_5."): a small model should learn to
    copy a whole span sooner than to pick one name out of the prompt, and the action then copies the
    name from its own words."""
    visual, step = narrate_brief(inp, action)
    if inp.history and not inp.history[-1].valid:
        said = inp.history[-1].feedback.removeprefix("Last action is invalid. ").split(". ")[0].rstrip(".")
        return visual, f"It failed: {said}. {step}"
    return visual, step


NARRATORS = {"full": narrate, "brief": narrate_brief, "echo": narrate_echo}
