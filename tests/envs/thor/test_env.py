"""EgoThor-v0's Gymnasium contract and EB-ALFRED behaviour, on the real ai2thor 2.1.0 Controller driven
by the fake Unity backend (so physics, visibility and rendering are the fake's, not THOR's)."""

import json
import time

import numpy as np
import pytest

pytest.importorskip("ai2thor", reason="needs the thor extra: pip install 'egoloop[thor]'")

from envs.household.vocab import GLOBAL_ACTIONS  # noqa: E402
from envs.thor.errors import ThorBackendError  # noqa: E402
from tests.envs.thor.conftest import trajectory  # noqa: E402

pytestmark = pytest.mark.timeout(30)
INFO_KEYS = {"action_names", "task_success", "task_progress", "goal_conditions_met", "last_action_success",
             "num_invalid_actions", "env_step", "env_feedback", "instruction", "task", "events"}
STEP_KEYS = INFO_KEYS | {"action_id", "action_description", "interaction"}
OK = "Last action executed successfully."


def play(env, actions):
    out = []
    for a in actions:
        obs, reward, terminated, truncated, info = env.step(a)
        out.append((obs, reward, terminated, truncated, info))
    return out


def test_contract(make_env, heat_task):
    env = make_env(heat_task)
    obs, info = env.reset(seed=0)
    assert set(obs) == {"rgb", "instruction", "feedback"} and env.observation_space.contains(obs)
    assert obs["rgb"].shape == (64, 64, 3) and obs["rgb"].dtype == np.uint8 and obs["rgb"].flags.writeable
    assert obs["instruction"] == "Put a heated apple on the table." == info["instruction"] and obs["feedback"] == ""
    assert set(info) == INFO_KEYS and info["goal_conditions_met"] == (0, 3) and info["env_step"] == 0
    assert tuple(info["action_names"][:162]) == GLOBAL_ACTIONS
    assert info["action_names"][162:] == ["find a Cabinet_2", "open the Cabinet_2", "close the Cabinet_2",
                                          "find a Egg_2"]
    assert info["task"]["type"] == "pick_heat_then_place_in_recep" and info["task"]["scene"] == "FloorPlan1"
    # the frame is the backend's (resized from 300x300): red runs from the top row down
    assert obs["rgb"][0, 0, 0] < 10 and obs["rgb"][-1, 0, 0] > 245
    obs2, info2 = env.reset(seed=0)
    assert np.array_equal(obs["rgb"], obs2["rgb"]) and info2["action_names"] == info["action_names"]
    obs, reward, terminated, truncated, info = env.step(0)  # "find a Cart": not in this kitchen
    assert set(info) == STEP_KEYS and info["action_id"] == 0 and info["action_description"] == "find a Cart"
    assert obs["rgb"] is not obs2["rgb"] and np.array_equal(obs["rgb"], obs2["rgb"])  # nothing moved: same view
    assert obs["feedback"].startswith("Last action is invalid. Cannot find Cart.") and info["num_invalid_actions"] == 1


HEAT = ["find a Apple", "pick up the Apple", "find a Microwave", "open the Microwave", "put down the object in hand",
        "close the Microwave", "turn on the Microwave", "turn off the Microwave", "open the Microwave",
        "pick up the Apple", "find a DiningTable", "put down the object in hand"]


def test_heat_task_solved_through_the_controller(make_env, heat_task):
    env = make_env(heat_task)
    obs, info = env.reset(seed=0)
    steps = play(env, HEAT)
    assert all(s[0]["feedback"] == OK for s in steps)
    progress = [s[4]["goal_conditions_met"][0] for s in steps]
    assert progress == sorted(progress) and progress[-1] == 3
    assert sum(s[1] for s in steps) == pytest.approx(1.0)
    *_, (obs, reward, terminated, truncated, info) = steps
    assert terminated and not truncated and info["task_success"] == 1.0
    events = [e["event"] for s in steps for e in s[4]["events"]]
    assert events == ["picked", "opened", "put", "closed", "toggled_on", "heated", "toggled_off", "opened", "picked",
                      "put"]
    heated = next(e for s in steps for e in s[4]["events"] if e["event"] == "heated")
    assert heated["class"] == "Apple" and heated["other_class"] == "Microwave"
    assert steps[1][4]["interaction"]["class"] == "Apple"


