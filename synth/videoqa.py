"""Egocentric video-QA (EgoVLM / EgoSchema style): 5-option questions about the agent's own
first-person video, answered exactly from the simulator's event log.

    python -m synth.videoqa out=data/videoqa n=200 seed=0
    python -m synth.videoqa out=/tmp/vqa n=20 families=[temporal,counting] questions_per_episode=4

One row per question: the sampled frames (``images``, with their env steps in ``frame_indices``),
the question, the lettered options, the answer letter and text, the keyframes (indices into
``images`` of the frames that show the events the answer rests on), each frame's interaction box
(``interaction_boxes``, for Ego3S's counterfactual selection), an EgoVLM-style ``prompt`` and
the same prompt as TRL ``messages``. The question writers are in ``synth.questions``, the answers
they rest on in ``synth.log_answers``.
"""

from __future__ import annotations

import hashlib
import io
import json
import tempfile
import time
from collections import Counter
from pathlib import Path

import hydra
import numpy as np
from datasets import Dataset, Features, Image, List, Value, disable_progress_bars
from omegaconf import DictConfig, OmegaConf
from PIL import Image as PILImage
from tqdm import tqdm

from agent.policy import Prompt
from envs.household.catalog import load
from envs.household.vocab import PICK_OBJECTS
from synth import io as synth_io
from synth.episodes import SUBSETS, SynthEpisode, expert_episodes
from synth.log_answers import event_log
from synth.questions import FAMILIES, LAMPS, LETTERS, Scene, finalize, write_questions

TEXT = Value("string")
FEATURES = Features({
    "images": List(Image()),
    "frame_indices": List(Value("int32")),
    "question": TEXT,
    "options": List(TEXT),
    "answer": TEXT,
    "answer_text": TEXT,
    "keyframes": List(Value("int32")),
    "keyframe_steps": List(Value("int32")),
    # per frame, the box [x0, y0, x1, y1] (ends exclusive) of what that step's skill acted on, or
    # None: the region Ego3S's counterfactual selection (synth.select) masks
    "interaction_boxes": List(List(Value("int32"))),
    "family": TEXT,
    "episode_id": TEXT,
    "task_id": TEXT,
    "task_type": TEXT,
    "subset": TEXT,
    "scene": TEXT,
    "query": TEXT,  # JSON: what was asked, so a checker can recompute the answer from the log
    "prompt": TEXT,
    "messages": List({"role": TEXT, "content": List({"type": TEXT, "text": TEXT})}),
})
INSTRUCTION = ("Think about the question in <think></think>, then give only the letter of the correct option "
               "in <answer></answer>.")
# EgoVLM's keyframe reward needs the frames named: online GRPO's questions end with this
KEYFRAME_INSTRUCTION = ("After the answer, list the indices of the frames that show it, counting from 0, "
                        "in <keyframes></keyframes>.")


def scene_of(ep: SynthEpisode) -> Scene:
    """What a distractor may name: the floorplan's objects, what the video shows and what I handled
    (slices exist only once cut, so they come from the log)."""
    catalog = load()
    rules, spec = catalog.rules, catalog.scenes[ep.episode.task["floorplan"]]
    classes = {o.type for o in spec.objects if o.interactive} | {o["class"] for f in ep.objects for o in f}
    handled = {e["class"] for s in ep.episode.steps for e in s.events if e["event"] == "picked"}
    pickables = tuple(sorted((classes & set(PICK_OBJECTS)) | handled))
    return Scene(pickables=pickables,
                 receptacles=tuple(sorted(c for c in classes if c in rules.receptacle_objects)),
                 lamps=tuple(c for c in LAMPS if c in classes), holds=rules.receptacle_objects,
                 affords=rules.action_objects, movable=rules.movable_receptacles & frozenset(pickables))


def sample_frames(n_frames: int, key_steps, frames_min: int, frames_max: int) -> list[int] | None:
    """About one frame per step, clamped to [frames_min, frames_max] like Ego3S's 2 fps clamped to
    4-16, spread evenly over the episode, with every key step kept so that the question stays
    answerable from the frames. None when the episode is too short or the keys do not fit."""
    keys = sorted(set(key_steps))
    n = min(n_frames, frames_max)
    if n_frames < frames_min or len(keys) > n:
        return None
    rest = [i for i in range(n_frames) if i not in keys]
    m = n - len(keys)
    # spacing >= 1 on the rest, so the rounded positions never collide
    picks = [rest[int(round(x))] for x in np.linspace(0, len(rest) - 1, m)] if m > 0 else []
    return sorted(keys + picks)


