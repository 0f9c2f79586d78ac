"""The Gymnasium contract of EgoHousehold-v0: spaces, ids, episode caps, info, determinism."""

import hashlib
import json
import os
import subprocess
import sys

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import envs  # noqa: F401  (registers the ids)
from envs.household.env import HouseholdEnv
from envs.task import Task


def test_check_env_passes():
    check_env(gym.make("EgoHousehold-v0").unwrapped, skip_render_check=False)


def test_make_with_options():
    env = gym.make("EgoHousehold-v0", subset="base", scene_split="test", resolution=96, expert=True)
    obs, info = env.reset(seed=3)
    assert obs["rgb"].shape == (96, 96, 3) and obs["rgb"].dtype == np.uint8
    assert info["task"]["split"] == "test" and info["expert_action"] is not None
    assert obs["feedback"] == "" and obs["instruction"] == info["instruction"]


@pytest.mark.parametrize("kwargs, message", [
    ({"subset": "spatial_relationship"}, "subset must be one of"),
    ({"scene_split": "val"}, "scene_split must be one of"),
    ({"view": "ego3d"}, "view must be one of"),
])
def test_bad_arguments_name_the_bad_value(kwargs, message):
    with pytest.raises(ValueError, match=message):
        HouseholdEnv(**kwargs)


def test_action_list_starts_with_the_162_global_actions():
    env = HouseholdEnv()
    _, info = env.reset(seed=0)
    names = info["action_names"]
    assert names[57] == "find a AlarmClock" and names[98] == "pick up the AlarmClock"
    assert names[143] == "open the Microwave" and names[149] == "turn on the Microwave"
    assert names[160] == "slice the Apple"
    assert len(names) >= 162 and len(names) <= env.action_space.n
    assert all("_" in n.rsplit(" ", 1)[1] for n in names[162:])  # extras address Type_k instances


def test_step_by_id_and_by_text_agree():
    a, b = HouseholdEnv(), HouseholdEnv()
    _, info = a.reset(seed=11)
    b.reset(seed=11)
    oa, *_, ia = a.step(info["action_names"].index("find a CounterTop"))
    ob, *_, ib = b.step("find a CounterTop")
    assert oa["feedback"] == ob["feedback"] == "Last action executed successfully."
    assert ia["action_id"] == ib["action_id"] and np.array_equal(oa["rgb"], ob["rgb"])


def test_out_of_range_id_is_an_invalid_step():
    env = HouseholdEnv()
    _, info = env.reset(seed=1)
    n = len(info["action_names"])
    obs, reward, term, trunc, info = env.step(n + 5)
    assert obs["feedback"].startswith("Last action is invalid. Action id")
    assert info["last_action_success"] == 0.0 and info["num_invalid_actions"] == 1 and not (term or trunc)


def test_ten_invalid_actions_end_the_episode():
    env = HouseholdEnv()
    env.reset(seed=2)
    for k in range(10):
        _, _, term, trunc, info = env.step("drop the object in hand")  # nothing is ever in hand here
    assert trunc and not term and info["num_invalid_actions"] == 10
    with pytest.raises(RuntimeError, match="episode is over"):
        env.step(0)


def test_thirty_steps_end_the_episode():
    env = HouseholdEnv(max_invalid=100)
    env.reset(seed=4)
    for k in range(30):
        _, _, term, trunc, info = env.step("find a CounterTop")
    assert trunc and info["env_step"] == 30


def test_expert_reaches_the_goal_and_rewards_sum_to_progress():
    env = HouseholdEnv(expert=True)
    _, info = env.reset(seed=5)
    total, done = 0.0, False
    while not done:
        _, r, term, trunc, info = env.step(info["expert_action"])
        total += r
        done = term or trunc
    assert term and info["task_success"] == 1.0 and info["task_progress"] == 1.0
    assert total == pytest.approx(1.0)
    assert info["num_invalid_actions"] == 0


def test_info_keys():
    env = HouseholdEnv()
    _, info = env.reset(seed=0)
    for key in ("action_names", "task_success", "task_progress", "last_action_success", "num_invalid_actions",
                "task", "events", "env_step"):
        assert key in info
    assert "expert_action" not in info  # privileged, only when asked for
    assert set(info["task"]) >= {"type", "subset", "scene"}


def test_reset_with_a_task_replays_the_same_episode():
    env = HouseholdEnv(subset="base")
    obs, info = env.reset(seed=21)
    task = env.task
    replay = HouseholdEnv(subset="base")
    obs2, info2 = replay.reset(options={"task": task.to_dict()})
    assert replay.task == task and np.array_equal(obs["rgb"], obs2["rgb"])
    assert info["action_names"] == info2["action_names"]
    with pytest.raises(ValueError, match="unknown Task field"):
        replay.reset(options={"task": {**task.to_dict(), "colour": "red"}})


def test_test_split_only_uses_test_scenes():
    env = HouseholdEnv(scene_split="test")
    test_scenes = set(range(1, 7)) | set(range(201, 207)) | set(range(301, 307)) | set(range(401, 407))
    for s in range(20):
        env.reset(seed=s)
        assert env.task.floorplan in test_scenes
    env = HouseholdEnv(scene_split="train")
    for s in range(20):
        env.reset(seed=s)
        assert env.task.floorplan not in test_scenes


def episode_digest(seed: int, subset: str = "base") -> str:
    """A hash of everything an episode shows: task, instruction, action list, frames, feedback."""
    env = HouseholdEnv(subset=subset, expert=True, resolution=64)
    obs, info = env.reset(seed=seed)
    h = hashlib.sha256()
    h.update(json.dumps(env.task.to_dict(), sort_keys=True).encode())
    h.update("\n".join(info["action_names"]).encode())
    done = False
    while not done:
        h.update(obs["rgb"].tobytes())
        h.update(obs["feedback"].encode())
        obs, _, term, trunc, info = env.step(info["expert_action"])
        done = term or trunc
    h.update(obs["rgb"].tobytes())
    return h.hexdigest()


def test_same_seed_same_episode_byte_for_byte():
    assert episode_digest(7) == episode_digest(7)
    assert episode_digest(7) != episode_digest(8)


def test_same_seed_same_episode_across_processes():
    """String hashing differs between processes; the episode must not."""
    code = ("from tests.envs.household.test_env import episode_digest; "
            "print(episode_digest(9), episode_digest(10, 'long_horizon'), episode_digest(11, 'spatial'))")
    outs = set()
    for hashseed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hashseed}
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                             cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__)))))
        outs.add(out.stdout.strip())
    assert len(outs) == 1
    assert outs.pop().split()[0] == episode_digest(9)


def test_task_round_trips_through_a_dict():
    env = HouseholdEnv()
    env.reset(seed=12)
    assert Task.from_dict(json.loads(json.dumps(env.task.to_dict()))) == env.task
