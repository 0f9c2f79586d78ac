"""EB-Habitat's feedback text (``EBHabEnv.get_env_feedback``, verbosity 1) and the holding state it
keeps itself, as a pure function of the skill, the simulator's invalid flag and what was held."""

from __future__ import annotations

from envs.habitat.skills import Skill

INVALID = "Last action is invalid."
SUCCESS = "Last action executed successfully"
NOT_NEAR = "Navigate to other place to find the object."
HINTS = {  # (skill kind, holding something?) -> what EB adds after INVALID
    ("pick", True): " Robot cannot pick any object when holding something. Please place the object before picking "
                    "something.",
    ("pick", False): f" Robot cannot pick any object that is not near the robot. {NOT_NEAR}",
    ("place", True): f" Robot cannot place any object that is not near the robot. {NOT_NEAR}",
    ("place", False): " Robot cannot place any object when not holding something. Please pick the object before "
                      "place it.",
    ("open", True): " Check whether the receptacle is already open or the robot is not near the receptacle.",
    ("close", True): " Check whether the receptacle is already closed or the robot is not near the receptacle.",
}


def feedback(skill: Skill, invalid: bool, holding: str | None) -> tuple[str, str | None]:
    """(text, what is held afterwards). EB tracks holding only through its own feedback: a valid pick
    holds the category, a valid place holds nothing; an invalid skill changes nothing."""
    kind = skill.kind
    if invalid:
        held = bool(holding) if kind in ("pick", "place") else True  # open/close hints ignore the hand
        return INVALID + HINTS.get((kind, held), ""), holding
    if kind == "pick":
        return f"{SUCCESS} and you are holding {skill.target}.", skill.target
    if kind == "place":
        return f"{SUCCESS} and you are holding nothing.", None
    if kind in ("open", "close"):
        state = "open" if kind == "open" else "closed"
        # EB formats the cabinet as compact_str's second "_" field, which prints "cabinet push" for
        # cab_push_point_7; we say the number the action list uses ("open the cabinet 7")
        what = "refrigerator" if "fridge" in skill.action else f"cabinet {skill.args[0].split('_')[-1]}"
        return f"{SUCCESS} and now {what} is {state}.", holding
    return SUCCESS + ".", holding
