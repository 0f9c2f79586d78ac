"""The real simulator side: EmbodiedBench's EB-Habitat task on habitat-sim + habitat-lab 0.3.0.

Everything here is imported lazily, inside ``EBHabitatBackend.__init__``: ``import habitat`` itself
fails without habitat-sim's magnum bindings. The env talks to any object with this small surface
(``tests/envs/habitat/fake_backend.py`` is a documented stand-in with the same surface):

- ``skill_datas``: the simulator's own ``(pddl action name, [entity names])`` list, in action-id order
  (EB's ``PddlHlAction._action_datas``); the env checks it against the list generated from the domain;
- ``num_episodes``;
- ``reset(index) -> (head_rgb HxWx3 uint8, info)``, info with ``lang_goal``, ``episode_id``, ``num_subgoals``;
- ``step(action_id) -> (head_rgb, info)``, info with habitat's measures ``was_prev_action_invalid``,
  ``predicate_task_success`` and ``task_progress``.
"""

from __future__ import annotations

MISSING = {
    "habitat_sim": ("habitat-sim is not installed. It has no PyPI wheel for Python 3.11 (PyPI only has a macOS "
                    "arm64 cp310 build): install habitat-sim 0.3.0 with conda (`conda install -c conda-forge "
                    "-c aihabitat habitat-sim=0.3.0 withbullet headless`) in a Python 3.9 env, or build it from "
                    "source (github.com/facebookresearch/habitat-sim, tag v0.3.0)."),
    "habitat": ("habitat-lab is not installed. EB-Habitat needs habitat-lab 0.3.0, which is not on PyPI: "
                "`pip install -e habitat-lab` from github.com/facebookresearch/habitat-lab at tag v0.3.0, in "
                "the same env as habitat-sim."),
    "embodiedbench": ("EmbodiedBench is not installed. Its EB-Habitat task, dataset and PDDL action are "
                      "registered by the package: `git clone github.com/EmbodiedBench/EmbodiedBench && pip "
                      "install -e EmbodiedBench`, then download the ReplicaCAD and YCB data as its README says "
                      "(`python -m habitat_sim.utils.datasets_download --uids rearrange_task_assets`)."),
}
EB_SUBSETS = {"spatial": "spatial_relationship"}  # our subset names -> EB-Habitat's


def require() -> None:
    """Import the three pieces in dependency order; the first one missing names itself and its fix."""
    import importlib

    for module in ("habitat_sim", "habitat", "embodiedbench.envs.eb_habitat.EBHabEnv"):
        try:
            importlib.import_module(module)
        except ImportError as e:
            key = module.split(".")[0]
            raise ImportError(f"EgoHabitat-v0 needs the real simulator: {MISSING[key]} ({e})") from e


class EBHabitatBackend:
    """EB's ``EBHabEnv`` used for its simulator only; feedback, caps and bookkeeping are ours. Not run
    here: no machine of this project can install habitat-sim (see docs/habitat.md)."""

    def __init__(self, subset: str, resolution: int):
        require()
        from embodiedbench.envs.eb_habitat.EBHabEnv import EBHabEnv

        self._eb = EBHabEnv(eval_set=EB_SUBSETS.get(subset, subset), resolution=resolution, recording=False)
        self._gym = self._eb.env  # habitat's gym wrapper: step(int) -> obs, reward, done, info
        self._habitat_env = self._eb.env.env.env._env  # the habitat.Env (EB reaches the task the same way)
        self.skill_datas = [(name, list(args)) for name, args in self._eb.skill_set]
        self.num_episodes = len(self._habitat_env.episodes)

    def reset(self, index: int):
        episode = self._habitat_env.episodes[index]
        self._habitat_env.episode_iterator = iter([episode])  # play this episode next, whatever the order
        obs, info = self._gym.reset(return_info=True)
        info = dict(info, episode_id=str(episode.episode_id), num_subgoals=len(episode.subgoals or ()))
        return obs["head_rgb"], info

    def step(self, action_id: int):
        obs, _, _, info = self._gym.step(action_id)
        return obs["head_rgb"], info
