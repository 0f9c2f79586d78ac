"""Optional: rephrase the template thoughts with any OpenAI-compatible model, for variety of
wording. Only the thought changes; the actions stay the expert's. A reply that fails or drops a
fact is discarded and the template kept, so the data stay true to the episode."""

from __future__ import annotations

import json
import logging
import os
import re

import openai

log = logging.getLogger(__name__)
THINK = re.compile(r"<think>(.*?)</think>", re.S)
ASK = ("Rewrite this robot's inner monologue in natural first-person English. Keep every fact, object "
       "name and number exactly; add nothing. Reply with the rewritten text only.\n\n{thought}")


def facts(thought: str) -> set[str]:
    """What a rewrite must keep: object names ("the Apple", "Cabinet_2") and numbers."""
    names = re.findall(r"\b(?:a|an|the)\s+([A-Z][A-Za-z]*(?:_\d+)?)", thought)
    return set(names) | set(re.findall(r"\b[A-Z][A-Za-z]*_\d+\b", thought)) | set(re.findall(r"\b\d+\b", thought))


class Rewriter:
    def __init__(self, base_url: str | None = None, model: str = "gpt-4o-mini", api_key_env: str = "OPENAI_API_KEY",
                 timeout_s: float = 60.0, max_retries: int = 3):
        key = os.environ.get(api_key_env) or "EMPTY"
        self.client = openai.OpenAI(api_key=key, base_url=base_url, timeout=timeout_s, max_retries=max_retries)
        self.model, self.kept, self.rewritten = model, 0, 0

    def rephrase(self, thought: str) -> str:
        try:
            reply = self.client.chat.completions.create(
                model=self.model, temperature=0.7, messages=[{"role": "user", "content": ASK.format(thought=thought)}])
            text = (reply.choices[0].message.content or "").strip()
        except Exception as e:  # the template is a fine fallback; the run goes on
            log.warning("thought rewrite failed (%s); keeping the template", type(e).__name__)
            text = ""
        if not text or not all(f in text for f in facts(thought)):
            self.kept += 1
            return thought
        self.rewritten += 1
        return text

    def rewrite_reply(self, reply: str) -> str:
        if reply.lstrip().startswith("{"):
            data = json.loads(reply)
            data["reasoning_and_reflection"] = self.rephrase(data["reasoning_and_reflection"])
            return json.dumps(data)
        m = THINK.search(reply)
        return reply if m is None else reply[:m.start(1)] + self.rephrase(m.group(1)) + reply[m.end(1):]

    def rewrite_rows(self, rows: list[dict]) -> None:
        for r in rows:
            r["replies"] = [self.rewrite_reply(t) for t in r["replies"]]