def test_clean_and_cool_are_implicit(make_env, write_task):
    clean = write_task(trajectory("pick_clean_then_place_in_recep", "Apple", "DiningTable"), "clean.json")
    env = make_env(clean)
    env.reset(seed=0)
    steps = play(env, ["find a Apple", "pick up the Apple", "find a Sink", "put down the object in hand",
                       "turn on the Faucet", "turn off the Faucet", "pick up the Apple", "find a DiningTable",
                       "put down the object in hand"])
    assert [s[0]["feedback"] for s in steps] == [OK] * 9 and steps[-1][4]["task_success"] == 1.0
    assert steps[3][4]["events"][0]["other_class"] == "SinkBasin"  # "put down" after "find a Sink": the basin
    env.close()
    cool = write_task(trajectory("pick_cool_then_place_in_recep", "Tomato", "DiningTable"), "cool.json")
    env = make_env(cool)
    env.reset(seed=0)
    steps = play(env, ["find a Fridge", "open the Fridge", "close the Fridge", "open the Fridge", "pick up the Tomato",
                       "find a DiningTable", "put down the object in hand"])
    assert [s[0]["feedback"] for s in steps] == [OK] * 7 and steps[-1][4]["task_success"] == 1.0
    assert [e["event"] for e in steps[2][4]["events"]] == ["closed", "cooled"]


def test_slice_then_place(make_env, write_task):
    env = make_env(write_task(trajectory("pick_and_place_simple", "Apple", "DiningTable", sliced=True)))
    env.reset(seed=0)
    steps = play(env, ["find a Knife", "pick up the Knife", "find a Apple", "slice the Apple", "find a CounterTop",
                       "put down the object in hand", "find a Apple", "pick up the Apple", "find a DiningTable",
                       "put down the object in hand"])
    assert [s[0]["feedback"] for s in steps] == [OK] * 10
    assert steps[3][4]["events"][0]["event"] == "sliced" and steps[3][4]["goal_conditions_met"] == (1, 2)
    assert steps[7][4]["events"][0]["class"] == "AppleSliced" and steps[-1][4]["task_success"] == 1.0


def test_feedback_strings(make_env, heat_task):
    env = make_env(heat_task, max_steps=100, max_invalid=100)
    env.reset(seed=0)
    cases = [
        ("find a Laptop", "Cannot find Laptop. This object may not exist in this scene. Try to explore other "
                          "instances instead."),
        ("put down the object in hand", "Robot is not holding any object"),
        ("pick up the Apple", "Apple is not visible because it is in CounterTop. Go there to pick the object instead."),
        ("find a Apple", None),
        ("slice the Apple", "Slice action failed"),
        ("pick up the Apple", None),
        ("find a Egg", None),
        ("pick up the Egg", "Robot is currently holding Apple"),
        ("find a Microwave", None),
        ("close the Microwave", "Close action failed. The Microwave is already closed"),
        ("turn off the Microwave", "Turn off action failed"),
        ("find a Fridge", None),
        ("pick up the Tomato", "Tomato is not visible because it is in Fridge. Go there to pick the object instead."),
        ("open the Cabinet_2", "Open action failed."),
        ("fly to the moon", "instruction not supported"),
        (9999, "Action id 9999 is out of range 0..165 for this episode."),
    ]
    for action, expected in cases:
        obs, _, _, _, info = env.step(action)
        want = OK if expected is None else "Last action is invalid. " + expected
        assert obs["feedback"] == want, action
        assert info["last_action_success"] == float(expected is None)


