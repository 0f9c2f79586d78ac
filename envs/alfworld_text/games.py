"""The fixture games: hand-written ALFRED-style PDDL problems (``games/*.pddl``, package data), each
completed into a TextWorld ``tw-pddl`` game the way ALFWorld's own generator does it: the goal is
``alfworld.gen.goal_library``'s formula for the task type, filled with the task's ``pddl_params``
(``#`` read as ``-``), the domain is ALFWorld's shipped ``alfred.pddl`` and the grammar its
``alfred.twl2`` with the task sentence in the "UNKNOWN GOAL" slot."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from envs.alfworld_text.backend import modules

GAMES_DIR = Path(__file__).parent / "games"
SPLITS = ("train", "test", "all")


@dataclass(frozen=True)
class GameSpec:
    """One fixture: the problem file and ALFRED's ``pddl_params`` for its goal."""

    id: str
    file: str
    split: str
    task_type: str
    object_target: str
    parent_target: str | None = None
    toggle_target: str | None = None

    @property
    def problem(self) -> str:
        """The problem without its goal and closing parenthesis (the goal library's text adds both)."""
        return (GAMES_DIR / self.file).read_text()


@lru_cache(maxsize=1)
def all_games() -> tuple[GameSpec, ...]:
    return tuple(GameSpec(**g) for g in json.loads((GAMES_DIR / "games.json").read_text()))


def games(split: str = "all", task_types: list[str] | None = None) -> tuple[GameSpec, ...]:
    if split not in SPLITS:
        raise ValueError(f"scene_split must be one of {SPLITS}, got {split!r}")
    out = tuple(g for g in all_games() if split == "all" or g.split == split)
    if task_types:
        out = tuple(g for g in out if g.task_type in task_types)
    if not out:
        raise ValueError(f"no fixture game in split {split!r} with task types {task_types}")
    return out


def _fill(text: str, spec: GameSpec, lower: bool) -> str:
    names = {"obj": spec.object_target, "recep": spec.parent_target or "", "toggle": spec.toggle_target or "",
             "mrecep": ""}
    return text.format(**{k: v.lower() if lower else v for k, v in names.items()})


def instruction(spec: GameSpec, template: int = 0) -> str:
    """The task sentence from the goal library's templates, as ALFWorld's templated descriptions."""
    _, _, _, _, goal_library = modules()
    templates = goal_library.gdict[spec.task_type]["templates"]
    return _fill(templates[template % len(templates)], spec, lower=True)


def game_data(spec: GameSpec, template: int = 0) -> dict:
    """The ``game.tw-pddl`` content (TextWorld's PDDL game format) for one fixture."""
    _, _, _, info, goal_library = modules()
    goal = _fill(goal_library.gdict[spec.task_type]["pddl"], spec, lower=False).replace("#", "-")
    grammar = Path(info.ALFRED_TWL2_PATH).read_text().replace("UNKNOWN GOAL", instruction(spec, template))
    return {"pddl_domain": Path(info.ALFRED_PDDL_PATH).read_text(), "grammar": grammar,
            "pddl_problem": spec.problem + goal, "solvable": True}