def interaction_box(ep: SynthEpisode, k: int) -> list[int] | None:
    """The box, in frame k, of the object step k acted on (None at reset, for a skill with no
    target, or when the object does not show in that frame)."""
    hit = ep.interactions[k] if k < len(ep.interactions) else None
    return None if hit is None or hit.get("box_after") is None else [int(v) for v in hit["box_after"]]


def prompt_text(question: str, options: list[str], n_images: int) -> str:
    lines = [f"These are {n_images} frames from my first-person video, in order.", question]
    lines += [f"{LETTERS[i]}. {o}" for i, o in enumerate(options)]
    return "\n".join(lines + [INSTRUCTION])


def asked(row: dict, frames: list[np.ndarray], keyframes: bool = True) -> Prompt:
    """A question row put to a model about its episode (``frames``: all of them) as online GRPO asks
    it: the row's frames, then the question, with the keyframe instruction when ``keyframes``."""
    text = row["prompt"] + (" " + KEYFRAME_INSTRUCTION if keyframes else "")
    content = [{"type": "image"} for _ in row["frame_indices"]] + [{"type": "text", "text": text}]
    return Prompt([{"role": "user", "content": content}], [frames[k] for k in row["frame_indices"]],
                  tuple(row["frame_indices"]))


def gold_reply(row: dict, keyframes: bool = True) -> str:
    """The reply SFT teaches: the answer's words (copied into the think block, so the letter is a match
    against the options), the letter, and the keyframes when asked for."""
    keys = f"<keyframes>{' '.join(map(str, row['keyframes']))}</keyframes>" if keyframes else ""
    return f"<think>{row['answer_text']}</think><answer>{row['answer']}</answer>{keys}"


def messages(prompt: str, n_images: int) -> list[dict]:
    content = [{"type": "image", "text": None} for _ in range(n_images)] + [{"type": "text", "text": prompt}]
    return [{"role": "user", "content": content}]


def episode_questions(ep: SynthEpisode, seed: int, families=FAMILIES, options: int = 5, cap: int = 8,
                      frames_min: int = 4, frames_max: int = 16, skipped: Counter | None = None) -> list[dict]:
    """The rows of one episode, without the images (``frame_indices`` says which frames).

    Families take turns, so a cap keeps the mix even instead of filling up with whichever family
    has the most candidates (temporal questions outnumber the rest several times)."""
    skipped = Counter() if skipped is None else skipped
    task, eseed = ep.episode.task, ep.episode.seed
    drafts = write_questions(event_log(ep.episode.steps), scene_of(ep), task, families)
    order = np.random.default_rng([seed, eseed, 0])
    queues = {f: [(i, drafts[f][i]) for i in order.permutation(len(drafts[f]))] for f in families}
    rows = []
    while len(rows) < cap and any(queues.values()):
        for f in families:
            while queues[f] and len(rows) < cap:
                i, q = queues[f].pop(0)
                # one generator per (run seed, episode, question): a cap or a family list leaves the
                # remaining questions exactly as they were
                rng = np.random.default_rng([seed, eseed, 1 + FAMILIES.index(f), int(i)])
                drawn = finalize(q, rng, options)
                frames = sample_frames(len(ep.frames), q.key_steps, frames_min, frames_max)
                if drawn is None or frames is None:
                    skipped["too few distractors" if drawn is None else "keyframes do not fit"] += 1
                    continue
                opts, letter = drawn
                prompt = prompt_text(q.question, opts, len(frames))
                rows.append({
                    "frame_indices": frames, "question": q.question, "options": opts, "answer": letter,
                    "answer_text": q.answer, "keyframes": [frames.index(s) for s in sorted(set(q.key_steps))],
                    "keyframe_steps": sorted(set(q.key_steps)),
                    "interaction_boxes": [interaction_box(ep, k) for k in frames], "family": f, "episode_id": ep.id,
                    "task_id": task["id"], "task_type": task["type"], "subset": task["subset"],
                    "scene": task["scene"], "query": json.dumps(q.query, sort_keys=True), "prompt": prompt,
                    "messages": messages(prompt, len(frames)),
                })
                break
    return rows


