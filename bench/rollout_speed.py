"""Speed of the rollout loop with the privileged expert.

    python bench/rollout_speed.py [--episodes 40] [--parallel 4] [--seed 0]

Prints expert episodes/min and where the wall time goes (env, policy incl. prompt building,
recording) for: the bare env loop with no agent layer (the baseline, measured in the same run),
the rollout loop without recording, the loop recording everything (frames, messages, transcript,
video), and the same with N episodes in flight. Ratios to the baseline travel between machines;
absolute figures do not. Run it on one core (``taskset -c 0``) to compare with other benches.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import gymnasium as gym

from agent.loop import LoopConfig, run_episodes
from agent.policies import make_policy
from agent.prompts import make_format
from agent.recorder import EpisodeWriter

ENV_ID = "envs:EgoHousehold-v0"
ENV_KW = {"view": "ego", "resolution": 224, "expert": True, "annotations": True}


def bare(seeds) -> float:
    """Expert actions straight into the env: no prompts, no parsing, no records."""
    env = gym.make(ENV_ID, **ENV_KW)
    t0 = time.perf_counter()
    for s in seeds:
        _, info = env.reset(seed=s)
        done = False
        while not done and info["expert_action"] is not None:
            _, _, term, trunc, info = env.step(info["expert_action"])
            done = term or trunc
    return time.perf_counter() - t0


def loop(seeds, parallel: int, record: Path | None, prompt: str) -> tuple[float, dict]:
    fmt = make_format(prompt)
    policy = make_policy("expert", fmt)
    envs = [gym.make(ENV_ID, **ENV_KW) for _ in range(parallel)]

    def writer_for(index, seed):
        return EpisodeWriter(record / f"episode_{index:04d}") if record else None

    t0 = time.perf_counter()
    episodes = run_episodes(envs, policy, fmt, list(enumerate(seeds)), LoopConfig(), writer_for)
    wall = time.perf_counter() - t0
    assert all(e.metrics["task_success"] == 1.0 for e in episodes)
    shares = {k: sum(e.timing[f"{k}_seconds"] for e in episodes) for k in ("env", "policy", "record")}
    return wall, shares


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--episodes", type=int, default=40)
    ap.add_argument("--parallel", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--prompt", default="eb")
    args = ap.parse_args()
    seeds = list(range(args.seed, args.seed + args.episodes))
    bare(seeds)  # warm the caches (catalog, room geometry) before timing anything
    base = bare(seeds)
    print(f"{args.episodes} expert episodes, 224x224 first-person RGB + masks, prompt={args.prompt}")
    print(f"{'run':<34}{'episodes/min':>13}{'vs bare':>9}{'env':>7}{'policy':>8}{'record':>8}")
    print(f"{'bare env loop (baseline)':<34}{60 * args.episodes / base:>13.0f}{1.0:>9.2f}{'100%':>7}{'-':>8}{'-':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        runs = [("rollout loop, no recording", 1, None),
                ("rollout loop, recording all", 1, Path(tmp) / "p1"),
                (f"rollout loop, recording, parallel={args.parallel}", args.parallel, Path(tmp) / "pn")]
        for label, parallel, record in runs:
            wall, shares = loop(seeds, parallel, record, args.prompt)
            cells = "".join(f"{100 * shares[k] / wall:>{w}.0f}%" for k, w in (("env", 6), ("policy", 7), ("record", 7)))
            print(f"{label:<34}{60 * args.episodes / wall:>13.0f}{base / wall:>9.2f}{cells}")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
