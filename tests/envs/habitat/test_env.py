"""EgoHabitat-v0's own logic (action mapping, feedback, holding, caps, success and progress
bookkeeping, error messages) against the documented stand-in in fake_backend.py. Nothing here runs
habitat-sim: it cannot be installed on this project's machines (see docs/habitat.md)."""

import sys
import types

import gymnasium as gym
import numpy as np
import pytest

import envs  # noqa: F401  (registers the ids)
from envs.habitat.env import HabitatEnv
from envs.habitat.skills import skills
from tests.envs.habitat.fake_backend import FRIDGE, SINK, SOFA, TABLE_1, FakeBackend, FakeEpisode

NAMES = [s.text for s in skills()]


def make_env(**kwargs):
    episodes = [FakeEpisode("Put the apple on the sofa.", {"apple": TABLE_1, "bowl": FRIDGE}, [("apple", SOFA)], "ep0"),
                FakeEpisode("Move the bowl from the fridge and the apple to the sink.",
                            {"apple": TABLE_1, "bowl": FRIDGE}, [("bowl", SINK), ("apple", SINK)], "ep1")]
    backend = FakeBackend(episodes)
    return HabitatEnv(backend=backend, **kwargs), backend


def act(env, *names):
    out = None
    for name in names:
        out = env.step(NAMES.index(name))
    return out


def test_a_solved_episode():
    env, backend = make_env()
    obs, info = env.reset(seed=0)
    assert obs["instruction"] == "Put the apple on the sofa." and info["action_names"] == NAMES
    assert info["task"]["id"] == "eb_habitat/base/ep0" and info["task_progress"] == 0.0
    obs, _, _, _, info = act(env, "navigate to the table 1")
    assert obs["feedback"] == "Last action executed successfully." and info["last_action_success"] == 1.0
    obs, _, _, _, info = act(env, "pick up the apple")
    assert obs["feedback"] == "Last action executed successfully and you are holding apple."
    assert info["events"] == [{"event": "picked", "object": "apple", "class": "apple", "other": None,
                               "other_class": None}]
    act(env, "navigate to the sofa")
    obs, reward, terminated, truncated, info = act(env, "place at the sofa")
    assert obs["feedback"] == "Last action executed successfully and you are holding nothing."
    assert terminated and not truncated and reward == 1.0
    assert info["task_success"] == 1.0 and info["task_progress"] == 1.0 and info["goal_conditions_met"] == (1, 1)
    assert [c for c in backend.calls if c[0] == "step"] == [("step", NAMES.index(n)) for n in
                                                            ("navigate to the table 1", "pick up the apple",
                                                             "navigate to the sofa", "place at the sofa")]


@pytest.mark.parametrize("steps, expected", [
    (["pick up the apple"], "Last action is invalid. Robot cannot pick any object that is not near the robot. "
                            "Navigate to other place to find the object."),
    (["navigate to the table 1", "pick up the apple", "pick up the apple"],
     "Last action is invalid. Robot cannot pick any object when holding something. Please place the object "
     "before picking something."),
    (["place at the sofa"], "Last action is invalid. Robot cannot place any object when not holding something. "
                            "Please pick the object before place it."),
    (["navigate to the table 1", "pick up the apple", "place at the sofa"],
     "Last action is invalid. Robot cannot place any object that is not near the robot. Navigate to other place "
     "to find the object."),
    (["open the refrigerator"], "Last action is invalid. Check whether the receptacle is already open or the robot "
                                "is not near the receptacle."),
    (["navigate to the refrigerator push point", "close the refrigerator"],
     "Last action is invalid. Check whether the receptacle is already closed or the robot is not near the receptacle."),
    (["navigate to the refrigerator push point", "open the refrigerator"],
     "Last action executed successfully and now refrigerator is open."),
    (["navigate to the cabinet 6", "open the cabinet 6", "close the cabinet 6"],
     "Last action executed successfully and now cabinet 6 is closed."),
])
def test_feedback_strings(steps, expected):
    env, _ = make_env()
    env.reset(seed=0)
    obs, *_ = act(env, *steps)
    assert obs["feedback"] == expected


def test_invalid_steps_count_and_cap():
    env, backend = make_env(max_invalid=3)
    env.reset(seed=0)
    obs, _, _, _, info = env.step(70)
    assert obs["feedback"] == "Last action is invalid. Action id 70 is out of range 0..69."
    assert info["action_id"] is None and info["num_invalid_actions"] == 1 and info["env_step"] == 1
    assert ("step", 70) not in backend.calls
    obs, _, _, _, info = env.step("fly to the moon")
    assert "is not one of the 70 actions" in obs["feedback"] and info["num_invalid_actions"] == 2
    _, _, terminated, truncated, info = act(env, "pick up the apple")  # not near: the simulator says invalid
    assert truncated and not terminated and info["num_invalid_actions"] == 3
    with pytest.raises(RuntimeError, match="reset"):
        env.step(0)


