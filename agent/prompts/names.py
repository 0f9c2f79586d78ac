"""Turning the action a model wrote into an id of the episode's action list, forgiving what a
reader would forgive (case, articles, spacing, underscores, a small typo) and nothing that could
change the meaning (another instance number, on for off)."""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

ARTICLES = frozenset({"a", "an", "the"})
MAX_FUZZY_CHARS = 120  # longer text is not an action name with a typo; skip the quadratic matcher


def normalize(text: str) -> str:
    """``"Find the  counter_top"`` -> ``"findcountertop"``: lower case, no articles, no separators."""
    words = re.split(r"[^0-9a-z]+", text.lower().replace("_", " "))
    return "".join(w for w in words if w and w not in ARTICLES)


class ActionNames:
    """Resolves text against one action list. ``resolve`` returns ``(id, note)``: the id, or None, and
    a note describing the repair when the text was not exactly a name."""

    def __init__(self, names: tuple[str, ...], threshold: float = 0.9, margin: float = 0.05):
        self.names, self.threshold, self.margin = names, threshold, margin
        self.exact = {n: i for i, n in reversed(list(enumerate(names)))}  # first occurrence wins
        self.keys: dict[str, int] = {}
        for i, n in enumerate(names):
            self.keys.setdefault(normalize(n), i)
        self._key_list = list(self.keys)

    def resolve(self, text: str) -> tuple[int | None, str | None]:
        if text in self.exact:
            return self.exact[text], None
        text = text.strip()
        if text in self.exact:
            return self.exact[text], None
        key = normalize(text)
        if key in self.keys:
            i = self.keys[key]
            return i, f"read {_short(text)} as {self.names[i]!r}"
        if not key or len(key) > MAX_FUZZY_CHARS:
            return None, None
        i = self._fuzzy(key)
        return (i, f"read {_short(text)} as the near miss {self.names[i]!r}") if i is not None else (None, None)

    def _fuzzy(self, key: str) -> int | None:
        digits = re.findall(r"\d+", key)
        scored = []
        for cand in difflib.get_close_matches(key, self._key_list, n=3, cutoff=self.threshold - self.margin):
            if re.findall(r"\d+", cand) == digits:  # never turn Cabinet_2 into Cabinet_3
                scored.append((difflib.SequenceMatcher(None, key, cand).ratio(), cand))
        scored.sort(reverse=True)
        if not scored or scored[0][0] < self.threshold:
            return None
        if len(scored) > 1 and scored[0][0] - scored[1][0] < self.margin:  # "turn of": on or off?
            return None
        return self.keys[scored[0][1]]


@lru_cache(maxsize=64)
def action_names(names: tuple[str, ...], threshold: float = 0.9) -> ActionNames:
    return ActionNames(names, threshold)


def _short(text: str, n: int = 60) -> str:
    return repr(text if len(text) <= n else text[:n] + "...")