def png(frame: np.ndarray) -> dict:
    buf = io.BytesIO()
    PILImage.fromarray(frame).save(buf, format="PNG")
    return {"bytes": buf.getvalue(), "path": None}


def generate(cfg: dict, stats: dict):
    """Rows with their images; each frame is encoded once per episode, however many questions use it."""
    skipped, n_eps = Counter(), 0
    eps = expert_episodes(cfg["n"], cfg["seed"], subsets=tuple(cfg["subsets"]), mistake_prob=cfg["mistake_prob"],
                          resolution=cfg["resolution"], scene_split=cfg.get("scene_split", "train"))
    for ep in tqdm(eps, total=cfg["n"], unit="episode", disable=not cfg["progress"]):
        n_eps += 1
        rows = episode_questions(ep, cfg["seed"], tuple(cfg["families"]), cfg["options"],
                                 cfg["questions_per_episode"], cfg["frames_min"], cfg["frames_max"], skipped)
        encoded = {}
        for row in rows:
            row["images"] = [encoded.setdefault(k, png(ep.frames[k])) for k in row["frame_indices"]]
            yield row
    stats["episodes"] = n_eps
    stats["questions_skipped"] = dict(sorted(skipped.items()))


def build(cfg: dict, out: str | Path) -> tuple[Dataset, str, dict]:
    """Generate the dataset and save it to ``out`` (with card and fingerprint)."""
    stats: dict = {}
    key = hashlib.sha256(json.dumps(cfg, sort_keys=True).encode()).hexdigest()[:16]
    with tempfile.TemporaryDirectory() as cache:  # a fresh cache: never a stale dataset from an old run
        ds = Dataset.from_generator(generate, features=FEATURES, cache_dir=cache, fingerprint=key,
                                    gen_kwargs={"cfg": cfg, "stats": stats})
        if not stats:  # the generator ran in this process, so it filled stats; guard against a cached read
            raise RuntimeError("the generator did not run")
        stats.update(summarize(ds))
        fingerprint = synth_io.save(ds, out, "videoqa", stats, cfg)
    return Dataset.load_from_disk(str(out)), fingerprint, stats


def summarize(ds: Dataset) -> dict:
    cols = ds.select_columns(["family", "answer", "frame_indices", "keyframes", "episode_id"]).to_dict()
    n = max(len(ds), 1)
    return {"questions": len(ds),
            "families": dict(sorted(Counter(cols["family"]).items())),
            "answer_letters": dict(sorted(Counter(cols["answer"]).items())),
            "mean_frames": round(sum(map(len, cols["frame_indices"])) / n, 2),
            "mean_keyframes": round(sum(map(len, cols["keyframes"])) / n, 2),
            "questions_per_episode": round(len(ds) / max(len(set(cols["episode_id"])), 1), 2)}


@hydra.main(config_path="conf", config_name="videoqa", version_base=None)
def main(cfg: DictConfig) -> None:
    conf = OmegaConf.to_container(cfg, resolve=True)
    conf.pop("hydra", None)
    if not set(conf["families"]) <= set(FAMILIES):
        raise SystemExit(f"families must be among {FAMILIES}, got {conf['families']}")
    if not set(conf["subsets"]) <= set(SUBSETS) or not 2 <= conf["options"] <= len(LETTERS):
        raise SystemExit("subsets must be EB-ALFRED subsets and options between 2 and 10")
    if not conf["progress"]:
        disable_progress_bars()
    start = time.perf_counter()
    ds, fingerprint, stats = build(conf, conf["out"])
    seconds = time.perf_counter() - start
    print(f"{len(ds)} questions from {stats['episodes']} episodes in {seconds:.1f} s "
          f"({len(ds) / seconds:.1f} questions/s) -> {conf['out']}")
    print(f"families: {stats['families']}; answers: {stats['answer_letters']}; fingerprint {fingerprint[:16]}")


if __name__ == "__main__":
    main()