def test_step_cap_and_latched_progress():
    env, _ = make_env(max_steps=10)
    env.reset(seed=1)  # two goals: the bowl (in the closed fridge) and the apple to the sink
    act(env, "navigate to the refrigerator", "pick up the bowl")  # the fridge is closed: invalid
    _, _, _, _, info = act(env, "navigate to the refrigerator push point", "open the refrigerator",
                           "navigate to the refrigerator", "pick up the bowl", "navigate to the sink in the kitchen",
                           "place at the sink in the kitchen")
    assert info["task_progress"] == 0.5 and info["goal_conditions_met"] == (1, 2) and info["holding"] is None
    _, _, _, _, info = act(env, "pick up the bowl")  # the bowl leaves the sink; EB's progress stays latched
    assert info["task_progress"] == 0.5 and info["task_success"] == 0.0
    _, _, terminated, truncated, info = env.step(0)
    assert truncated and not terminated and info["env_step"] == 10


def test_text_actions_and_seeds():
    env, backend = make_env()
    obs_a, _ = env.reset(seed=3)
    assert backend.calls[-1] == ("reset", 1)  # seed % number of episodes
    _, _, _, _, info = env.step("navigate   to the table 1")
    assert info["action_id"] == NAMES.index("navigate to the table 1")
    env2, _ = make_env()
    obs_b, _ = env2.reset(seed=3)
    assert obs_a["instruction"] == obs_b["instruction"] and np.array_equal(obs_a["rgb"], obs_b["rgb"])


def test_a_simulator_with_another_skill_list_is_refused():
    backend = FakeBackend([FakeEpisode("x", {}, [("apple", SOFA)])], skill_list=skills()[::-1])
    with pytest.raises(RuntimeError, match="differs from the one generated from the domain at id 0"):
        HabitatEnv(backend=backend)


@pytest.mark.parametrize("kwargs, message", [
    ({"subset": "spatial_relationship"}, "subset must be one of"),
    ({"scene_split": "val"}, "scene_split must be one of"),
    ({"view": "topdown"}, "view must be 'ego'"),
    ({"expert": True}, "no privileged planner"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_env(**kwargs)


def test_missing_habitat_sim_names_the_piece_and_the_fix(monkeypatch):
    monkeypatch.setitem(sys.modules, "habitat_sim", None)
    with pytest.raises(ImportError) as e:
        gym.make("EgoHabitat-v0")
    msg = str(e.value)
    assert "habitat-sim is not installed" in msg and "no PyPI wheel for Python 3.11" in msg
    assert "conda install" in msg and "build it from source" in msg


def test_missing_habitat_lab_names_the_piece_and_the_fix(monkeypatch):
    monkeypatch.setitem(sys.modules, "habitat_sim", types.ModuleType("habitat_sim"))  # pretend it is there
    monkeypatch.setitem(sys.modules, "habitat", None)
    with pytest.raises(ImportError, match=r"habitat-lab is not installed.*habitat-lab 0\.3\.0.*pip install -e"):
        HabitatEnv()


def test_missing_embodiedbench_names_the_piece_and_the_fix(monkeypatch):
    monkeypatch.setitem(sys.modules, "habitat_sim", types.ModuleType("habitat_sim"))
    monkeypatch.setitem(sys.modules, "habitat", types.ModuleType("habitat"))
    monkeypatch.setitem(sys.modules, "embodiedbench", None)
    with pytest.raises(ImportError, match="EmbodiedBench is not installed.*pip install -e EmbodiedBench"):
        HabitatEnv()


def test_real_simulator_when_installed():
    pytest.importorskip("habitat_sim", reason="habitat-sim cannot be installed here (no Python 3.11 wheel)")
    env = gym.make("EgoHabitat-v0", resolution=64)
    obs, info = env.reset(seed=0)
    assert obs["rgb"].shape == (64, 64, 3) and len(info["action_names"]) == 70


def test_contract_and_check_env():
    from gymnasium.utils.env_checker import check_env

    env, _ = make_env(resolution=16)
    obs, info = env.reset(seed=0)
    assert {"action_names", "task_success", "task_progress", "goal_conditions_met", "last_action_success",
            "num_invalid_actions", "env_step", "env_feedback", "instruction", "task", "events"} <= set(info)
    assert {"id", "type", "subset", "instruction"} <= set(info["task"]) and env.action_space.n == 70
    check_env(env, skip_render_check=True)
