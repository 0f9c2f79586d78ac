"""A short format for small local models that train on a CPU: a brief system message with the
skill patterns (no action list: the parser resolves names against the episode's list), the image,
the task, the previous actions and the last feedback; the reply is
``<think>...</think><action>NAME</action>``, one action per turn, optionally followed by
``<box>[x1, y1, x2, y2]</box>``: the pixel box of the object the action targets in the current
frame (online GRPO rewards it by IoU with the simulator's box). The parser ignores the box, so a
reply with or without one plans the same; ``agent.prompts.replies.action_box`` reads it.

``bare`` is the same format without the system message: a model trained from scratch learns the
reply's shape from its data and has no use for instructions, which are 40% of a turn's tokens (and
of its training compute)."""

from __future__ import annotations

import re

from agent.policy import Plan, PolicyInput, Prompt
from agent.prompts.jsonfix import MAX_CHARS
from agent.prompts.names import action_names
from agent.prompts.rules import ROLE

ACTION = re.compile(r"<action>(.*?)</action>", re.S | re.I)
THINK = re.compile(r"<think>.*?</think>", re.S | re.I)
SKILLS = ("find a X, pick up the X, put down the object in hand, drop the object in hand, open the X, "
          "close the X, turn on the X, turn off the X, slice the X")
SYSTEM = (f"{ROLE}\nSkills: {SKILLS}. Objects of the same kind are told apart by a suffix, as in Cabinet_2.\n"
          "Reply as <think>your reasoning</think><action>one action</action>.")
BOX_HINT = ("\nAfter the action you may add <box>[x1,y1,x2,y2]</box>: the pixel box of the object the action "
            "targets in the image.")


class CompactFormat:
    name = "compact"

    def __init__(self, threshold: float = 0.9, box: bool = False, system: bool = True):
        self.threshold, self.box = threshold, box  # box: the system message asks for the optional <box>
        self.system = system

    def build(self, inp: PolicyInput) -> Prompt:
        done = ", ".join(h.action for h in inp.history) or "none"
        last = inp.history[-1].feedback if inp.history else "none"
        text = f"Task: {inp.instruction}\nPrevious actions: {done}\nLast feedback: {last}"
        messages = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": text}]}]
        if self.system:
            system = SYSTEM + BOX_HINT if self.box else SYSTEM
            messages.insert(0, {"role": "system", "content": [{"type": "text", "text": system}]})
        return Prompt(messages, [inp.image], (inp.step,))

    def render(self, actions: list[int], names: list[str], thought: str, visual: str = "") -> str:
        think = f"{visual} {thought}".strip()
        return f"<think>{think}</think><action>{names[actions[0]] if actions else ''}</action>"

    def parse(self, text: str, names: list[str]) -> Plan:
        if len(text) > MAX_CHARS:
            return Plan(error=f"the reply is {len(text)} characters long, over the {MAX_CHARS} read")
        m = ACTION.search(text)
        if m is None:
            cut = "<action>" in text.lower()
            return Plan(error="the <action> block is not closed (was the reply cut off?)" if cut
                        else "no <action>...</action> block")
        repairs = () if THINK.search(text[:m.start()]) else ("no <think> block before the action",)
        content = m.group(1).strip()
        if not content:
            return Plan(empty=True, repairs=repairs)
        aid, note = action_names(tuple(names), self.threshold).resolve(content)
        if aid is None:
            shown = content if len(content) <= 60 else content[:60] + "..."
            return Plan(error=f"{shown!r} is not an action here", repairs=repairs)
        return Plan((aid,), repairs=repairs + ((note,) if note else ()))

    def error_feedback(self, error: str) -> str:
        return (f"Last action is invalid. Your reply could not be read: {error}. "
                "Reply as <think>your reasoning</think><action>one action</action>.")


class BareFormat(CompactFormat):
    """The compact format without its system message (for models trained from scratch)."""

    name = "bare"

    def __init__(self, threshold: float = 0.9, box: bool = False):
        super().__init__(threshold, box, system=False)
