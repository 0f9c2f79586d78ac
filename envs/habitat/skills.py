"""EB-Habitat's 70 high-level skills, generated from the rearrangement PDDL domain the way EB-Habitat
builds them (``get_pddl`` + ``flatten_actions`` + ``PddlDomain.get_possible_actions`` +
``transform_action_to_natural_language``), with no habitat import:

1. types: habitat-lab's parser gives each type the parent it is listed under *last*;
2. entities: the domain's constants, then every receptacle of the dataset as a ``place_receptacle``;
3. ``pick(obj, robot)`` is flattened into one ``pick_<category>(robot)`` per object category;
4. every action whose name starts with an allowed prefix is grounded over the type-compatible
   entities, actions in domain order and entities in insertion order.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

DATA = Path(__file__).parent / "data"
DOMAIN_FILE = DATA / "pddl_domain_replica_cad.yaml"
CATEGORIES_FILE = DATA / "categories.yaml"
PLACE_RECEPTACLE = "place_receptacle"  # EB's PLACABLE_RECEP_TYPE
MOVABLE = "movable_entity_type"
N_SKILLS = 70  # "discrete value from 0 to 69" (EBHabEnv)


@dataclass(frozen=True)
class Skill:
    """One grounded PDDL action: ``pddl`` as habitat-lab's ``compact_str`` writes it, ``text`` as EB says it."""

    action: str  # the (flattened) PDDL action name, e.g. "pick_apple"
    args: tuple[str, ...]  # the entities it is grounded on, e.g. ("robot_0",)
    text: str  # "pick up the apple"

    @property
    def pddl(self) -> str:
        return f"{self.action}({','.join(self.args)})"

    @property
    def kind(self) -> str:
        """nav | pick | place | open | close."""
        return self.action.split("_")[0]

    @property
    def target(self) -> str:
        """What the skill acts on: the category for pick, the entity otherwise."""
        return self.action.split("_", 1)[1] if self.kind == "pick" else self.args[0]


class Domain:
    """The few parts of a habitat-lab PDDL domain YAML that the skill list depends on."""

    def __init__(self, domain: dict, receptacles: list[str], categories: list[str]):
        self.parent: dict[str, str | None] = {}
        for parent, subs in domain["types"].items():
            self.parent.setdefault(parent, None)
            for sub in subs:
                self.parent[sub] = parent  # the last listing wins, as in PddlDomain._parse_expr_types
        self.entities: dict[str, str] = {c["name"]: c["expr_type"] for c in domain["constants"]}
        for r in receptacles:
            self.entities[r] = PLACE_RECEPTACLE
        self.categories = list(categories)
        self.actions = [(a["name"], [(p["name"], p["expr_type"]) for p in a["parameters"] or []])
                        for a in domain["actions"]]

    def is_a(self, expr_type: str, ancestor: str) -> bool:
        t: str | None = expr_type
        while t is not None:
            if t == ancestor:
                return True
            t = self.parent.get(t)
        return False

    def flattened_actions(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """Actions with a movable parameter become one action per object category, minus that parameter."""
        out = []
        for name, params in self.actions:
            movable = next((i for i, (_, t) in enumerate(params) if t == MOVABLE), None)
            if movable is None:
                out.append((name, params))
                continue
            rest = params[:movable] + params[movable + 1:]
            out.extend((f"{name}_{cat}", rest) for cat in self.categories)
        return out

    def ground(self, allowed_prefixes: list[str]) -> list[tuple[str, tuple[str, ...]]]:
        out = []
        for name, params in self.flattened_actions():
            if not any(name.startswith(p) for p in allowed_prefixes):
                continue
            if len(params) > 1:
                raise ValueError(f"action {name} has {len(params)} parameters; EB-Habitat's skills take one")
            if not params:
                out.append((name, ()))
                continue
            _, ptype = params[0]
            out.extend((name, (e,)) for e, etype in self.entities.items() if self.is_a(etype, ptype))
        return out


def receptacle_text(entity: str) -> str:
    """EB's ``add_receptacle``: the checks run in this order (``fridge`` before ``refrigerator``)."""
    rules = (("table_0", lambda e: "table " + e.split("table_0")[1]), ("fridge", lambda e: "refrigerator push point"),
             ("refrigerator", lambda e: "refrigerator"),
             ("drawer_right", lambda e: "right drawer of the kitchen counter"),
             ("drawer_left", lambda e: "left drawer of the kitchen counter"),
             ("chair_0", lambda e: "chair " + e.split("chair_0")[1]), ("tvstand", lambda e: "TV stand"),
             ("counter_left", lambda e: "left counter in the kitchen"),
             ("counter_right", lambda e: "right counter in the kitchen"), ("sink", lambda e: "sink in the kitchen"),
             ("sofa", lambda e: "sofa"), ("cab", lambda e: "cabinet " + e.split("_")[-1]))
    for key, say in rules:
        if key in entity:
            return say(entity)
    raise ValueError(f"no natural-language name for receptacle {entity!r}")


def skill_text(action: str, args: tuple[str, ...]) -> str:
    """EB's ``transform_action_to_natural_language`` for one grounded action."""
    if "nav" in action:
        return "navigate to the " + receptacle_text(args[0])
    if "pick" in action:
        return "pick up the " + action.split("_")[1]
    for verb in ("open", "close"):
        if verb in action:
            if "fridge" in action:
                return f"{verb} the refrigerator"
            if "cab" in action:
                return f"{verb} the cabinet " + args[0].split("_")[-1]
    if "place" in action:
        return "place at the " + receptacle_text(args[0])
    raise ValueError(f"no natural-language form for action {action!r}")


def generate(domain_file: Path = DOMAIN_FILE, categories_file: Path = CATEGORIES_FILE) -> tuple[Skill, ...]:
    cats = yaml.safe_load(categories_file.read_text())
    domain = Domain(yaml.safe_load(domain_file.read_text()), cats["all_receps"], cats["all_cats"])
    return tuple(Skill(a, args, skill_text(a, args)) for a, args in domain.ground(cats["allowed_actions"]))


@lru_cache(maxsize=1)
def skills() -> tuple[Skill, ...]:
    """The shipped domain's skills; the list must have EB-Habitat's 70 entries."""
    out = generate()
    if len(out) != N_SKILLS:
        raise RuntimeError(f"the domain gives {len(out)} skills, EB-Habitat has {N_SKILLS}")
    return out
