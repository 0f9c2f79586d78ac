import json

import numpy as np

from agent.policy import HistoryItem, PolicyInput, Prompt
from agent.prompts import make_format

NAMES = ["find a Apple", "pick up the Apple", "find a Fridge", "open the Fridge", "put down the object in hand"]


def parse(text):
    return make_format("eb").parse(text, NAMES)


def reply(plan, **keys):
    return json.dumps({"visual_state_description": "v", "reasoning_and_reflection": "r", "language_plan": "l",
                       "executable_plan": plan, **keys})


def test_reads_a_plan_of_ids_and_names():
    p = parse(reply([{"action_id": 0, "action_name": "find a Apple"}, {"action_id": 1, "action_name": "pick up the Apple"}]))
    assert p.actions == (0, 1) and p.error is None and not p.repairs


def test_repairs_what_a_reader_would():
    p = parse("```json\n{'executable_plan': [{'action_id': 2, 'action_name': 'find a Fridge'},],}\n```")
    assert p.actions == (2,) and "removed a code fence" in p.repairs
    p = parse('Sure! {"executable_plan": [{"action_id": 2, "action_name": "find a Fridge",},]} Done.')
    assert p.actions == (2,) and "removed trailing commas" in p.repairs
    p = parse(reply([{"action_id": 4, "action_name": "Open the fridge"}]))  # the name wins over the id
    assert p.actions == (3,) and any("the name wins" in r for r in p.repairs)
    p = parse(reply([{"action_id": 3, "action_name": "dance"}]))  # an unknown name: the id stands
    assert p.actions == (3,)
    assert parse(reply(["find a Apple", 1])).actions == (0, 1)


def test_cuts_the_plan_before_an_unknown_action():
    p = parse(reply([{"action_id": 0, "action_name": "find a Apple"}, {"action_id": 99, "action_name": "fly"}]))
    assert p.actions == (0,) and any("cut the plan" in r for r in p.repairs)


def test_failures_say_why():
    assert "not closed" in parse(reply([{"action_id": 0}])[:-3]).error
    assert "missing" in parse('{"plan": [1]}').error
    assert "not one of the 5 actions" in parse(reply([{"action_id": 7, "action_name": "fly"}])).error
    assert parse("I think I should find the apple.").error == "no JSON object in the reply"
    assert "characters long" in parse("{" * 300_000).error


def test_an_empty_plan_is_not_an_error():
    p = parse(reply([]))
    assert p.empty and p.error is None and p.actions == ()


def test_prompt_is_ebs_single_user_message_with_image_first():
    fmt = make_format("eb", examples=("Human instruction: x\nOutput: {}",))
    image = np.zeros((8, 8, 3), np.uint8)
    history = (HistoryItem(2, "find a Fridge", "Last action executed successfully.", True),)
    inp = PolicyInput(7, 1, 1, "Cool an apple.", image, NAMES, history, "", Prompt([]), 29, {})
    prompt = fmt.build(inp)
    (msg,) = prompt.messages
    assert msg["role"] == "user" and [c["type"] for c in msg["content"]] == ["image", "text"]
    text = msg["content"][1]["text"]
    assert "action id 4: put down the object in hand" in text and "## Task Execution Example 1:" in text
    assert "## Now the human instruction is: Cool an apple." in text
    assert "Step 1, action id 2, find a Fridge, env feedback: Last action executed successfully." in text
    assert prompt.images[0] is image and prompt.image_steps == (1,)


def test_render_round_trips_through_parse():
    fmt = make_format("eb")
    assert fmt.parse(fmt.render([3, 4], NAMES, "because"), NAMES).actions == (3, 4)
