"""Speed of the online GRPO loop (``train.grpo_online``'s collect -> advantages -> update).

    python bench/grpo_speed.py [--group 8] [--iterations 2] [--model DIR]

Builds the tiny Qwen2-VL (unless --model names a folder) and prints, for the whole online loop,
episodes/min and tokens/s (sampled, and trained per second of update), then the ratio of one group
of G episodes rolled out batched (all G in flight, one generate() per turn) to the same group played
one episode at a time (target: >= 4x for G = 8), and peak RSS. On a CUDA GPU it also times one
iteration with a Qwen2-VL-2B-sized model with random weights in bf16 (nothing downloaded);
elsewhere it says why that part is skipped. Ratios travel between machines; absolute figures do not.
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
from pathlib import Path

import gymnasium as gym
import torch
from omegaconf import OmegaConf

from agent.loop import LoopConfig
from agent.models.generate import Generator, Sampling
from agent.models.load import load_model
from agent.prompts import make_format
from train.grpo_online import assign_advantages
from train.online.collect import RewardWeights, SamplingPolicy, collect_groups
from train.online.loss import LossConfig, SequenceScorer, train_on

ENV_KW = {"resolution": 112, "annotations": True}
ADVANTAGE = OmegaConf.create({"mode": "grpo", "step_weight": 1.0, "gamma": 0.95, "scale": True})
QA = {"families": ["state_change", "object_memory", "temporal", "counting", "purpose"], "frames_min": 2,
      "frames_max": 4, "keyframe_weight": 0.5, "max_new_tokens": 32, "temperature": 1.0}


def envs_for(n: int, steps: int) -> list:
    return [gym.make("envs:EgoHousehold-v0", max_steps=steps, max_invalid=steps, **ENV_KW) for _ in range(n)]


def rollout(model, processor, seeds, group: int, parallel: int, steps: int, new: int, qa=None):
    """(seconds, groups, sampled tokens) for ``group`` episodes per seed on ``parallel`` envs."""
    fmt = make_format("compact", box=True)
    policy = SamplingPolicy(Generator(model, processor, Sampling(new, 1.0)), fmt, seed=0, batch_size=max(parallel, 1))
    envs = envs_for(parallel, steps)
    t0 = time.perf_counter()
    groups = collect_groups(envs, policy, fmt, seeds, group, LoopConfig(max_steps=steps, max_invalid=steps),
                            RewardWeights(), iteration=1, qa=qa)
    wall = time.perf_counter() - t0
    tokens = sum(len(s.completion_ids) for g in groups for r in g.rollouts
                 for s in r.turns + ([r.answer] if r.answer else []))
    return wall, groups, tokens


def online(label: str, model, processor, group: int, iterations: int, steps: int, new: int) -> None:
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5)
    scorer, rng = SequenceScorer(processor, 1.0), random.Random(0)
    t_roll = t_train = 0.0
    episodes = sampled = trained = 0
    for it in range(iterations):
        wall, groups, tokens = rollout(model, processor, [it, 100 + it], group, 2 * group, steps, new, QA)
        assign_advantages(groups, ADVANTAGE)
        for g in groups:  # a random model's group returns tie; give the update work to do anyway
            for k, r in enumerate(g.rollouts):
                for t in r.turns:
                    t.advantage = t.advantage or (1.0 if k % 2 else -1.0)
        samples = [s for g in groups for r in g.rollouts for s in r.turns + ([r.answer] if r.answer else [])]
        t0 = time.perf_counter()
        stats = train_on(model, optimizer, scorer, samples, LossConfig(epochs=1, minibatch_size=8), rng)
        t_train += time.perf_counter() - t0
        t_roll += wall
        episodes += sum(len(g.rollouts) for g in groups)
        sampled += tokens
        trained += stats["trained_tokens"]
    total = t_roll + t_train
    n = sum(p.numel() for p in model.parameters())
    print(f"{label} ({n / 1e6:.1f}M params, {model.device.type}, {model.dtype}), {iterations} iteration(s) of "
          f"2 groups x G={group}, <= {steps} turns, {new} new tokens/turn:")
    print(f"  online loop: {60 * episodes / total:,.1f} episodes/min, rollout {sampled / t_roll:,.0f} sampled tok/s, "
          f"update {trained / t_train:,.0f} trained tok/s, {100 * t_roll / total:.0f}% of the time in rollouts")


def batched_vs_sequential(model, processor, group: int, steps: int, new: int, repeats: int) -> None:
    """The best of ``repeats`` runs each way (a shared machine's load only ever slows a run down)."""
    rollout(model, processor, [7], group, group, steps, new)  # warm-up
    best = {}
    for parallel in (group, 1):
        runs = [rollout(model, processor, [7], group, parallel, steps, new) for _ in range(repeats)]
        best[parallel] = min(((w, t) for w, _, t in runs), key=lambda wt: wt[0] / wt[1])
    (b_wall, b_tok), (s_wall, s_tok) = best[group], best[1]
    print(f"one group of G={group}: batched {b_wall:.2f} s ({b_tok / b_wall:,.0f} tok/s), one at a time "
          f"{s_wall:.2f} s ({s_tok / s_wall:,.0f} tok/s): {s_wall / b_wall:.1f}x episodes/s, "
          f"{(b_tok / b_wall) / (s_tok / s_wall):.1f}x tok/s (target >= 4x; best of {repeats} each)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--group", type=int, default=8)
    ap.add_argument("--iterations", type=int, default=2)
    ap.add_argument("--steps", type=int, default=4, help="turns per episode at most")
    ap.add_argument("--new-tokens", type=int, default=32)
    ap.add_argument("--repeats", type=int, default=3, help="runs per side of the batched/sequential ratio")
    ap.add_argument("--model", type=Path, default=None)
    args = ap.parse_args()
    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as tmp:
        if args.model is None:
            from agent.models.tiny import build

            args.model = build(Path(tmp) / "tiny")
        model, processor = load_model(args.model, dtype="float32")
        online(args.model.name, model, processor, args.group, args.iterations, args.steps, args.new_tokens)
        batched_vs_sequential(model, processor, args.group, args.steps, args.new_tokens, args.repeats)
        print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
        if not torch.cuda.is_available():
            print("Qwen2-VL-2B-sized model: skipped, no CUDA device here (an update step needs ~20 GB for bf16 "
                  "weights, gradients and AdamW state; run this on a GPU)")
            return
        from transformers import Qwen2VLConfig, Qwen2VLForConditionalGeneration

        from bench.generation_speed import QWEN2_VL_2B

        ids = {k: getattr(model.config, k) for k in ("image_token_id", "video_token_id", "vision_start_token_id",
                                                     "vision_end_token_id")}
        config = Qwen2VLConfig(text_config=QWEN2_VL_2B["text"], vision_config=QWEN2_VL_2B["vision"], **ids)
        big = Qwen2VLForConditionalGeneration(config).to("cuda", torch.bfloat16).eval()
        online("Qwen2-VL-2B-sized, random weights", big, processor, args.group, 1, args.steps, args.new_tokens)
        print(f"peak GPU memory: {torch.cuda.max_memory_allocated() / 2**30:.1f} GiB")


if __name__ == "__main__":
    main()
