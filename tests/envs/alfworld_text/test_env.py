"""EgoAlfworldText-v0 on the fixture games: the planner's expert wins each, invalid commands are
invalid steps, the same seed gives the same episode, and the household contract holds."""

import sys

import gymnasium as gym
import pytest

pytest.importorskip("textworld", reason="needs the `alfworld` extra (pip install -e '.[alfworld]')")
pytest.importorskip("alfworld", reason="needs the `alfworld` extra (pip install -e '.[alfworld]')")

from gymnasium.utils.env_checker import check_env  # noqa: E402

import envs  # noqa: E402,F401  (registers the ids)
from envs.alfworld_text import games  # noqa: E402
from envs.alfworld_text.env import AlfworldTextEnv  # noqa: E402

ALL = games.games("all")
CONTRACT_KEYS = {"action_names", "task_success", "task_progress", "goal_conditions_met", "last_action_success",
                 "num_invalid_actions", "env_step", "env_feedback", "instruction", "task", "events"}


@pytest.fixture(scope="module")
def expert_env():
    return AlfworldTextEnv(scene_split="all", expert=True)


def play_expert(env, seed):
    obs, info = env.reset(seed=seed)
    trace, done = [], False
    while not done:
        assert info["expert_action"] is not None, f"no plan at step {info['env_step']}"
        obs, reward, terminated, truncated, info = env.step(info["expert_action"])
        trace.append((info["action_description"], obs["feedback"], reward, info["task_progress"]))
        done = terminated or truncated
    return info, trace


def test_fixtures_cover_six_games_and_five_task_types():
    assert len(ALL) >= 6
    assert len({g.task_type for g in ALL}) >= 5
    assert {g.split for g in ALL} == {"train", "test"}


@pytest.mark.parametrize("index", range(len(ALL)), ids=[g.id for g in ALL])
def test_expert_wins_every_fixture_game(expert_env, index):
    info, trace = play_expert(expert_env, index)
    assert info["task"]["game"] == ALL[index].id
    assert info["task_success"] == 1.0 and info["task_progress"] == 1.0
    assert info["num_invalid_actions"] == 0 and info["expert_action"] is None
    assert sum(r for *_, r, _ in trace) == pytest.approx(1.0)  # rewards are progress deltas
    progress = [p for *_, p in trace]
    assert progress == sorted(progress), "progress never goes back on the expert's path"


def test_expert_replans_after_a_detour(expert_env):
    obs, info = expert_env.reset(seed=0)  # cellphone in the drawer; wander to the desk first
    obs, *_, info = expert_env.step("go to desk 1")
    assert expert_env.action_names[info["expert_action"]] == "go to drawer 1"
    done = False
    while not done:
        obs, _, terminated, truncated, info = expert_env.step(info["expert_action"])
        done = terminated or truncated
    assert info["task_success"] == 1.0


def test_progress_counts_goal_conditions(expert_env):
    obs, info = expert_env.reset(seed=5)  # two CDs in the safe
    assert info["task"]["type"] == "pick_two_obj_and_place" and info["goal_conditions_met"] == (0, 2)
    seen = set()
    while info["task_success"] != 1.0:
        obs, _, _, _, info = expert_env.step(info["expert_action"])
        seen.add(info["goal_conditions_met"])
    assert (1, 2) in seen and info["goal_conditions_met"] == (2, 2)


def test_invalid_command_is_an_invalid_step_not_a_crash():
    env = AlfworldTextEnv(scene_split="all")
    obs, info = env.reset(seed=0)
    names = list(info["action_names"])
    obs, reward, terminated, truncated, info = env.step("take apple 9 from the moon")
    assert info["last_action_success"] == 0.0 and info["num_invalid_actions"] == 1 and info["env_step"] == 1
    assert obs["feedback"].startswith("Last action is invalid.") and "not one of the admissible" in obs["feedback"]
    assert info["action_names"] == names and reward == 0.0 and not (terminated or truncated)
    obs, *_, info = env.step(len(names) + 5)
    assert "out of range" in obs["feedback"] and info["num_invalid_actions"] == 2 and info["action_id"] is None


