import pytest

from synth.episodes import expert_episodes


@pytest.fixture(scope="session")
def episodes():
    """Twelve successful expert episodes (two per subset), with seeded mistakes and recoveries."""
    return list(expert_episodes(12, 0, mistake_prob=0.2))
