"""Ego3S's Counterfactual-based Selection Mechanism (CSM, seeds §4.2): keep the video-QA samples whose
score really depends on the video and on the interaction region.

    python -m synth.select model=runs/sft/final data=runs/synth/videoqa out=runs/select
    python -m synth.select model=... data=... out=... G=5 max_new_tokens=768 limit=500

Each sample is rolled out ``G`` times (temperature 0.7) under three conditions: ``full`` (its frames),
``text`` (question only: the image placeholders and images dropped) and ``masked`` (every frame's
interaction box, ``interaction_boxes`` from ``synth.videoqa``, replaced by uniform noise). Per sample
and condition m = the mean of the G format scores and the G accuracy scores (2G numbers), with
the EgoVLM format (``<think>..</think><answer>..</answer>``) and accuracy (the option letter). Then

    coarse:  Δc = m_full − m_text,    pass iff |Δc − mean(Δc)| > λc = 0.1   (Ego3S's released code)
    fine:    Δf = m_full − m_masked,  pass iff |Δf − mean(Δf)| > λf = 0.5   ("the same construction")

and a sample is kept iff it passes both (coarse-to-fine: the fine filter sees what the coarse one
kept, so by default mean(Δf) is taken over the coarse survivors; ``fine_population=all`` takes it
over every sample). The deviation is absolute, as in the released ``filter_by_reward_diff``.

Writes ``out/selected`` (the kept rows, unchanged, plus ``source_index``, ``m_full``, ``m_text``,
``m_masked``, ``delta_c``, ``delta_f``; ``synth.io.save``) and ``out/report.json`` (the three
conditions' mean scores, the filters' counts, the kept fraction, and every sample's scores and the
reason it was kept or dropped); with ``save_rollouts=true`` also ``out/rollouts.jsonl``, every reply.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import hydra
import numpy as np
from datasets import Value, disable_progress_bars, load_from_disk
from omegaconf import DictConfig, OmegaConf
from tqdm import tqdm

from agent.policy import Prompt
from envs.household.annotations import noise_region
from synth import io as synth_io
from agent.prompts.replies import block, has_layout, option_letter

CONDITIONS = ("full", "text", "masked")
POPULATIONS = ("coarse", "all")


def derive_seed(*keys: int) -> int:
    """A seed for one (run seed, ...) tuple, independent of every other tuple."""
    return int(np.random.SeedSequence([int(k) for k in keys]).generate_state(1)[0] & 0x7FFFFFFF)


# ---- the three prompts ---------------------------------------------------------------------------
def user_turns(messages: list[dict]) -> list[dict]:
    """The conversation up to the model's turn (a row may end with its reference answer)."""
    messages = list(messages)
    while messages and messages[-1]["role"] == "assistant":
        messages.pop()
    return messages


def without_images(messages: list[dict]) -> list[dict]:
    return [{**m, "content": [c for c in m["content"] if c.get("type") != "image"]} for m in messages]


def mask_frames(frames: list[np.ndarray], boxes: list, seed: int, index: int) -> list[np.ndarray]:
    """Each frame with its interaction box replaced by noise; frames without a box unchanged.
    The noise depends on (seed, sample, frame) only, so a limit or a batch size never changes it."""
    out = []
    for j, (frame, box) in enumerate(zip(frames, boxes)):
        if not box:
            out.append(frame)
            continue
        h, w = frame.shape[:2]
        x0, y0, x1, y1 = box
        clipped = [min(max(x0, 0), w), min(max(y0, 0), h), min(max(x1, 0), w), min(max(y1, 0), h)]
        out.append(noise_region(frame, clipped, seed=derive_seed(seed, index, j)))
    return out


def row_prompts(row: dict, index: int, seed: int) -> dict[str, Prompt]:
    """The full, text-only and interaction-masked prompts of one video-QA row.

    The text-only prompt keeps the text as it is (it still says how many frames there were): Ego3S
    cuts the video, not the question."""
    frames = [np.asarray(im.convert("RGB")) for im in row["images"]]
    boxes = row["interaction_boxes"]
    if len(boxes) != len(frames):
        raise ValueError(f"row {index}: {len(boxes)} interaction boxes for {len(frames)} frames")
    messages, steps = user_turns(row["messages"]), tuple(row.get("frame_indices") or ())
    return {"full": Prompt(messages, frames, steps),
            "text": Prompt(without_images(messages), [], ()),
            "masked": Prompt(messages, mask_frames(frames, boxes, seed, index), steps)}


# ---- scores and the filters ----------------------------------------------------------------------
@dataclass
class Scores:
    m: float  # mean of the G format and G accuracy scores
    format: float
    accuracy: float
    texts: tuple[str, ...] = ()  # the replies, only when asked for (768-token replies add up)


def score(texts: list[str], answer: str, keep_texts: bool = False) -> Scores:
    fmt = [float(has_layout(t, ("think", "answer"))) for t in texts]
    acc = [float(option_letter(block(t, "answer")) == answer) for t in texts]
    return Scores(float(np.mean(fmt + acc)), float(np.mean(fmt)), float(np.mean(acc)),
                  tuple(texts) if keep_texts else ())


