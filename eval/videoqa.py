"""Egocentric video-QA accuracy, overall and per question family.

    python -m eval.videoqa data=runs/synth/videoqa policy=qwen policy.path=runs/sft/final
    python -m eval.videoqa data=runs/synth/videoqa policy=random      # chance (1 in 5)

``data`` is a dataset written by ``python -m synth.videoqa`` (on the test scenes for held-out
numbers: ``scene_split=test``). Each row's prompt (its frames and its question) goes to the policy
as is; the reply's ``<answer>`` letter is scored (EgoVLM's accuracy), with its keyframe reward and
format alongside. Results: ``<out>/results.jsonl`` (one line per question, appended as answered,
so a rerun resumes) and ``<out>/summary.json``.
"""

from __future__ import annotations

import hydra
import numpy as np
from omegaconf import DictConfig

from agent.policy import Prompt
from eval.metrics import accuracy_by
from eval.qa_run import run
from train.rewards import keyframe_reward, mcq_accuracy, think_answer_format


def prompt_of(row: dict) -> Prompt:
    return Prompt(row["messages"], [np.asarray(im.convert("RGB")) for im in row["images"]])


def score_of(row: dict, reply: str) -> dict:
    return {"family": row["family"], "answer": row["answer"], "correct": mcq_accuracy(reply, row["answer"]),
            "keyframe": keyframe_reward(reply, row["answer"], row["keyframes"]),
            "format": think_answer_format(reply)}


def gold(row: dict) -> str:
    keys = ", ".join(map(str, row["keyframes"]))
    return f"<think>{row['answer_text']}</think><keyframes>{keys}</keyframes><answer>{row['answer']}</answer>"


def chance(rng: np.random.Generator, row: dict) -> str:
    return f"<think></think><answer>{'ABCDEFGH'[int(rng.integers(len(row['options'])))]}</answer>"


def summarize(results: list[dict]) -> dict:
    acc = accuracy_by(results, "family")
    n = max(len(results), 1)
    return {"accuracy": acc["overall"], "questions": acc["n"], "by_family": acc["by_family"],
            "keyframe_reward": sum(r["keyframe"] for r in results) / n,
            "format": sum(r["format"] for r in results) / n}


@hydra.main(config_path="conf", config_name="videoqa", version_base=None)
def main(cfg: DictConfig) -> None:
    summary = run(cfg, prompt_of, score_of, gold, chance, summarize)
    options = summary["policy"]
    print(f"video-QA accuracy {summary['accuracy']:.3f} over {summary['questions']} questions "
          f"({options['name']}); by family: " +
          ", ".join(f"{f} {b['accuracy']:.2f} (n={b['n']})" for f, b in summary["by_family"].items()))
    print(f"summary: {cfg.out}/summary.json")


if __name__ == "__main__":
    main()
