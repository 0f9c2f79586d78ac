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


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    """A tiny real Qwen2-VL built from nothing, once per test session."""
    from agent.models.tiny import build

    return build(tmp_path_factory.mktemp("tiny") / "qwen2_vl")
