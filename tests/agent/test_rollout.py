"""`python -m agent.rollout` and `python -m agent.replay` as a user runs them."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from agent.replay import replay

ROOT = Path(__file__).resolve().parents[2]
FILES = ("episode.json", "messages.json", "transcript.txt", "episode.mp4", "frames/step_000.png")


def cli(module, *args, check=True):
    r = subprocess.run([sys.executable, "-m", module, *args, "progress=false"] if module == "agent.rollout"
                       else [sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True, text=True)
    if check and r.returncode:
        raise AssertionError(r.stdout + r.stderr)
    return r


def episodes(out: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(out.glob("episode_*/episode.json"))]


def readme_rollout_args() -> list[str]:
    """The key=value arguments of the README's first command."""
    first = (ROOT / "README.md").read_text().split("```bash\n")[1].split("\n```")[0]
    assert "-m agent.rollout" in first, first
    return first.split("-m agent.rollout", 1)[1].split()


@pytest.mark.slow
def test_readme_first_command_records_expert_episodes_that_all_succeed_and_replay(tmp_path):
    out = tmp_path / "expert"
    args = [a for a in readme_rollout_args() if not a.startswith("out=")]
    assert {"policy=expert", "episodes=20"} <= set(args)
    r = cli("agent.rollout", *args, f"out={out}")
    assert "success" in r.stdout and str(out) in r.stdout
    eps = episodes(out)
    assert len(eps) == 20 and all(e["metrics"]["task_success"] == 1.0 for e in eps)
    for folder in sorted(out.glob("episode_*")):
        assert all((folder / f).exists() for f in FILES), folder
        n = json.loads((folder / "episode.json").read_text())["metrics"]["num_steps"]
        assert len(list((folder / "frames").glob("*.png"))) == n + 1
        assert replay(folder) is None
    summary = json.loads((out / "summary.json").read_text())
    assert summary["overall"]["task_success"]["mean"] == 1.0 and summary["seeds"] == list(range(20))
    assert (out / ".hydra" / "config.yaml").exists()
    assert "replays identically" in cli("agent.replay", str(out / "episode_0000")).stdout


@pytest.mark.slow
def test_random_policy_almost_never_succeeds(tmp_path):
    cli("agent.rollout", "policy=random", "episodes=20", f"out={tmp_path}", "record.video=false")
    assert sum(e["metrics"]["task_success"] for e in episodes(tmp_path)) <= 2


def strip_timing(path: Path) -> str:
    text = path.read_text()
    return re.sub(r'"timing": \{[^}]*\}', '"timing": {}', text)


def test_same_command_twice_gives_identical_episode_files(tmp_path):
    args = ["episodes=3", "prompt=compact", "policy.mistake_prob=0.4", "record.video=false",
            "record.annotations=true", "resolution=64"]
    cli("agent.rollout", *args, f"out={tmp_path / 'a'}")
    cli("agent.rollout", *args, f"out={tmp_path / 'b'}")
    for a in sorted((tmp_path / "a").glob("episode_*/episode.json")):
        b = tmp_path / "b" / a.parent.name / "episode.json"
        assert strip_timing(a) == strip_timing(b)
        assert (a.parent / "annotations" / "step_000.npz").exists()


def test_a_rerun_resumes_without_redoing_or_losing_episodes(tmp_path):
    args = ["episodes=4", "record.video=false", "resolution=64", f"out={tmp_path}"]
    cli("agent.rollout", *args)
    (tmp_path / "episode_0002" / "episode.json").unlink()  # killed while recording episode 2
    (tmp_path / "episode_0003" / "episode.json").rename(tmp_path / "episode_0003" / "episode.json.tmp")
    kept = (tmp_path / "episode_0001" / "episode.json").stat().st_mtime_ns
    r = cli("agent.rollout", *args)
    assert "resuming: 2 of 4" in r.stdout + r.stderr
    assert (tmp_path / "episode_0001" / "episode.json").stat().st_mtime_ns == kept
    assert len(episodes(tmp_path)) == 4 and not list(tmp_path.glob("episode_*/*.tmp"))
    assert json.loads((tmp_path / "summary.json").read_text())["episodes"] == 4


def test_a_rerun_with_another_policy_refuses_to_mix_results(tmp_path):
    cli("agent.rollout", "episodes=1", "record.video=false", f"out={tmp_path}")
    r = cli("agent.rollout", "episodes=1", "policy=random", f"out={tmp_path}", check=False)
    assert r.returncode != 0 and "different run" in r.stderr


def test_bad_config_names_the_bad_key(tmp_path):
    r = cli("agent.rollout", "episods=3", f"out={tmp_path}", check=False)
    assert r.returncode != 0 and "episods" in r.stderr
    r = cli("agent.rollout", "policy.temperature=0", f"out={tmp_path}", check=False)
    assert r.returncode != 0 and "temperature" in r.stderr
    r = cli("agent.rollout", "prompt=xml", f"out={tmp_path}", check=False)
    assert r.returncode != 0 and "xml" in r.stderr


def test_replay_reports_the_first_difference(tmp_path):
    cli("agent.rollout", "episodes=1", "record.video=false", f"out={tmp_path}")
    folder = tmp_path / "episode_0000"
    assert replay(folder) is None
    record = json.loads((folder / "episode.json").read_text())
    record["steps"][1]["feedback"] = "something else"
    (folder / "episode.json").write_text(json.dumps(record))
    assert replay(folder).startswith("step 2")
    r = cli("agent.replay", str(folder), check=False)
    assert r.returncode == 1 and "DIFFERS: step 2" in r.stdout