def decide(m_full, m_text, m_masked, lambda_c: float = 0.1, lambda_f: float = 0.5,
           fine_population: str = "coarse") -> dict:
    """The coarse and fine filters over a population of samples (arrays of per-sample m)."""
    if fine_population not in POPULATIONS:
        raise ValueError(f"fine_population must be one of {POPULATIONS}, got {fine_population!r}")
    full, text, masked = (np.asarray(a, dtype=np.float64) for a in (m_full, m_text, m_masked))
    delta_c, delta_f = full - text, full - masked
    mean_c = float(delta_c.mean()) if len(full) else 0.0
    coarse = np.abs(delta_c - mean_c) > lambda_c
    # with no coarse survivor nothing is kept anyway; the mean over all keeps "passed fine" defined
    population = coarse if fine_population == "coarse" and coarse.any() else np.ones(len(full), dtype=bool)
    mean_f = float(delta_f[population].mean()) if len(full) else 0.0
    fine = np.abs(delta_f - mean_f) > lambda_f
    return {"delta_c": delta_c, "delta_f": delta_f, "mean_delta_c": mean_c, "mean_delta_f": mean_f,
            "coarse": coarse, "fine": fine, "kept": coarse & fine}


def reason(dev_c: float, dev_f: float, coarse: bool, fine: bool, lambda_c: float, lambda_f: float) -> str:
    c = f"|Δc−mean|={dev_c:.3f}{'>' if coarse else '<='}{lambda_c}"
    f = f"|Δf−mean|={dev_f:.3f}{'>' if fine else '<='}{lambda_f}"
    if coarse and fine:
        return f"kept: {c}, {f}"
    failed = [s for s, ok in ((c, coarse), (f, fine)) if not ok]
    return "dropped: " + ", ".join(failed)


