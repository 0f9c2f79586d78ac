"""Speed and memory of the household simulator.

    python bench/env_speed.py [--episodes 300] [--seed 0]

Prints resets/s and reset latency, steps/s of the logic with the cheapest observation (``view=blank``),
with the top-down map, with the first-person view plus its annotations (instance mask, visible
objects) and with the privileged planner, the peak RSS, and the same machine's ``CartPole-v1``
steps/s as a baseline measured in the same run (the ratios travel between machines, the absolute
numbers do not). Targets, on one core (``taskset -c 0``): reset <= 5 ms; >= 5,000 steps/s for the
logic; >= 1,000 steps/s with 224x224 RGB and masks. The first first-person frame of a process loads
the renderer numba compiled (compiling it first, once per machine) and is timed on its own line, like
the catalog load; the peak RSS includes LLVM, which numba loads with that frame.
"""

from __future__ import annotations

import argparse
import resource
import time

import gymnasium as gym
import numpy as np

from envs.household.catalog import load
from envs.household.env import HouseholdEnv


def time_resets(env: HouseholdEnv, seeds) -> np.ndarray:
    out = []
    for s in seeds:
        t = time.perf_counter()
        env.reset(seed=int(s))
        out.append(time.perf_counter() - t)
    return np.array(out)


def steps_per_second(env: HouseholdEnv, seeds, rng: np.random.Generator, expert: bool = False) -> tuple[float, int]:
    """Random actions (or the expert's) until each episode ends; reset time excluded."""
    steps, busy = 0, 0.0
    for s in seeds:
        _, info = env.reset(seed=int(s))
        n = len(info["action_names"])
        done = False
        while not done:
            action = info["expert_action"] if expert else int(rng.integers(n))
            if action is None:
                break
            t = time.perf_counter()
            _, _, term, trunc, info = env.step(action)
            busy += time.perf_counter() - t
            steps += 1
            done = term or trunc
    return steps / busy, steps


def replay_steps_per_second(env: HouseholdEnv, expert_env: HouseholdEnv, seeds) -> tuple[float, int]:
    """The expert's own actions (valid skills that move things), replayed without the planner."""
    plans = []
    for s in seeds:
        _, info = expert_env.reset(seed=int(s))
        actions, done = [], False
        while not done and info["expert_action"] is not None:
            actions.append(info["expert_action"])
            _, _, term, trunc, info = expert_env.step(info["expert_action"])
            done = term or trunc
        plans.append((s, actions))
    steps, busy = 0, 0.0
    for s, actions in plans:
        env.reset(seed=int(s))
        t = time.perf_counter()
        for a in actions:
            env.step(a)
        busy += time.perf_counter() - t
        steps += len(actions)
    return steps / busy, steps


def cartpole_steps_per_second(n: int = 20000) -> float:
    env = gym.make("CartPole-v1").unwrapped  # unwrapped: no checker wrappers, like HouseholdEnv below
    env.reset(seed=0)
    t = time.perf_counter()
    for k in range(n):
        _, _, term, trunc, _ = env.step(k % 2)
        if term or trunc:
            env.reset()
    return n / (time.perf_counter() - t)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--episodes", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    t = time.perf_counter()
    load()
    print(f"catalog load (once per process): {1000 * (time.perf_counter() - t):.0f} ms")
    seeds = np.arange(args.seed, args.seed + args.episodes)
    rng = np.random.default_rng(args.seed)
    blank = HouseholdEnv(scene_split="all", view="blank")
    t = time.perf_counter()
    for fp in load().floorplans():  # a floorplan's first episode builds its caches (geometry, sight lines)
        HouseholdEnv(view="blank", floorplans=[fp]).reset(seed=0)
    print(f"first episode of each of the 120 floorplans: {1000 * (time.perf_counter() - t) / 120:.1f} ms mean")
    r = time_resets(blank, seeds)
    print(f"reset (view=blank): {1000 * r.mean():.2f} ms mean, {1000 * np.percentile(r, 95):.2f} ms p95 "
          f"= {1 / r.mean():,.0f} resets/s")
    sps_blank, n = steps_per_second(blank, seeds, rng)
    print(f"step  (view=blank, random actions): {sps_blank:,.0f} steps/s over {n:,} steps")
    topdown = HouseholdEnv(scene_split="all", view="topdown", resolution=224)
    sps_top, n = steps_per_second(topdown, seeds[:100], rng)
    print(f"step  (view=topdown 224x224, random actions): {sps_top:,.0f} steps/s over {n:,} steps")
    ego = HouseholdEnv(scene_split="all", view="ego", resolution=224, annotations=True)
    t = time.perf_counter()
    ego.reset(seed=int(seeds[-1]))  # the renderer's machine code: compiled once per machine, loaded once per process
    print(f"first ego frame (once per process: loads the renderer numba compiled and cached): "
          f"{1000 * (time.perf_counter() - t):.0f} ms")
    t = time.perf_counter()
    for fp in load().floorplans():  # and its caches of how each floorplan's furniture is drawn
        HouseholdEnv(view="ego", floorplans=[fp], resolution=224, annotations=True).reset(seed=0)
    print(f"first ego episode of each of the 120 floorplans: {1000 * (time.perf_counter() - t) / 120:.1f} ms mean")
    r_ego = time_resets(ego, seeds[:100])
    sps_ego, n = steps_per_second(ego, seeds[:100], rng)
    print(f"ego   (224x224 RGB + instance mask; object lists built on access): reset {1000 * r_ego.mean():.2f} ms mean, "
          f"{sps_ego:,.0f} steps/s over {n:,} random steps")
    expert = HouseholdEnv(scene_split="all", view="blank", expert=True)
    sps_exp, n = steps_per_second(expert, seeds[:100], rng, expert=True)
    print(f"step  (view=blank, expert=True, planner every step): {sps_exp:,.0f} steps/s over {n:,} steps")
    sps_replay, n = replay_steps_per_second(blank, expert, seeds[:100])
    print(f"step  (view=blank, the expert's valid actions replayed): {sps_replay:,.0f} steps/s over {n:,} steps")
    sps_ego_replay, n = replay_steps_per_second(ego, expert, seeds[:100])
    print(f"ego   (224x224 RGB + instance mask, the expert's actions replayed, every step drawn): {sps_ego_replay:,.0f} steps/s "
          f"over {n:,} steps")
    base = cartpole_steps_per_second()
    print(f"baseline CartPole-v1 (unwrapped): {base:,.0f} steps/s -> household/cartpole ratio "
          f"{sps_blank / base:.3f} (blank), {sps_replay / base:.3f} (expert replay), {sps_top / base:.3f} (topdown)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MiB")
    ok_reset, ok_step = r.mean() <= 0.005, min(sps_blank, sps_replay) >= 5000
    ok_ego = min(sps_ego, sps_ego_replay) >= 1000 and r_ego.mean() <= 0.005
    print(f"targets: reset <= 5 ms: {'met' if ok_reset else 'MISSED'}; >= 5,000 steps/s: {'met' if ok_step else 'MISSED'}; "
          f"ego >= 1,000 steps/s with reset <= 5 ms: {'met' if ok_ego else 'MISSED'}")


if __name__ == "__main__":
    main()
