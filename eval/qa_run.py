"""The loop both question-answering evaluations share: answer the rows not answered yet, in
batches, score each reply, append the scores to the results log; then summarize."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from datasets import Dataset
from omegaconf import DictConfig, OmegaConf
from tqdm import tqdm

from agent.policy import Prompt
from agent.recorder import write_atomic
from eval.answerers import Answerer, make_answerer
from eval.results_log import ResultsLog
from synth.io import content_fingerprint

MAX_REPLY = 4000  # characters of each reply kept in the results (a runaway reply would bloat them)


def load(data: str | Path, limit: int | None) -> tuple[Dataset, list[int], str]:
    path = Path(data)
    if not (path / "dataset_info.json").exists():
        raise SystemExit(f"data={data} is not a saved dataset folder (python -m synth.videoqa / synth.grounding write one)")
    ds = Dataset.load_from_disk(str(path))
    ids = list(range(len(ds) if limit is None else min(int(limit), len(ds))))
    return ds, ids, content_fingerprint(ds)


def evaluate(ds: Dataset, ids: list[int], prompt_of: Callable[[dict], Prompt], score_of: Callable[[dict, str], dict],
             answer: Answerer, batch_size: int, log: ResultsLog, progress: bool = True) -> list[dict]:
    """Every id's result (resumed ones included), in id order."""
    done = log.load()
    todo = [i for i in ids if i not in done]
    bar = tqdm(total=len(ids), initial=len(ids) - len(todo), unit="question", disable=not progress)
    for k in range(0, len(todo), batch_size):
        chunk = todo[k:k + batch_size]
        rows = [ds[i] for i in chunk]
        replies = answer(chunk, [prompt_of(r) for r in rows], rows)
        results = [{"id": i, **score_of(r, text), "reply": text[:MAX_REPLY]} for i, r, text in zip(chunk, rows, replies)]
        log.append(results)
        done.update((r["id"], r) for r in results)
        bar.update(len(chunk))
    bar.close()
    return [done[i] for i in ids]


def write_summary(out: Path, summary: dict) -> None:
    write_atomic(out / "summary.json", json.dumps(summary, indent=1) + "\n")


def run(cfg: DictConfig, prompt_of: Callable[[dict], Prompt], score_of: Callable[[dict, str], dict],
        gold: Callable[[dict], str], chance: Callable, summarize: Callable[[list[dict]], dict]) -> dict:
    """A whole evaluation as each CLI runs it: answer (resuming ``cfg.out``), score, summarize, save."""
    ds, ids, fingerprint = load(cfg.data, cfg.limit)
    options = OmegaConf.to_container(cfg.policy, resolve=True)
    out = Path(cfg.out)
    log = ResultsLog(out, {"data": fingerprint, "policy": options})
    answer, batch = make_answerer(options, gold, chance)
    results = evaluate(ds, ids, prompt_of, score_of, answer, batch, log, cfg.progress)
    summary = {**summarize(results), "data": str(cfg.data), "data_fingerprint": fingerprint, "policy": options}
    write_summary(out, summary)
    return summary
