"""The skill mapping covers EB-ALFRED's 162 global action names (the household env's list): every name
parses to a skill, every THOR action a skill sends is one the backend answers, and every name runs
through the env on the fake backend to an EB-ALFRED feedback line."""

import pytest

from envs.household.vocab import GLOBAL_ACTIONS, PICK_OBJECTS, alias_actions
from envs.thor.fake_world import Fake
from envs.thor.vocab import SKILL_ACTIONS, aliases, skill_of

pytestmark = pytest.mark.timeout(60)


def test_every_global_action_parses_to_a_skill():
    assert len(GLOBAL_ACTIONS) == 162
    parsed = [skill_of(a) for a in GLOBAL_ACTIONS]
    assert all(p is not None for p in parsed)
    verbs = {p[0] for p in parsed}
    assert verbs == set(SKILL_ACTIONS)
    assert skill_of("find a Apple") == ("find", "Apple") and skill_of("open the Cabinet_2") == ("open", "Cabinet_2")
    assert skill_of("put down the object in hand")[0] == "put down" and skill_of("dance") is None
    assert [p[1] for p in parsed if p[0] == "pick up"] == list(PICK_OBJECTS)


def test_every_thor_action_is_one_the_backend_answers():
    sent = {a for actions in SKILL_ACTIONS.values() for a in actions}
    assert sent <= {name.removeprefix("do_") for name in dir(Fake) if name.startswith("do_")}


def test_aliases_follow_eb():
    meta = {"objects": [
        {"objectId": f"Cabinet|{k}", "objectType": "Cabinet", "receptacle": True, "pickupable": False} for k in range(3)
    ] + [{"objectId": f"Egg|{k}", "objectType": "Egg", "receptacle": False, "pickupable": True} for k in range(2)]
      + [{"objectId": "Fridge|0", "objectType": "Fridge", "receptacle": True, "pickupable": False}]}
    name_to_id, recs, picks = aliases(meta)
    assert name_to_id == {"Cabinet": "Cabinet|0", "Cabinet_2": "Cabinet|1", "Cabinet_3": "Cabinet|2",
                          "Egg": "Egg|0", "Egg_2": "Egg|1"}
    assert alias_actions(recs, picks) == ["find a Cabinet_2", "find a Cabinet_3", "open the Cabinet_2",
                                          "close the Cabinet_2", "open the Cabinet_3", "close the Cabinet_3",
                                          "find a Egg_2"]


def test_all_162_run_through_the_controller(make_env, heat_task):
    pytest.importorskip("ai2thor", reason="needs the thor extra: pip install 'egoloop[thor]'")
    env = make_env(heat_task, max_steps=1000, max_invalid=1000)
    _, info = env.reset(seed=0)
    for i in range(162):
        obs, _, _, _, info = env.step(i)
        fb = obs["feedback"]
        assert fb.startswith(("Last action executed successfully.", "Last action is invalid. ")), (i, fb)
        assert "not supported" not in fb and info["action_description"] == GLOBAL_ACTIONS[i]