def test_aliases_name_one_instance(make_env, heat_task):
    env = make_env(heat_task)
    _, info = env.reset(seed=0)
    cabinets = [o["objectId"] for o in env.unwrapped.skills.meta["objects"] if o["objectType"] == "Cabinet"]
    _, _, _, _, info = env.step(info["action_names"].index("find a Cabinet_2"))
    assert info["interaction"]["object"] == cabinets[1] and info["interaction"]["name"] == "Cabinet_2"
    _, _, _, _, info = env.step("open the Cabinet_2")
    assert info["last_action_success"] == 1.0 and info["events"][0]["object"] == cabinets[1]
    _, _, _, _, info = env.step("find a Cabinet")  # EB: the bare name of a multi-instance type is its first
    assert info["interaction"]["object"] == cabinets[0]
    eggs = [o["objectId"] for o in env.unwrapped.skills.meta["objects"] if o["objectType"] == "Egg"]
    _, _, _, _, info = env.step("find a Egg_2")
    assert info["last_action_success"] == 1.0 and info["interaction"]["object"] == eggs[1]


def test_episode_caps(make_env, heat_task):
    env = make_env(heat_task, max_invalid=2)
    env.reset(seed=0)
    assert env.step("find a Laptop")[3] is False
    *_, truncated, info = env.step("find a Laptop")
    assert truncated and info["num_invalid_actions"] == 2
    with pytest.raises(RuntimeError, match="episode is over"):
        env.step("find a Apple")
    env = make_env(heat_task, max_steps=2)
    env.reset(seed=0)
    assert [env.step("find a Apple")[3] for _ in range(2)] == [False, True]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_backend_death_mid_episode_then_recovery(make_env, heat_task, monkeypatch):
    env = make_env(heat_task)
    env.reset(seed=0)
    env.step("find a Apple")
    monkeypatch.setenv("EGOLOOP_FAKE_THOR_FAULT", "hang:PickupObject")  # read by the next backend started
    env.unwrapped.backend.close()
    env.reset(seed=0)
    env.step("find a Apple")
    t = time.monotonic()
    with pytest.raises(ThorBackendError, match="did not answer step\\('PickupObject'\\) within 2 s"):
        env.step("pick up the Apple")
    assert time.monotonic() - t < 5  # the 2 s deadline, plus a bounded teardown
    monkeypatch.delenv("EGOLOOP_FAKE_THOR_FAULT")
    obs, info = env.reset(seed=0)  # a fresh backend
    assert env.step("find a Apple")[0]["feedback"] == OK


def test_scene_validation(make_env, write_task):
    with pytest.raises(ValueError, match="FloorPlan999"):
        make_env(write_task(trajectory("pick_and_place_simple", "Apple", "DiningTable", scene_num=999)))


def test_eb_splits_file(make_env, tmp_path):
    data = tmp_path / "data"
    entries = []
    for k, (t, o, p) in enumerate([("pick_and_place_simple", "Egg", "DiningTable"),
                                   ("look_at_obj_in_light", "Apple", "")]):
        traj = trajectory(t, o, p, toggle_target="DeskLamp" if not p else "")
        name = f"{t}-{o}-None-{p or 'DeskLamp'}-1/trial_T{k}"
        (data / "json_2.1.0" / name / "pp").mkdir(parents=True)
        (data / "json_2.1.0" / name / "pp" / "ann_0.json").write_text(json.dumps(traj))
        entries.append({"task": name, "repeat_idx": 0, "instruction": f"EB instruction {k}"})
    (data / "splits").mkdir()
    (data / "splits" / "splits.json").write_text(json.dumps({"base": entries, "spatial": entries[:1]}))
    env = make_env(data / "splits" / "splits.json", subset="base")
    obs, info = env.reset(seed=1)
    assert obs["instruction"] == "EB instruction 1" and info["task"]["type"] == "look_at_obj_in_light"
    steps = play(env, ["find a Apple", "pick up the Apple", "find a DeskLamp", "turn on the DeskLamp"])
    assert [s[4]["goal_conditions_met"] for s in steps] == [(0, 2), (1, 2), (1, 2), (2, 2)]
    assert env.reset(seed=2)[0]["instruction"] == "EB instruction 0"  # seeds cycle through the file in order


def test_gymnasium_env_checker(make_env, heat_task):
    from gymnasium.utils.env_checker import check_env

    check_env(make_env(heat_task).unwrapped, skip_render_check=False)


