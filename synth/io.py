"""Writing a synthesized dataset: the Hugging Face dataset itself (``save_to_disk``), a content
fingerprint (the same seed must give the same one), and a short card with its statistics."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
from datasets import Dataset, Features, concatenate_datasets


def content_fingerprint(ds: Dataset) -> str:
    """sha256 of the table's rows as Arrow IPC: equal exactly when the data are equal."""
    sink = pa.BufferOutputStream()
    table = ds.data.table.combine_chunks()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()


def save(ds: Dataset, out: str | Path, name: str, stats: dict, config: dict) -> str:
    """Save ``ds`` to ``out`` with ``card.json`` and ``README.md``; return the fingerprint."""
    out = Path(out)
    # an empty table would get no shard at all (datasets picks min(rows, ...)), which
    # load_from_disk cannot read back; one empty shard it can
    ds.save_to_disk(str(out), num_shards=1 if len(ds) == 0 else None)
    fingerprint = content_fingerprint(ds)
    card = {"dataset": name, "rows": len(ds), "columns": ds.column_names, "fingerprint": fingerprint,
            "stats": stats, "config": config}
    (out / "card.json").write_text(json.dumps(card, indent=1, sort_keys=True) + "\n")
    lines = [f"# {name}", "", f"{len(ds)} rows; columns: {', '.join(ds.column_names)}.",
             f"Content fingerprint: `{fingerprint}`.", "", "## Statistics", ""]
    lines += [f"- {k}: {v}" for k, v in stats.items()]
    lines += ["", "## How it was made", "", "```json", json.dumps(config, indent=1, sort_keys=True), "```", ""]
    (out / "README.md").write_text("\n".join(lines))
    return fingerprint


def rows_dataset(rows: Iterable[dict], features: Features, chunk: int = 1000) -> Dataset:
    """A dataset of rows that come one episode at a time, encoded ``chunk`` rows at once: memory then
    holds the encoded table (PNG bytes) and one chunk of decoded rows, not every episode's frames and
    masks. The content (and so the fingerprint) is that of ``Dataset.from_list`` on all the rows."""
    parts, pending = [], []
    for row in rows:
        pending.append(row)
        if len(pending) == chunk:
            parts.append(Dataset.from_list(pending, features=features))
            pending = []
    if pending or not parts:
        parts.append(Dataset.from_list(pending, features=features))
    return parts[0] if len(parts) == 1 else concatenate_datasets(parts)
