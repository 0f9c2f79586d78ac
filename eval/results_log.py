"""An append-only results file that survives being killed at any moment.

Each finished item is one JSON line, flushed and fsynced before the next batch starts. On resume,
a last line cut short by a kill is dropped (and the file rewritten without it), so every item is
either there whole or redone; none is lost or counted twice. A ``run.json`` beside it holds what the
results depend on (dataset fingerprint, model, options): resuming with anything else is refused.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from agent.recorder import write_atomic


class ResultsLog:
    def __init__(self, folder: Path, identity: dict, name: str = "results.jsonl"):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / name
        meta = self.folder / "run.json"
        if meta.exists():
            old = json.loads(meta.read_text())
            if old != identity:
                changed = sorted(k for k in set(old) | set(identity) if old.get(k) != identity.get(k))
                raise SystemExit(f"{self.folder} holds results of another run (differs in: {', '.join(changed)}); "
                                 "choose another out= folder")
        else:
            write_atomic(meta, json.dumps(identity, indent=1, sort_keys=True) + "\n")

    def load(self) -> dict[int, dict]:
        """The finished items by ``id``; a torn last line is dropped from the file."""
        if not self.path.exists():
            return {}
        rows, good = {}, []
        for line in self.path.read_text().splitlines(keepends=True):
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                break  # only the last line can be torn: everything after it is unwritten
            if not line.endswith("\n"):
                break
            rows[row["id"]] = row
            good.append(line)
        if sum(map(len, good)) != self.path.stat().st_size:
            write_atomic(self.path, "".join(good))
        return rows

    def append(self, rows: list[dict]) -> None:
        with open(self.path, "a") as f:
            f.write("".join(json.dumps(r, sort_keys=True) + "\n" for r in rows))
            f.flush()
            os.fsync(f.fileno())
