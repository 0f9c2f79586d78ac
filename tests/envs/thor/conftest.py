"""Fixtures for the THOR tests: the real ai2thor 2.1.0 Controller driven by ``envs.thor.fake_backend``.

The fake backend draws its frames with numpy and needs no X server; ``fake_display`` puts an
``xdpyinfo`` that always answers first on PATH and sets DISPLAY, so that the env's display check and
ai2thor's own one (which also runs ``xdpyinfo``) both pass without one. Everything else is the unmodified controller.
"""

from __future__ import annotations

import json

import pytest

from envs.thor.fake_backend import write_fake_build, write_fake_xdpyinfo
from envs.thor.fake_world import kitchen


@pytest.fixture(scope="session")
def fake_build(tmp_path_factory):
    return write_fake_build(tmp_path_factory.mktemp("thor_build"))


@pytest.fixture
def fake_display(tmp_path, monkeypatch):
    bin_dir = write_fake_xdpyinfo(tmp_path / "xbin")
    monkeypatch.setenv("PATH", f"{bin_dir}:{__import__('os').environ['PATH']}")
    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.delenv("EGOLOOP_FAKE_THOR_FAULT", raising=False)
    return ":99"


def trajectory(task_type: str, object_target: str, parent_target: str = "", toggle_target: str = "",
               mrecep_target: str = "", sliced: bool = False, scene_num: int = 1, poses: dict | None = None,
               instruction: str = "Do the task.", high_pddl: list | None = None) -> dict:
    """An ALFRED json_2.1.0 trajectory (the keys the env reads) for the fake kitchen."""
    names = {o["objectType"]: o["name"] for o in kitchen()}
    object_poses = [{"objectName": names[t], "position": dict(zip("xyz", p)), "rotation": {"x": 0, "y": 0, "z": 0}}
                    for t, p in (poses or {}).items()]
    return {
        "task_type": task_type, "task_id": f"trial_{task_type}", "repeat_idx": 0,
        "pddl_params": {"object_target": object_target, "parent_target": parent_target,
                        "toggle_target": toggle_target, "mrecep_target": mrecep_target, "object_sliced": sliced},
        "scene": {"scene_num": scene_num, "random_seed": 1, "floor_plan": f"FloorPlan{scene_num}",
                  "dirty_and_empty": True, "object_toggles": [{"objectType": "DeskLamp", "isOn": False}],
                  "object_poses": object_poses,
                  "init_action": {"action": "TeleportFull", "x": 0.0, "y": 0.9, "z": 0.5, "rotation": 0,
                                  "horizon": 30, "rotateOnTeleport": False}},
        "turk_annotations": {"anns": [{"task_desc": instruction}]},
        "plan": {"high_pddl": [{"discrete_action": {"action": a, "args": list(args)}, "high_idx": k}
                               for k, (a, *args) in enumerate(high_pddl or [])], "low_actions": []},
    }


@pytest.fixture
def write_task(tmp_path):
    def write(traj: dict, name: str = "traj_data.json"):
        path = tmp_path / "tasks" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(traj))
        return path
    return write


@pytest.fixture
def heat_task(write_task):
    plan = [("GotoLocation", "countertop"), ("PickupObject", "apple"), ("GotoLocation", "microwave"),
            ("HeatObject", "apple"), ("GotoLocation", "diningtable"), ("PutObject", "apple", "diningtable"),
            ("NoOp",)]
    return write_task(trajectory("pick_heat_then_place_in_recep", "Apple", "DiningTable", high_pddl=plan,
                                 poses={"Apple": (-1.0, 1.0, 0.1)}, instruction="Put a heated apple on the table."))


@pytest.fixture
def make_env(fake_build, fake_display):
    """``make_env(tasks, **kwargs)``: an EgoThor-v0 on the fake backend, closed after the test."""
    import gymnasium as gym

    import envs  # noqa: F401  (registers the ids)

    made = []

    def make(tasks, **kwargs):
        kwargs = {"build": str(fake_build), "timeout": 2.0, "resolution": 64, **kwargs}
        env = gym.make("EgoThor-v0", tasks=str(tasks), **kwargs)
        made.append(env)
        return env

    yield make
    for env in made:
        env.close()
