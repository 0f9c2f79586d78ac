"""Reading the JSON object in a model's reply when the model did not quite write JSON: code fences,
prose around it, single quotes, Python literals, trailing commas. Never raises."""

from __future__ import annotations

import ast
import json
import re

MAX_CHARS = 200_000  # far beyond any max_tokens; longer replies are refused rather than parsed
FENCE = re.compile(r"```[A-Za-z]*\s*(.*?)```", re.S)
TRAILING_COMMA = re.compile(r",\s*([}\]])")


def load_object(text: str) -> tuple[object | None, str | None, tuple[str, ...]]:
    """``(value, error, repairs)``: the parsed value, or None and why not."""
    if len(text) > MAX_CHARS:
        return None, f"the reply is {len(text)} characters long, over the {MAX_CHARS} read", ()
    repairs: list[str] = []
    s = text.strip()
    fenced = FENCE.search(s)
    if fenced:
        s = fenced.group(1).strip()
        repairs.append("removed a code fence")
    start, end = _span(s)
    if start is None:
        cut = "{" in s or "[" in s
        return None, ("the JSON is not closed (was the reply cut off?)" if cut else "no JSON object in the reply"), \
            tuple(repairs)
    if start > 0 or end < len(s):
        repairs.append("ignored text around the JSON")
    s = s[start:end]
    last_error = "invalid JSON"
    for fix, note in ((lambda x: x, None),
                      (lambda x: TRAILING_COMMA.sub(r"\1", x), "removed trailing commas"),
                      (_python_literal, "read a Python literal (single quotes)"),
                      (lambda x: TRAILING_COMMA.sub(r"\1", x.replace("'", '"')), "swapped single quotes")):
        try:
            candidate = fix(s)
            value = candidate if not isinstance(candidate, str) else json.loads(candidate)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError) as e:
            last_error = f"invalid JSON ({_first_line(e)})" if note is None else last_error
            continue
        return value, None, tuple(repairs + ([note] if note else []))
    return None, last_error, tuple(repairs)


def _span(s: str) -> tuple[int | None, int]:
    """From the first ``{`` (or ``[`` when there is no object) to the last matching closer."""
    for opener, closer in (("{", "}"), ("[", "]")):
        start, end = s.find(opener), s.rfind(closer)
        if start != -1 and end > start:
            return start, end + 1
    return None, 0


def _python_literal(s: str):
    value = ast.literal_eval(s)
    if not isinstance(value, (dict, list)):
        raise ValueError("not a dict or list")
    return value


def _first_line(e: Exception) -> str:
    return str(e).splitlines()[0][:120] if str(e) else type(e).__name__
