"""A privileged expert for THOR: ALFRED's own high-level plan (``plan.high_pddl``), written as
EB-ALFRED skills and replayed open-loop.

The household env's expert plans from the live world state; THOR has no such planner here, but every
ALFRED trajectory carries the plan its expert demonstration followed. Each PDDL step becomes the EB
skills that do it (heat = microwave open, put, close, on, off, open, pick, close; ...), and the env
offers the next one as ``info["expert_action"]``, moving on once it has run successfully. It can fail
where ALFRED's low-level actions did what the high-level plan leaves implicit (opening a cabinet to
reach into it), so it is a demonstration source, not a guarantee.
"""

from __future__ import annotations

from envs.household.vocab import FIND_OBJECTS, OPEN_OBJECTS, PICK_OBJECTS, PUT_DOWN, SLICE_OBJECTS, TOGGLE_OBJECTS

_NAMES = {n.casefold(): n for n in FIND_OBJECTS + PICK_OBJECTS + OPEN_OBJECTS + TOGGLE_OBJECTS + SLICE_OBJECTS}
_NAMES.update({"sinkbasin": "Sink", "bathtubbasin": "Bathtub"})  # ALFRED names the basin, EB the sink


def name(arg: str) -> str | None:
    """ALFRED's lower-case PDDL argument (``diningtable``) -> EB's object name (``DiningTable``)."""
    return _NAMES.get(arg.casefold().removesuffix("sliced"))


def skills_for(high_pddl: list[dict]) -> list[str] | None:
    """EB action texts for an ALFRED high-level plan, or None when a step has no EB equivalent."""
    out: list[str] = []
    found: str | None = None  # what the last "find" walked to: "put down" puts there

    def find(x: str) -> None:
        nonlocal found
        if found != x:
            out.append(f"find a {x}")
            found = x

    for step in high_pddl:
        action = step.get("discrete_action", {}).get("action")
        args = [name(a) for a in step.get("discrete_action", {}).get("args", [])]
        if None in args:
            return None
        if action in ("GotoLocation", "NoOp"):
            continue  # navigation happens in the "find" before each interaction
        if action == "PickupObject":
            find(args[0])
            out.append(f"pick up the {args[0]}")
        elif action == "PutObject":
            find(args[1])
            out.append(PUT_DOWN)
        elif action in ("OpenObject", "CloseObject"):
            find(args[0])
            out.append(f"{'open' if action == 'OpenObject' else 'close'} the {args[0]}")
        elif action == "ToggleObject":
            find(args[0])
            out.append(f"turn on the {args[0]}")
        elif action == "SliceObject":
            find(args[0])
            out.append(f"slice the {args[0]}")
        elif action == "HeatObject":
            find("Microwave")
            out += ["open the Microwave", PUT_DOWN, "close the Microwave", "turn on the Microwave",
                    "turn off the Microwave", "open the Microwave", f"pick up the {args[0]}", "close the Microwave"]
        elif action == "CoolObject":
            find("Fridge")
            out += ["open the Fridge", PUT_DOWN, "close the Fridge", "open the Fridge", f"pick up the {args[0]}",
                    "close the Fridge"]
        elif action == "CleanObject":
            find("Sink")
            out += [PUT_DOWN, "turn on the Faucet", "turn off the Faucet", f"pick up the {args[0]}"]
        else:
            return None
    return out


class PlanFollower:
    """The next skill of the translated plan; advances when that skill runs successfully."""

    def __init__(self, plan: list[str] | None):
        self.plan, self.pos = plan or [], 0

    def next(self) -> str | None:
        return self.plan[self.pos] if self.pos < len(self.plan) else None

    def observe(self, text: str | None, success: bool) -> None:
        if success and text is not None and text == self.next():
            self.pos += 1
