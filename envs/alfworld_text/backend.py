"""The one place that imports TextWorld and ALFWorld, lazily: ``import envs`` must work without them."""

from __future__ import annotations

INSTALL_HINT = (
    "The ALFWorld text env needs the optional extra `alfworld`: pip install -e '.[alfworld]' "
    "(scripts/setup.sh --test installs it). textworld's own dependencies jericho and fast-downward-textworld "
    "build from source, so gcc, g++, cmake and make must be present."
)


def modules():
    """(textworld, PddlEnv, AlfredDemangler, alfworld.info, alfworld.gen.goal_library), or an
    ImportError that names the missing piece and the fix."""
    try:
        import textworld
        from textworld.envs.pddl import PddlEnv
    except ImportError as e:
        raise ImportError(f"cannot import textworld ({e}). {INSTALL_HINT}") from e
    try:
        import alfworld.gen.goal_library as goal_library
        import alfworld.info as alfworld_info
        from alfworld.agents.environment.alfred_tw_env import AlfredDemangler
    except ImportError as e:
        raise ImportError(f"cannot import alfworld ({e}). {INSTALL_HINT}") from e
    return textworld, PddlEnv, AlfredDemangler, alfworld_info, goal_library


class TextGame:
    """One loaded game: TextWorld's PDDL engine with ALFWorld's name demangler ("apple 1"), as
    ``alfworld``'s ``AlfredTWEnv`` wires it, minus the download."""

    def __init__(self, game_data: dict, planner: bool):
        textworld, PddlEnv, AlfredDemangler, _, _ = modules()
        # the planner's next commands are asked for only when an expert reads them: Fast Downward
        # replans on every step and costs more than the step itself
        infos = textworld.EnvInfos(won=True, admissible_commands=True, facts=True, policy_commands=planner)
        self._env = AlfredDemangler(PddlEnv(infos))
        self._env.load(game_data)
        self.state = None

    def reset(self):
        self.state = self._env.reset()
        return self.state

    def step(self, command: str):
        self.state, _, _ = self._env.step(command)
        return self.state

    @property
    def admissible(self) -> list[str]:
        return list(self.state["admissible_commands"])

    @property
    def won(self) -> bool:
        return bool(self.state["won"])

    @property
    def plan(self) -> list[str] | None:
        """The planner's commands from the current state to the goal (None: no plan from here)."""
        cmds = self.state.get("policy_commands")
        return list(cmds) if cmds is not None else None

    @property
    def facts(self) -> list[tuple[str, tuple[str, ...]]]:
        """The true PDDL facts, as (predicate, (entity ids...))."""
        return [(f.name, tuple(v.name for v in f.arguments)) for f in self.state["_facts"]]
