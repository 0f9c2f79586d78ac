import numpy as np

from agent.policy import HistoryItem, PolicyInput, Prompt
from agent.prompts import make_format

NAMES = ["find a Apple", "pick up the Apple", "find a Cabinet_2"]


def parse(text):
    return make_format("compact").parse(text, NAMES)


def test_reads_think_and_action():
    p = parse("<think>The apple is on the table.</think><action>find a Apple</action>")
    assert p.actions == (0,) and not p.repairs
    assert parse("<action>Pick up the apple</action>").actions == (1,)
    assert parse("<think>t</think><Action> find the cabinet 2 </Action>").actions == (2,)


def test_failures_and_empty():
    assert parse("find a Apple").error == "no <action>...</action> block"
    assert "not closed" in parse("<think>t</think><action>find a Ap").error
    assert "not an action here" in parse("<action>find a Cabinet_7</action>").error
    assert parse("<think>done</think><action> </action>").empty


def test_prompt_is_short_and_carries_history():
    fmt = make_format("compact")
    inp = PolicyInput(0, 2, 2, "Pick up the apple.", np.zeros((4, 4, 3), np.uint8), NAMES,
                      (HistoryItem(0, "find a Apple", "ok", True), HistoryItem(1, "pick up the Apple", "nope", False)),
                      "", Prompt([]), 28, {})
    system, user = fmt.build(inp).messages
    text = user["content"][1]["text"]
    assert "Previous actions: find a Apple, pick up the Apple" in text and "Last feedback: nope" in text
    assert "find a Cabinet_2" not in system["content"][0]["text"] + text  # no action list
    assert fmt.parse(fmt.render([2], NAMES, "go"), NAMES).actions == (2,)


def test_bare_is_compact_without_the_system_message():
    inp = PolicyInput(0, 1, 1, "Pick up the apple.", np.zeros((4, 4, 3), np.uint8), NAMES,
                      (HistoryItem(0, "find a Apple", "ok", True),), "", Prompt([]), 29, {})
    compact, bare = make_format("compact").build(inp), make_format("bare").build(inp)
    assert [m["role"] for m in bare.messages] == ["user"]
    assert bare.messages[0] == compact.messages[1] and bare.images == compact.images
    reply = make_format("compact").render([1], NAMES, "go")
    assert make_format("bare").render([1], NAMES, "go") == reply
    assert make_format("bare").parse(reply, NAMES).actions == (1,)