# ---- rollouts ------------------------------------------------------------------------------------
def rollout_scores(rows, generate, cfg: dict, progress: bool = False) -> dict[str, list[Scores]]:
    """Per condition, each sample's scores. ``generate(prompts, seed) -> texts``.

    Samples go in chunks of about ``batch_size // G`` (each prompt repeated G times in one batch), so
    memory stays bounded however many samples there are. A sample without any interaction box has a
    masked input identical to its full one: its m_masked is m_full (Δf = 0, what masking nothing
    does) rather than a second noisy estimate of the same number."""
    G, seed = int(cfg["G"]), int(cfg["seed"])
    per_chunk = max(1, int(cfg["batch_size"]) // G)
    out = {c: [] for c in CONDITIONS}
    n = len(rows)
    for chunk, start in enumerate(tqdm(range(0, n, per_chunk), disable=not progress, unit="chunk")):
        idx = range(start, min(start + per_chunk, n))
        built = [(i, rows[i]) for i in idx]
        prompts = [(i, row, row_prompts(row, i, seed)) for i, row in built]
        for k, cond in enumerate(CONDITIONS):
            todo = [(i, row, p[cond]) for i, row, p in prompts
                    if cond != "masked" or any(row["interaction_boxes"])]
            texts = generate([p for _, _, p in todo for _ in range(G)], derive_seed(seed, k, chunk)) if todo else []
            got = {i: score(texts[j * G:(j + 1) * G], row["answer"], bool(cfg.get("save_rollouts")))
                   for j, (i, row, _) in enumerate(todo)}
            out[cond] += [got.get(i, out["full"][i] if cond == "masked" else None) for i, _ in built]
    return out


def model_generate(cfg: dict):
    """``generate(prompts, seed) -> texts`` with the model at ``cfg['model']``, in batches."""
    from agent.models.generate import Generator, Sampling
    from agent.models.load import load_model

    model, processor = load_model(cfg["model"], cfg.get("adapter"), cfg["dtype"], cfg["device"])
    generator = Generator(model, processor, Sampling(cfg["max_new_tokens"], cfg["temperature"], cfg["top_p"], 0))
    size = int(cfg["batch_size"])

    def generate(prompts: list[Prompt], seed: int) -> list[str]:
        texts = []
        for b, start in enumerate(range(0, len(prompts), size)):
            texts += [g.text for g in generator.generate(prompts[start:start + size], seed=derive_seed(seed, b))]
        return texts

    return generate


# ---- the run -------------------------------------------------------------------------------------
def run(cfg: dict, generate=None, progress: bool = False) -> dict:
    """Score, select, write ``out/selected`` and ``out/report.json``; return the report."""
    out = Path(cfg["out"])
    ds = load_from_disk(str(cfg["data"]))
    if "interaction_boxes" not in ds.column_names:
        raise SystemExit(f"{cfg['data']} has no interaction_boxes column: rebuild it with python -m synth.videoqa")
    if cfg.get("limit") is not None:
        ds = ds.select(range(min(int(cfg["limit"]), len(ds))))
    start = time.perf_counter()
    generate = generate or model_generate(cfg)
    scores = rollout_scores(ds, generate, cfg, progress)
    m = {c: [s.m for s in scores[c]] for c in CONDITIONS}
    d = decide(m["full"], m["text"], m["masked"], cfg["lambda_c"], cfg["lambda_f"], cfg["fine_population"])
    dev_c, dev_f = np.abs(d["delta_c"] - d["mean_delta_c"]), np.abs(d["delta_f"] - d["mean_delta_f"])
    boxless = [not any(b) for b in ds["interaction_boxes"]]
    samples = [{"index": i, "episode_id": row_id, "m_full": m["full"][i], "m_text": m["text"][i],
                "m_masked": m["masked"][i], "delta_c": float(d["delta_c"][i]), "delta_f": float(d["delta_f"][i]),
                "coarse": bool(d["coarse"][i]), "fine": bool(d["fine"][i]), "kept": bool(d["kept"][i]),
                "no_interaction_box": boxless[i],
                "reason": reason(dev_c[i], dev_f[i], d["coarse"][i], d["fine"][i], cfg["lambda_c"], cfg["lambda_f"])}
               for i, row_id in enumerate(ds["episode_id"])]
    n = len(ds)
    kept = [s["index"] for s in samples if s["kept"]]
    summary = {
        "samples": n,
        "conditions": {c: {"mean_score": mean([s.m for s in scores[c]]),
                           "mean_format": mean([s.format for s in scores[c]]),
                           "mean_accuracy": mean([s.accuracy for s in scores[c]])} for c in CONDITIONS},
        "mean_delta_c": d["mean_delta_c"], "mean_delta_f": d["mean_delta_f"],
        "mean_delta_f_all": mean(d["delta_f"]), "lambda_c": cfg["lambda_c"], "lambda_f": cfg["lambda_f"],
        "fine_population": cfg["fine_population"],
        "passed_coarse": int(d["coarse"].sum()), "passed_fine": int(d["fine"].sum()),
        "passed_both": len(kept), "kept": len(kept), "kept_fraction": len(kept) / n if n else 0.0,
        "no_interaction_box": sum(boxless),
        "dropped_by": dict(sorted(Counter("coarse+fine" if not (s["coarse"] or s["fine"]) else
                                          "coarse" if not s["coarse"] else "fine"
                                          for s in samples if not s["kept"]).items())),
        "rollouts": 3 * n * int(cfg["G"]) - sum(boxless) * int(cfg["G"]),
    }
    selected = ds.select(kept)
    extra = {"source_index": kept, **{k: [samples[i][k] for i in kept] for k in
                                       ("m_full", "m_text", "m_masked", "delta_c", "delta_f")}}
    for name, values in extra.items():
        selected = selected.add_column(name, values, feature=Value("int64" if name == "source_index" else "float64"))
    fingerprint = synth_io.save(selected, out / "selected", "select", summary, cfg)
    report = {**summary, "seconds": round(time.perf_counter() - start, 2), "selected": str(out / "selected"),
              "fingerprint": fingerprint, "config": cfg, "per_sample": samples}
    (out / "report.json").write_text(json.dumps(report, indent=1) + "\n")
    if cfg.get("save_rollouts"):
        # a sample without an interaction box shows its full replies under masked: they were reused
        with open(out / "rollouts.jsonl", "w") as f:
            for i in range(n):
                f.write(json.dumps({"index": i, **{c: list(scores[c][i].texts) for c in CONDITIONS}}) + "\n")
    return report


def mean(values) -> float:
    return float(np.mean(values)) if len(values) else 0.0


def table(report: dict) -> str:
    lines = [f"{'condition':<10}{'mean m':>9}{'format':>9}{'accuracy':>10}"]
    for c, v in report["conditions"].items():
        lines.append(f"{c:<10}{v['mean_score']:>9.3f}{v['mean_format']:>9.3f}{v['mean_accuracy']:>10.3f}")
    n = report["samples"]
    lines += [f"mean Δc {report['mean_delta_c']:+.3f} (λc {report['lambda_c']}): "
              f"{report['passed_coarse']}/{n} passed coarse",
              f"mean Δf {report['mean_delta_f']:+.3f} over {report['fine_population']} (λf {report['lambda_f']}): "
              f"{report['passed_fine']}/{n} passed fine",
              f"passed both: {report['passed_both']}/{n}; kept fraction {report['kept_fraction']:.3f} "
              f"({report['no_interaction_box']} without an interaction box) -> {report['selected']}"]
    return "\n".join(lines)


@hydra.main(config_path="conf", config_name="select", version_base=None)
def main(cfg: DictConfig) -> None:
    conf = OmegaConf.to_container(cfg, resolve=True)
    conf.pop("hydra", None)
    for key in ("model", "data"):
        if not conf.get(key):
            raise SystemExit(f"{key}= is required")
    if conf["fine_population"] not in POPULATIONS or int(conf["G"]) < 1:
        raise SystemExit(f"fine_population must be one of {POPULATIONS} and G >= 1")
    if not conf["progress"]:
        from transformers.utils import logging as hf_logging

        disable_progress_bars()
        hf_logging.disable_progress_bar()
    report = run(conf, progress=conf["progress"])
    print(table(report))
    print(f"{report['rollouts']} rollouts in {report['seconds']:.1f} s; report -> {Path(conf['out']) / 'report.json'}")


if __name__ == "__main__":
    main()