def test_text_and_id_actions_agree():
    a, b = AlfworldTextEnv(scene_split="all"), AlfworldTextEnv(scene_split="all")
    _, ia = a.reset(seed=2)
    _, ib = b.reset(seed=2)
    k = ia["action_names"].index("go to cabinet 1")
    oa, *_, ia = a.step(k)
    ob, *_, ib = b.step("  Go to   CABINET 1 ")
    assert oa["feedback"] == ob["feedback"] and ia["action_id"] == ib["action_id"] == k
    assert ia["action_names"] == ib["action_names"] and "open cabinet 1" in ia["action_names"]


def test_same_seed_same_game_and_episode():
    runs = []
    for _ in range(2):
        env = gym.make("EgoAlfworldText-v0", scene_split="all", expert=True)
        obs, info = env.reset(seed=10)
        trace = [(obs["instruction"], obs["feedback"], tuple(info["action_names"]))]
        for _ in range(4):
            obs, _, _, _, info = env.step(info["expert_action"])
            trace.append((obs["feedback"], tuple(info["action_names"])))
        runs.append(trace)
    assert runs[0] == runs[1]
    env = AlfworldTextEnv(scene_split="all")
    # seed n and n + len(games) play the same game with the goal library's other sentence
    _, i1 = env.reset(seed=1)
    _, i2 = env.reset(seed=1 + len(ALL))
    assert i1["task"]["game"] == i2["task"]["game"] and i1["instruction"] != i2["instruction"]


def test_caps_end_the_episode():
    env = AlfworldTextEnv(scene_split="all", max_invalid=3)
    env.reset(seed=0)
    for k in range(3):
        _, _, terminated, truncated, info = env.step("dance")
    assert truncated and not terminated and info["num_invalid_actions"] == 3
    with pytest.raises(RuntimeError, match="episode is over"):
        env.step("look")
    env = AlfworldTextEnv(scene_split="all", max_steps=2)
    env.reset(seed=0)
    env.step("look")
    _, _, terminated, truncated, info = env.step("inventory")
    assert truncated and info["env_step"] == 2 and info["last_action_success"] == 1.0


def test_contract_and_check_env():
    env = gym.make("EgoAlfworldText-v0", resolution=32, expert=True)
    obs, info = env.reset(seed=0)
    assert obs["rgb"].shape == (32, 32, 3) and not obs["rgb"].any()
    assert CONTRACT_KEYS | {"expert_action"} <= set(info)
    assert {"id", "type", "subset", "instruction"} <= set(info["task"]) and info["task"]["split"] == "train"
    assert obs["feedback"].startswith("-= Welcome to TextWorld, ALFRED! =-")
    assert f"Your task is to: {obs['instruction']}" in obs["feedback"]
    check_env(AlfworldTextEnv(), skip_render_check=True)


@pytest.mark.parametrize("kwargs, message", [
    ({"scene_split": "val"}, "scene_split must be one of"),
    ({"view": "ego"}, "view must be 'blank'"),
    ({"subset": "kitchen"}, "subset must be one of"),
    ({"task_types": ["pick_and_place_with_movable_recep"]}, "no fixture game"),
])
def test_bad_arguments_name_the_bad_value(kwargs, message):
    with pytest.raises(ValueError, match=message):
        AlfworldTextEnv(**kwargs)


def test_missing_textworld_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "textworld", None)  # import textworld now raises ImportError
    with pytest.raises(ImportError, match=r"cannot import textworld.*\.\[alfworld\]"):
        AlfworldTextEnv(scene_split="all").reset(seed=0)


def test_episode_action_list_keeps_ids_for_a_whole_plan():
    env = AlfworldTextEnv(scene_split="all", action_list="episode", expert=True)
    obs, info = env.reset(seed=0)
    first = list(info["action_names"])
    plan = [info["action_names"].index(c) for c in ("go to drawer 1",)]
    obs, *_, info = env.step(plan[0])
    assert info["action_names"][:len(first)] == first  # old ids keep their commands
    assert "open drawer 1" in info["action_names"] and "go to drawer 1" in info["action_names"]
    assert "go to drawer 1" not in info["admissible_commands"]  # listed, but not admissible here
    obs, *_, info = env.step(info["action_names"].index("go to drawer 1"))
    assert info["last_action_success"] == 0.0 and "not one of the admissible" in obs["feedback"]
    while info["task_success"] != 1.0:
        obs, _, terminated, truncated, info = env.step(info["expert_action"])
        assert not truncated
    assert info["num_invalid_actions"] == 1