def test_find_teleports_to_the_nearest_reachable_point_facing_the_object(make_env, heat_task):
    import math

    env = make_env(heat_task)
    env.reset(seed=0)
    skills = env.unwrapped.skills
    env.step("find a Apple")
    meta = skills.meta
    apple = next(o for o in meta["objects"] if o["objectType"] == "Apple")
    agent = meta["agent"]
    pos, loc = agent["position"], apple["position"]
    nearest = min(skills.reachable, key=lambda p: (p[0] - loc["x"]) ** 2 + (p[1] - loc["z"]) ** 2)
    assert (pos["x"], pos["z"]) == nearest and apple["visible"]
    bearing = math.degrees(math.atan2(loc["x"] - pos["x"], loc["z"] - pos["z"])) % 360
    assert abs((agent["rotation"]["y"] - bearing + 180) % 360 - 180) < 1e-6
    assert agent["cameraHorizon"] > 0  # the apple is below the camera: EB looks down at it


def test_failed_puts_drop_the_object_on_the_third_try(make_env, heat_task):
    env = make_env(heat_task)
    env.reset(seed=0)
    play(env, ["find a Apple", "pick up the Apple", "find a Fridge"])
    fail = ("Last action is invalid. Putting the object on Fridge failed. First check the receptacle is open or not. "
            "Also try other instances of the receptacle")
    steps = play(env, ["put down the object in hand"] * 3)
    assert [s[0]["feedback"] for s in steps] == [fail, fail, fail + ". The robot dropped the object instead."]
    assert [e["event"] for e in steps[2][4]["events"]] == ["dropped"] and env.unwrapped.skills.held is None


def test_expert_replays_alfreds_plan_as_eb_skills(make_env, heat_task):
    from envs.thor.expert import skills_for

    env = make_env(heat_task, expert=True)
    obs, info = env.reset(seed=0)
    names, done, taken = info["action_names"], False, []
    while not done and info["expert_action"] is not None:
        taken.append(names[info["expert_action"]])
        obs, _, terminated, truncated, info = env.step(info["expert_action"])
        assert obs["feedback"] == OK, taken[-1]
        done = terminated or truncated
    assert info["task_success"] == 1.0 and taken == HEAT[:9] + ["pick up the Apple", "close the Microwave"] + HEAT[10:]
    assert skills_for([{"discrete_action": {"action": "Teleport", "args": []}}]) is None  # no EB equivalent
    look = [{"discrete_action": {"action": a, "args": args}} for a, args in
            [("PickupObject", ["cellphone"]), ("GotoLocation", ["desk"]), ("ToggleObject", ["desklamp"])]]
    assert skills_for(look) == ["find a CellPhone", "pick up the CellPhone", "find a DeskLamp", "turn on the DeskLamp"]
    clean = [{"discrete_action": {"action": "CleanObject", "args": ["apple"]}},
             {"discrete_action": {"action": "PutObject", "args": ["apple", "sinkbasin"]}}]
    assert skills_for(clean) == ["find a Sink", "put down the object in hand", "turn on the Faucet",
                                 "turn off the Faucet", "pick up the Apple", "put down the object in hand"]


def test_annotations_from_the_object_image(make_env, heat_task):
    env = make_env(heat_task, annotations=True)
    obs, info = env.reset(seed=0)
    assert info["frame"].mask.shape == (64, 64) and info["frame"].mask.dtype == np.int32
    obs, _, _, _, info = env.step("find a Apple")
    seen = {o["class"]: o for o in info["frame"].objects}
    apple = seen["Apple"]
    assert apple["name"] == "Apple" and apple["pixels"] >= 10 and apple["object"] == info["interaction"]["object"]
    x0, y0, x1, y1 = apple["box"]
    assert 0 <= x0 < x1 <= 64 and 0 <= y0 < y1 <= 64
    assert x0 < 40 and x1 > 24  # find turned the agent to face it: in the middle (nearer things may cover part)
    assert info["interaction"]["box_after"] == apple["box"]
    _, _, _, _, info = env.step("pick up the Apple")
    assert info["interaction"]["box_before"] == apple["box"] and info["interaction"]["box_after"] is not None
    k = next(o["id"] for o in info["frame"].objects if o["class"] == "Apple")
    assert k == apple["id"]  # an object keeps its mask id through the episode
