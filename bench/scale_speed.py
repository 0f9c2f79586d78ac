"""Episodes/min on one machine for each way of running episodes: the baseline is the local backend
with one episode at a time, measured in the same run.

    python bench/scale_speed.py [--episodes 24] [--qwen-episodes 8] [--parallel 4] [--vector-envs 2]
                                [--torch-threads 1] [--skip-ray]

Rows, for the expert and for the tiny random-weight Qwen2-VL (``compact`` prompt, greedy, short
replies; its episodes end at the invalid-action cap):
- ``local p=1``: one episode at a time in this process (the baseline);
- ``local p=N``: N episodes in lockstep, one batched policy call per turn;
- ``vector p=N``: the same with the N envs in subprocesses (gymnasium's ``AsyncVectorEnv``; their
  start-up is excluded: one warm-up episode per env first);
- ``ray w=1`` / ``ray w=2``: Ray actors, each with its own env and policy copy (``ray.init`` and
  the actors' start-up are excluded: one warm-up episode per actor first);
- ``ray driver w=N``: the policy here (one batched call per turn, as ``local p=N``) stepping N envs
  that live in Ray actors, concurrently.
Ratios to the baseline travel between machines; absolute figures do not. Peak RSS is this
process's (Ray's workers and the vector envs are separate processes).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from agent.backends import RayOptions, Runner
from agent.loop import LoopConfig
from agent.prompts import make_format

SPEC = {"id": "envs:EgoHousehold-v0", "kwargs": {"view": "ego", "resolution": 224, "expert": True,
                                                 "scene_split": "test", "subset": "base"}}


def measure(backend: str, n: int, parallel: int, workers: int, policy: str, options: dict, prompt: str,
            seed: int, policy_in: str = "actors") -> tuple[float, float]:
    fmt = make_format(prompt)
    loop = LoopConfig(30, 10, SPEC, policy, prompt)
    runner = Runner(backend, policy, options, fmt, loop, parallel,
                    RayOptions(workers=workers, address=None, policy_in=policy_in))
    done = []
    # warm-up: model load, Ray or subprocess start-up, caches (one episode per worker or env, outside the timing)
    warm = parallel if backend == "vector" else max(workers, 1)
    runner.run(SPEC, [(10**6 + k, 10**6 + k) for k in range(warm)], None, lambda e: None)
    t0 = time.perf_counter()
    runner.run(SPEC, [(i, seed + i) for i in range(n)], None, done.append)
    wall = time.perf_counter() - t0
    runner.close()
    assert sorted(e.index for e in done) == list(range(n))
    steps = sum(e.metrics["num_steps"] + e.metrics["planner_output_error"] for e in done)
    return 60 * n / wall, steps / wall


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--episodes", type=int, default=24)
    ap.add_argument("--qwen-episodes", type=int, default=8)
    ap.add_argument("--parallel", type=int, default=4)
    ap.add_argument("--vector-envs", type=int, default=2, help="subprocess envs of the vector rows")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip-ray", action="store_true")
    ap.add_argument("--torch-threads", type=int, default=1,
                    help="this process's torch threads; Ray gives each actor one (OMP_NUM_THREADS=1)")
    args = ap.parse_args()
    import torch

    # on a busy machine a policy whose threads outnumber the free cores runs several times slower, which
    # would measure the contention, not the backend
    torch.set_num_threads(args.torch_threads)
    try:
        import ray
    except ImportError:
        ray, args.skip_ray = None, True
        print("ray rows skipped: ray is not installed (pip install 'egoloop[ray]')")

    from agent.models.tiny import build
    model = build(Path(tempfile.mkdtemp()) / "tiny")
    cases = [("expert", {"seed": 0}, "eb", args.episodes),
             ("qwen", {"path": str(model), "max_new_tokens": 24, "device": "cpu"}, "compact", args.qwen_episodes)]
    print(f"{'policy':8s} {'backend':15s} {'episodes/min':>13s} {'steps/s':>9s} {'vs local p=1':>13s}")
    for policy, options, prompt, n in cases:
        rows = [("local", 1, 1), ("local", args.parallel, 1), ("vector", args.vector_envs, 1)]
        if not args.skip_ray:
            rows += [("ray", 1, 1), ("ray", 1, 2), ("ray driver", 1, args.parallel)]
        base = None
        for backend, parallel, workers in rows:
            mode = "driver" if backend == "ray driver" else "actors"
            eps, sps = measure(backend.split()[0], n, parallel, workers, policy, options, prompt, args.seed, mode)
            base = base or eps
            label = f"{backend} w={workers}" if backend.startswith("ray") else f"{backend} p={parallel}"
            print(f"{policy:8s} {label:15s} {eps:13.1f} {sps:9.1f} {eps / base:12.2f}x", flush=True)
            if backend.startswith("ray"):
                ray.shutdown()  # a fresh cluster per row: the worker count is the only change
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
