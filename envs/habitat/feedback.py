"""EB-Habitat's feedback text (``EBHabEnv.get_env_feedback``, verbosity 1) and the holding state it
keeps itself, as a pure function of the skill, the simulator's invalid flag and what was held."""

from __future__ import annotations

from envs.habitat.skills import Skill

INVALID = "Last action is invalid."
SUCCESS = "Last action executed successfully"


def feedback(skill: Skill, invalid: bool, holding: str | None) -> tuple[str, str | None]:
    """(text, what is held afterwards). EB tracks holding only through its own feedback: a valid pick
    holds the category, a valid place holds nothing; an invalid skill changes nothing."""
    kind = skill.kind
    if invalid:
        hint = {
            "pick": (" Robot cannot pick any object when holding something. Please place the object before "
                     "picking something.") if holding else
                    " Robot cannot pick any object that is not near the robot. Navigate to other place to find the object.",
            "place": " Robot cannot place any object that is not near the robot. Navigate to other place to find the object."
                     if holding else
                     " Robot cannot place any object when not holding something. Please pick the object before place it.",
            "open": " Check whether the receptacle is already open or the robot is not near the receptacle.",
            "close": " Check whether the receptacle is already closed or the robot is not near the receptacle.",
        }.get(kind, "")
        return INVALID + hint, holding
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
