import pytest


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    """A tiny real Qwen2-VL built from nothing, once per test session."""
    from agent.models.tiny import build

    return build(tmp_path_factory.mktemp("tiny") / "qwen2_vl")
