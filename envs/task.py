"""The task record every layer passes around: what to do, where, and from which initial state."""

from __future__ import annotations

from dataclasses import dataclass, fields

TASK_TYPES = (
    "pick_and_place_simple",
    "pick_two_obj_and_place",
    "look_at_obj_in_light",
    "pick_clean_then_place_in_recep",
    "pick_heat_then_place_in_recep",
    "pick_cool_then_place_in_recep",
    "pick_and_place_with_movable_recep",
)
SUBSETS = ("base", "common_sense", "complex_instruction", "spatial", "visual_appearance", "long_horizon")


@dataclass(frozen=True)
class Task:
    """One ALFRED-style task. The targets follow ALFRED's ``pddl_params``; ``object_instance`` and
    ``parent_instance`` bind the goal to one instance when the instruction singles it out."""

    id: str
    type: str
    subset: str
    instruction: str
    floorplan: int
    seed: int  # initial-state seed: placement of small objects and the agent's start
    object_target: str
    parent_target: str | None = None
    toggle_target: str | None = None
    mrecep_target: str | None = None
    object_sliced: bool = False
    object_instance: str | None = None
    parent_instance: str | None = None
    randomize: bool = True  # False: AI2-THOR's default placement of small objects

    @property
    def scene(self) -> str:
        return f"FloorPlan{self.floorplan}"

    @property
    def target_class(self) -> str:
        """The class that must end up in place (``AppleSliced`` for a sliced task)."""
        return self.object_target + ("Sliced" if self.object_sliced else "")

    @property
    def goal_conditions(self) -> tuple[str, ...]:
        """The goal as PDDL-like predicates, one per condition counted by ``task_progress``."""
        o, p, m = self.target_class, self.parent_instance or self.parent_target, self.mrecep_target
        o_ref = self.object_instance or o
        sliced = (f"(isSliced {self.object_target})",) if self.object_sliced else ()
        by_type = {
            "pick_and_place_simple": (f"(inReceptacle {o_ref} {p})",),
            "pick_two_obj_and_place": (f"(inReceptacle {o} {p})", f"(inReceptacle {o} {p}) [second]"),
            "look_at_obj_in_light": (f"(holds {o_ref})", f"(isToggled {self.toggle_target}) [in view]"),
            "pick_clean_then_place_in_recep": (f"(inReceptacle {o_ref} {p})", f"(isClean {o_ref})",
                                               "[same object]"),
            "pick_heat_then_place_in_recep": (f"(inReceptacle {o_ref} {p})", f"(isHot {o_ref})", "[same object]"),
            "pick_cool_then_place_in_recep": (f"(inReceptacle {o_ref} {p})", f"(isCool {o_ref})", "[same object]"),
            "pick_and_place_with_movable_recep": (f"(inReceptacle {o_ref} {m})", f"(inReceptacle {m} {p})",
                                                  "[same stack]"),
        }
        extra = sliced * (2 if self.type == "pick_two_obj_and_place" else 1)
        return extra + by_type[self.type]

    def to_dict(self) -> dict:
        # every field is a str, int, bool or None: a flat copy is what asdict gives, at a tenth of its
        # cost (each reset asks for it)
        return {name: getattr(self, name) for name in _FIELD_NAMES}

    @classmethod
    def from_dict(cls, d: dict) -> "Task":
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ValueError(f"unknown Task field(s): {', '.join(unknown)}")
        return cls(**d)


_FIELD_NAMES = tuple(f.name for f in fields(Task))
