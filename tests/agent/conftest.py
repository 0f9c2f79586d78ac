import gymnasium as gym
import pytest

from envs.household.vocab import GLOBAL_ACTIONS

ENV_ID = "envs:EgoHousehold-v0"


def make_env(**kwargs):
    return gym.make(ENV_ID, **{"view": "ego", "resolution": 32, **kwargs})


@pytest.fixture(scope="session")
def global_names() -> list[str]:
    """EB-ALFRED's 162 global actions: the same ids in every episode."""
    return list(GLOBAL_ACTIONS)

