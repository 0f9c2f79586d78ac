"""Prompt formats: each builds a turn's prompt, parses a reply into a plan without ever raising, and
writes a reply of its own kind for scripted policies (the text synthesis trains on)."""

from __future__ import annotations

from agent.prompts.compact import BareFormat, CompactFormat
from agent.prompts.eb import EBFormat

FORMATS = {"eb": EBFormat, "compact": CompactFormat, "bare": BareFormat}


def make_format(name: str, **options):
    if name not in FORMATS:
        raise ValueError(f"prompt must be one of {sorted(FORMATS)}, got {name!r}")
    return FORMATS[name](**options)
