"""A household env that fails on purpose, for the Ray backend's fault tests: at env step 2 of the
episode with seed ``die_seed`` its process exits, and of the one with ``hang_seed`` it sleeps for
good. Each fault happens once (a marker file in ``fault_dir`` remembers it), so the replayed
episode runs clean. Imported by id: ``env.id=tests.agent.faulty_env:EgoFaulty-v0``."""

import os
import time
from pathlib import Path

from gymnasium.envs.registration import register, registry

from envs.household.env import HouseholdEnv


class FaultyEnv(HouseholdEnv):
    def __init__(self, fault_dir: str, die_seed: int = -1, hang_seed: int = -1, **kwargs):
        super().__init__(**kwargs)
        self.fault_dir, self.die_seed, self.hang_seed = Path(fault_dir), die_seed, hang_seed
        self.seed_now = None

    def reset(self, *, seed=None, options=None):
        self.seed_now = seed
        return super().reset(seed=seed, options=options)

    def step(self, action):
        if self.steps == 2:
            for kind, seed in (("died", self.die_seed), ("hung", self.hang_seed)):
                marker = self.fault_dir / f"{kind}_{seed}"
                if self.seed_now == seed and not marker.exists():
                    marker.write_text(str(os.getpid()))
                    if kind == "died":
                        os._exit(1)
                    time.sleep(10**6)
        return super().step(action)


if "EgoFaulty-v0" not in registry:
    register(id="EgoFaulty-v0", entry_point="tests.agent.faulty_env:FaultyEnv")
