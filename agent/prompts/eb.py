"""EmbodiedBench's planner format: one user message holding the image and the whole prompt (role,
skill rules, the numbered action list, in-context examples, guidelines, the instruction and the
action history), re-sent every turn; the reply is one JSON object whose ``executable_plan`` lists
actions that run in order until the first failure."""

from __future__ import annotations

import json
from functools import lru_cache

from agent.policy import Plan, PolicyInput, Prompt
from agent.prompts.jsonfix import load_object
from agent.prompts.names import action_names
from agent.prompts.rules import ROLE, rules_text

KEYS = ("visual_state_description", "reasoning_and_reflection", "language_plan", "executable_plan")
MAX_PLAN = 20  # EB's guideline; longer plans are cut to the steps left anyway
GUIDELINES = (
    f"Output at least one action and at most {MAX_PLAN} in a plan.",
    "Find an object or receptacle before you act on it.",
    "The action id must match the action name.",
    "Do not repeat a sequence of actions that failed; try something else.",
    "Objects of the same kind are told apart by a suffix, as in Cabinet_2.",
    "Read the action history and the environment feedback before you plan.",
)


class EBFormat:
    name = "eb"

    def __init__(self, examples: tuple[str, ...] = (), language_only: bool = False, env_feedback: bool = True,
                 threshold: float = 0.9):
        self.examples, self.language_only, self.env_feedback = tuple(examples), language_only, env_feedback
        self.threshold = threshold
        keys = KEYS[1:] if language_only else KEYS
        self.schema_hint = (f"Reply with one JSON object with the keys {', '.join(map(json.dumps, keys))}; "
                            '"executable_plan" is a non-empty list of {"action_id": int, "action_name": str}. '
                            "Do not wrap it in ```json.")

    # ---- prompt --------------------------------------------------------------------------------
    def build(self, inp: PolicyInput) -> Prompt:
        n = len(inp.action_names)
        parts = [_preamble(tuple(inp.action_names), self.examples), f"## Now the human instruction is: {inp.instruction.rstrip('.')}."]
        if inp.history:
            parts.append("The action history:\n" + "\n".join(self._history_line(k, h) for k, h in enumerate(inp.history, 1)))
            parts.append("Considering the action history and the feedback, first describe what you see, then say "
                         "why the last plan failed if it did, and output a new executable plan from the current state.")
        else:
            parts.append(("" if self.language_only else "First describe what you see in the image, then ")
                         + f"reason about the task and output an executable plan of action ids from 0 to {n - 1}.")
        parts.append(self.schema_hint)
        text = "\n\n".join(parts)
        if self.language_only:
            return Prompt([{"role": "user", "content": [{"type": "text", "text": text}]}])
        content = [{"type": "image"}, {"type": "text", "text": text}]
        return Prompt([{"role": "user", "content": content}], [inp.image], (inp.step,))

    def _history_line(self, k: int, h) -> str:
        aid = -1 if h.action_id is None else h.action_id
        line = f"Step {k}, action id {aid}, {h.action}"
        return line + (f", env feedback: {h.feedback}" if self.env_feedback else "")

    # ---- reply ---------------------------------------------------------------------------------
    def render(self, actions: list[int], names: list[str], thought: str, visual: str = "") -> str:
        """A reply in this format (what a scripted policy says, and the SFT target)."""
        reply = {"visual_state_description": visual, "reasoning_and_reflection": thought,
                 "language_plan": "; ".join(names[a] for a in actions),
                 "executable_plan": [{"action_id": a, "action_name": names[a]} for a in actions]}
        if self.language_only:
            del reply["visual_state_description"]
        return json.dumps(reply)

    def parse(self, text: str, names: list[str]) -> Plan:
        value, error, repairs = load_object(text)
        if error:
            return Plan(error=error, repairs=repairs)
        plan = _plan_list(value)
        if isinstance(plan, str):
            return Plan(error=plan, repairs=repairs)
        if not plan:
            return Plan(empty=True, repairs=repairs)
        resolver = action_names(tuple(names), self.threshold)
        ids: list[int] = []
        for k, item in enumerate(plan):
            aid, note = _item_id(item, resolver)
            if aid is None:
                if k == 0:
                    return Plan(error=f"the first action {_short(item)} is not one of the {len(names)} actions",
                                repairs=repairs)
                repairs += (f"cut the plan before action {k + 1} ({_short(item)}), which is not an action",)
                break
            ids.append(aid)
            repairs += (note,) if note else ()
        return Plan(tuple(ids), repairs=repairs)

    def error_feedback(self, error: str) -> str:
        return f"Last action is invalid. Your reply could not be read as a plan: {error}. {self.schema_hint}"


@lru_cache(maxsize=16)
def _preamble(names: tuple[str, ...], examples: tuple[str, ...]) -> str:
    lines = [ROLE, "## Action descriptions and validity rules\n" + rules_text(),
             f"## The available action id (0 ~ {len(names) - 1}) and action names are:\n"
             + "\n".join(f"action id {i}: {n}, " for i, n in enumerate(names))]
    lines += [f"## Task Execution Example {i}:\n{ex}" for i, ex in enumerate(examples, 1)]
    lines.append("## Guidelines\n" + "\n".join(f"{i}. {g}" for i, g in enumerate(GUIDELINES, 1)))
    return "\n\n".join(lines)


def _plan_list(value) -> list | str:
    """The ``executable_plan`` list, or a string saying what is wrong."""
    if isinstance(value, list):
        return value  # a bare plan: readable, so read it
    if not isinstance(value, dict):
        return "the JSON is not an object"
    for key, v in value.items():
        if isinstance(key, str) and key.strip().lower().replace(" ", "_") == "executable_plan":
            return v if isinstance(v, list) else "executable_plan is not a list"
    return "the key executable_plan is missing"


def _item_id(item, resolver) -> tuple[int | None, str | None]:
    """One plan entry -> id. A name in the list wins over a disagreeing id (EB ignores names; we trust
    the words, which models get right more often than the numbers)."""
    name, aid = None, None
    if isinstance(item, dict):
        name, aid = item.get("action_name"), item.get("action_id")
    elif isinstance(item, str):
        name = item
    else:
        aid = item
    if isinstance(name, str):
        by_name, note = resolver.resolve(name)
        if by_name is not None:
            if _as_int(aid) not in (None, by_name):
                note = f"action id {_short(aid)} disagreed with {resolver.names[by_name]!r}; the name wins"
            return by_name, note
    aid = _as_int(aid)
    if aid is not None and 0 <= aid < len(resolver.names):
        return aid, (f"unknown action name {_short(name)}; used the id" if name is not None else None)
    return None, None


def _as_int(x) -> int | None:
    if isinstance(x, bool):
        return None
    if isinstance(x, int):
        return x
    if isinstance(x, float) and x.is_integer():
        return int(x)
    if isinstance(x, str) and x.strip().lstrip("-").isdigit() and len(x) < 12:
        return int(x.strip())
    return None


def _short(x, n: int = 60) -> str:
    s = repr(x)
    return s if len(s) <= n else s[:n] + "..."
