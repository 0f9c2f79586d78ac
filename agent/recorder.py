"""Writes one episode's folder as the loop plays it:

    episode.json        task, seed, env, policy, steps, EmbodiedBench metrics, timing (written last,
                        atomically: a folder without it is an unfinished episode)
    messages.json       per turn, what the model saw (images by file) and what it said
    transcript.txt      the same for people
    frames/step_NNN.png the frame after each env step (step_000: after reset)
    annotations/        per frame: step_NNN.npz (instance mask) and step_NNN.json (visible objects,
                        events, interaction region), when the env gives them
    episode.mp4         the frames as a video
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import imageio.v2 as imageio
import numpy as np
from PIL import Image

from agent.policy import Decision, Prompt
from agent.records import Episode, StepRecord


def write_atomic(path: Path, text: str) -> None:
    """Readers see the old file or the whole new one, never half of it (a killed run loses nothing)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def frame_name(step: int) -> str:
    return f"frames/step_{step:03d}.png"


class EpisodeWriter:
    def __init__(self, folder: Path, frames: bool = True, annotations: bool = False, video: bool = True,
                 fps: int = 2):
        self.folder = Path(folder)
        if self.folder.exists():  # an unfinished episode from a killed run: start it again
            shutil.rmtree(self.folder)
        (self.folder / "frames").mkdir(parents=True)
        self.frames, self.annotations, self.video, self.fps = frames, annotations, video, fps
        self.turns: list[dict] = []
        self.video_frames: list[np.ndarray] = []

    def observe(self, step: int, obs: dict, info: dict, rec: StepRecord | None = None) -> None:
        """The frame after env step ``step`` (0: after reset); fills the record's file references."""
        rgb = obs["rgb"]
        if self.frames:
            Image.fromarray(rgb).save(self.folder / frame_name(step), compress_level=1)
        if self.video:
            self.video_frames.append(rgb)
        ann = None
        if self.annotations and "frame" in info:
            ann = self._annotate(step, info)
        if rec is not None:
            rec.frame = frame_name(step) if self.frames else None
            rec.annotations = ann

    def _annotate(self, step: int, info: dict) -> str:
        folder = self.folder / "annotations"
        folder.mkdir(exist_ok=True)
        np.savez_compressed(folder / f"step_{step:03d}.npz", mask=info["frame"].mask)
        record = {"objects": info["frame"].objects, "events": info.get("events", []),
                  "interaction": info.get("interaction")}
        (folder / f"step_{step:03d}.json").write_text(json.dumps(record) + "\n")
        return f"annotations/step_{step:03d}.json"

    def turn(self, turn: int, prompt: Prompt, decision: Decision) -> None:
        refs = iter(frame_name(s) if self.frames else None for s in prompt.image_steps)
        messages = [{**m, "content": [({"type": "image", "image": next(refs, None)} if c.get("type") == "image" else c)
                                      for c in m["content"]]} for m in prompt.messages]
        plan = decision.plan
        self.turns.append({"turn": turn, "messages": messages, "output": decision.text,
                           "plan": list(plan.actions), "error": plan.error, "empty": plan.empty,
                           "repairs": list(plan.repairs)})

    def finish(self, episode: Episode) -> None:
        t0 = time.perf_counter()
        (self.folder / "messages.json").write_text(json.dumps(self.turns, indent=1, ensure_ascii=False) + "\n")
        (self.folder / "transcript.txt").write_text(transcript(episode, {t['turn']: t['output'] for t in self.turns}), encoding="utf-8")
        if self.video and self.video_frames:
            with imageio.get_writer(self.folder / "episode.mp4", fps=self.fps, codec="libx264",
                                    macro_block_size=1, ffmpeg_log_level="error",
                                    output_params=["-preset", "ultrafast"]) as w:  # 4x faster, files still small
                for f in self.video_frames:
                    w.append_data(f)
        dt = time.perf_counter() - t0
        for key in ("record_seconds", "episode_elapsed_seconds"):
            episode.timing[key] = round(episode.timing.get(key, 0.0) + dt, 6)
        write_atomic(self.folder / "episode.json", json.dumps(episode.to_dict(), indent=1, ensure_ascii=False) + "\n")


def transcript(episode: Episode, outputs: dict[int, str]) -> str:
    """The episode for people: per turn what the model said, then each step it led to."""
    t = episode.task
    lines = [f"task: {t.get('id')}  ({t.get('type')}, subset {t.get('subset')}, {t.get('scene')}, "
             f"{t.get('room_type')})", f"seed: {episode.seed}  policy: {episode.policy}  prompt: {episode.prompt}",
             f"instruction: {t.get('instruction')}"]
    by_turn: dict[int, list[StepRecord]] = {}
    for s in episode.steps:
        by_turn.setdefault(s.turn, []).append(s)
    for turn, output in outputs.items():
        shown = output if len(output) <= 2000 else output[:2000] + " [...]"
        lines += ["", f"--- turn {turn}", f"model: {shown}"]
        steps = by_turn.get(turn, [])
        lines += [f"  (parser: {r})" for s in steps[:1] for r in s.repairs]
        for s in steps:
            aid = -1 if s.action_id is None else s.action_id
            lines.append(f"Step {s.step}, action id {aid}, {s.action}, env feedback: {s.feedback} "
                         f"(progress {s.progress:.2f})")
        if not steps:
            lines.append("(empty plan: the episode ends)")
    m = episode.metrics
    lines += ["", "  ".join(f"{k}: {v:.2f}" if isinstance(v, float) else f"{k}: {v}" for k, v in m.items())]
    return "\n".join(lines) + "\n"
