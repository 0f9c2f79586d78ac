"""Conversations in the form TRL's SFT/GRPO trainers and LLaMA-Factory read: ``messages`` whose
content parts are ``{"type": "image"}`` placeholders or ``{"type": "text", "text": ...}``, with the
images in their own column, in order. Arrow needs one struct per part, so image parts carry
``text: None``."""

from __future__ import annotations

import numpy as np
from datasets import Features, Image, List, Value
from PIL import Image as PILImage

from agent.policy import Prompt

PART = {"type": Value("string"), "text": Value("string")}
MESSAGES = List({"role": Value("string"), "content": List(PART)})  # lists of structs, not structs of lists
IMAGES = List(Image())


def parts(content) -> list[dict]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return [{"type": "image", "text": None} if c.get("type") == "image" else {"type": "text", "text": c["text"]}
            for c in content]


def messages(prompt: Prompt, reply: str | None = None) -> list[dict]:
    out = [{"role": m["role"], "content": parts(m["content"])} for m in prompt.messages]
    if reply is not None:
        out.append({"role": "assistant", "content": [{"type": "text", "text": reply}]})
    return out


def pil(frames: list[np.ndarray]) -> list[PILImage.Image]:
    return [PILImage.fromarray(np.asarray(f)) for f in frames]


def features(**extra) -> Features:
    """``messages`` + ``images`` + the given extra columns."""
    return Features({"messages": MESSAGES, "images": IMAGES, **extra})
