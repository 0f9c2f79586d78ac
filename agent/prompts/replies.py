"""Reading model replies in the tagged formats the methods teach: blocks (``<answer>...</answer>``),
exact layouts, option letters, index lists, action lists, EARL's answer lists and box lines. Pure
functions that never raise on model text; rewards (``train``) and data selection
(``synth.select``) score with them.

Tags are matched case-sensitively everywhere: the formats are taught verbatim, and a reward that
forgave ``<ANSWER>`` would stop shaping towards the exact form.
"""

from __future__ import annotations

import ast
import json
import re
from functools import lru_cache


# Options run A-J as in synth.questions. Read: "Answer: B", "The correct option is (B)", "B. put
# the apple...". Only capitals, and a bare letter must be followed by punctuation or the end (a
# space only after an "answer is"), so that the article in "A mug" is never read as option A.
_PREFIX = re.compile(r"(?:the\s+)?(?:correct\s+|final\s+)?(?:answer|option|choice)(?:\s+is)?\s*[:\-]?\s*", re.I)
_LETTER = re.compile(r"[(\[]([A-J])[)\]]|([A-J])(?=$|[.:,;)\]])")
_LETTER_WORD = re.compile(r"([A-J])(?=\s)")
_BARE_LETTER = re.compile(r"[(\[]?([A-Ja-j])[)\]]?\.?")
_ACTION_SPLIT = re.compile(r"[\n;]+")
_ENUMERATION = re.compile(r"^(?:\d+[.)]|[-*\u2022])\s+")


def completion_text(completion) -> str:
    """The reply as text, from a plain string or TRL's conversational form
    ``[{"role": "assistant", "content": str | [{"type": "text", "text": str}, ...]}]``."""
    if completion is None:
        return ""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, dict):
        completion = [completion]
    parts = []
    for msg in completion:
        if not isinstance(msg, dict) or msg.get("role", "assistant") != "assistant":
            continue
        content = msg.get("content")
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):
            parts += [c.get("text") or "" for c in content if isinstance(c, dict) and c.get("type", "text") == "text"]
    return "".join(parts)


def block(text: str, tag: str) -> str | None:
    """The stripped content of the first ``<tag>...</tag>``, as the seeds' ``re.search`` reads it; None if absent."""
    m = re.search(f"<{tag}>(.*?)</{tag}>", text or "", re.S)
    return m.group(1).strip() if m else None


@lru_cache(maxsize=32)
def _layout(tags: tuple[str, ...]) -> re.Pattern:
    # A block's content may not hold any of the layout's tags, so a second block cannot hide inside
    # a lazy ``.*?`` (``<answer>A</answer><answer>B</answer>`` is not one answer block).
    inner = "(?:(?!</?(?:%s)>).)*" % "|".join(map(re.escape, tags))
    return re.compile(r"\s*" + r"\s*".join(f"<{t}>{inner}</{t}>" for t in tags) + r"\s*", re.S)


def has_layout(text: str, tags: tuple[str, ...]) -> bool:
    """True when ``text`` is exactly the given blocks, each once, in order, with only whitespace
    between and around them (the seeds' ``^<think>.*?</think>\\s*<answer>.*?</answer>$``)."""
    return _layout(tuple(tags)).fullmatch(text or "") is not None


def option_letter(content: str | None) -> str | None:
    """The option letter an ``<answer>`` holds: ``B``, ``(B)``, ``B.``, ``Answer: B``, ``b``,
    ``B. put the apple in the fridge``; None for anything else."""
    s = (content or "").strip()
    if m := _BARE_LETTER.fullmatch(s):
        return m.group(1).upper()
    prefix = _PREFIX.match(s)
    rest = s[prefix.end():] if prefix else s
    m = _LETTER.match(rest) or (_LETTER_WORD.match(rest) if prefix else None)
    return next(g for g in m.groups() if g) if m else None


def indices(content: str | None) -> set[int]:
    """The integers in ``1, 3`` / ``1 3`` / ``frame 1, frame 3``; empty when there are none."""
    return {int(x) for x in re.findall(r"\d+", content or "")}


def split_actions(content: str) -> list[str]:
    """The actions of one ``<action>`` block: one per line or per ``;``, list markers dropped."""
    out = []
    for part in _ACTION_SPLIT.split(content):
        part = _ENUMERATION.sub("", part.strip()).strip()
        if part:
            out.append(part)
    return out


def parse_str_list(content: str | None) -> list[str] | None:
    """A Python or JSON list of strings, as EARL's ``ast.literal_eval`` reads it; None if it is not one."""
    if content is None:
        return None
    for parse in (ast.literal_eval, json.loads):
        try:
            value = parse(content)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
    return None


def object_list(content: str | None) -> list[str]:
    """Ego3S's ``<object>a, b</object>``: comma-separated names, empty items dropped."""
    return [o.strip() for o in (content or "").split(",") if o.strip()]


def bbox_lines(content: str) -> list[tuple[str, list]]:
    """EARL's box lines: ``name: [x1, y1, x2, y2]`` or a bare ``[x1, y1, x2, y2]`` (name ""), one per
    line; lines that do not read as a four-element list are skipped."""
    out = []
    for line in (ln.strip() for ln in content.split("\n")):
        if not line:
            continue
        name, coords = line.split(":", 1) if ":" in line else ("", line)
        try:
            value = ast.literal_eval(coords.strip())
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
        if isinstance(value, list) and len(value) == 4:
            out.append((name.strip().strip("\"'").strip(), value))
    return out


def valid_box(coords) -> bool:
    """EARL's filter: integer coordinates (a float or bool is not one), x1 < x2, y1 < y2, x1, y1 >= 0."""
    if len(coords) != 4 or not all(isinstance(c, int) and not isinstance(c, bool) for c in coords):
        return False
    x0, y0, x1, y1 = coords
    return 0 <= x0 < x1 and 0 <= y0 < y1


def action_box(text: str) -> list[int] | None:
    """The compact format's optional ``<box>[x1, y1, x2, y2]</box>`` after the action: four integers
    (``valid_box``), else None, also when there is no box at all."""
    content = block(text, "box")
    if content is None:
        return None
    try:
        value = ast.literal_eval(content)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    return list(value) if isinstance(value, (list, tuple)) and valid_box(list(value)) else None
