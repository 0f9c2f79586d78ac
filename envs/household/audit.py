"""Audit the simulator's tasks and planner: generate tasks over all floorplans, types and subsets,
solve each with the privileged planner from reset, and again after random actions mid-episode.

    python -m envs.household.audit --tasks 2000 --seed 0
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from dataclasses import dataclass

import numpy as np

from envs.household.catalog import load
from envs.household.env import HouseholdEnv
from envs.household.tasks import task_options
from envs.task import SUBSETS, TASK_TYPES


@dataclass
class Result:
    task_id: str
    clean_success: bool
    clean_steps: int
    perturbed_success: bool
    perturbed_steps: int


def run_expert(env: HouseholdEnv, info: dict, rng: np.random.Generator | None, n_random: int) -> tuple[bool, int]:
    """Follow ``expert_action``; with ``rng``, inject ``n_random`` random non-slice actions mid-episode."""
    plan_len = info["_plan_len"]
    inject_at = int(rng.integers(1, max(plan_len // 2, 1) + 1)) if rng is not None else -1
    names = info["action_names"]
    allowed = [i for i, a in enumerate(names) if not a.startswith("slice ")]
    done, steps = False, 0
    while not done:
        if steps == inject_at:
            for _ in range(n_random):
                _, _, term, trunc, info = env.step(int(allowed[int(rng.integers(len(allowed)))]))
                steps += 1
                if term or trunc:
                    return bool(info["task_success"]), steps
        action = info["expert_action"]
        if action is None:
            return bool(info["task_success"]), steps
        _, _, term, trunc, info = env.step(action)
        steps += 1
        done = term or trunc
    return bool(info["task_success"]), steps


def audit(n_tasks: int, seed: int = 0, n_random: int = 3) -> list[Result]:
    results = []
    subsets = list(SUBSETS)
    for k in range(n_tasks):
        env = HouseholdEnv(subset=subsets[k % len(subsets)], scene_split="all", expert=True, view="blank")
        episode_seed = seed * 1_000_003 + k
        outcomes = []
        for perturb in (False, True):
            _, info = env.reset(seed=episode_seed)
            from envs.household import planner
            info["_plan_len"] = len(planner.plan(env.world, env.task, env.action_names))
            rng = np.random.default_rng(episode_seed) if perturb else None
            outcomes.append(run_expert(env, info, rng, n_random))
        results.append(Result(env.task.id, outcomes[0][0], outcomes[0][1], outcomes[1][0], outcomes[1][1]))
    return results


def find_visibility(n_finds: int, seed: int = 0, resolution: int = 224) -> tuple[int, int, int, list[str]]:
    """Successful ``find`` actions whose target shows (>= the visibility threshold) in the next frame.

    Finds are drawn at random from episodes over all floorplans; targets shut inside something are
    skipped (they must not show). Returns (shown, shown counting what the target holds, total,
    misses): a stove burner under its pan counts only in the second figure.
    """
    rng = np.random.default_rng(seed)
    env = HouseholdEnv(scene_split="all", resolution=resolution, max_steps=10**6, max_invalid=10**6)
    shown, with_contents, total, misses, episode = 0, 0, 0, [], 0
    while total < n_finds:
        _, info = env.reset(seed=seed * 1_000_003 + episode)
        episode += 1
        finds = [a for a in info["action_names"] if a.startswith("find ")]
        for action in rng.choice(finds, size=min(12, len(finds)), replace=False):
            _, _, _, _, info = env.step(str(action))
            target = env.world.target
            if not info["last_action_success"] or target is None or env.world.enclosed(target):
                continue
            total += 1
            pixels = int((env.mask == target + 1).sum())
            ids = [target + 1] + [d + 1 for d in env.world.descendants(target)]
            if pixels >= env.min_visible_pixels:
                shown += 1
            if int(np.isin(env.mask, ids).sum()) >= env.min_visible_pixels:
                with_contents += 1
            else:
                misses.append(f"{env.task.scene}: {action} -> {env.world.objects[target].id} ({pixels} px)")
            if total == n_finds:
                break
    return shown, with_contents, total, misses


def why_not(fp: int, task_type: str) -> str:
    """A short reason why a floorplan cannot host a task type its room type allows."""
    catalog = load()
    scene = catalog.scenes[fp]
    smalls = {o.type for o in scene.pickables}
    if task_type == "pick_and_place_with_movable_recep" and not smalls & catalog.rules.movable_receptacles:
        return "no movable receptacle (bowl, box, cup, mug, plate, pan, pot) in the room"
    if task_type == "pick_clean_then_place_in_recep":
        return "no faucet can be turned on from a sink basin's interaction pose (out of reach or view)"
    if task_type == "look_at_obj_in_light":
        return "no reachable desk or floor lamp"
    return "no combination of ALFRED's tables fits the room's objects"


def coverage() -> tuple[int, list[str]]:
    """Task types each floorplan's room type allows but the floorplan cannot host, with reasons."""
    catalog = load()
    missing = []
    for fp in catalog.floorplans():
        room = catalog.scenes[fp].room_type
        for t in TASK_TYPES:
            if room in catalog.rules.goals_valid[t] and not task_options(fp, t):
                missing.append(f"FloorPlan{fp} ({room}): {t}: {why_not(fp, t)}")
    return len(catalog.scenes), missing


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Audit task generation and the privileged planner.")
    ap.add_argument("--tasks", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--random-actions", type=int, default=3)
    ap.add_argument("--finds", type=int, default=0, help="also check that found objects show in the next frame")
    args = ap.parse_args(argv)
    n_scenes, missing = coverage()
    print(f"floorplans loaded: {n_scenes}; (floorplan, allowed type) pairs that cannot host a task: {len(missing)}")
    for line in missing:
        print("  ", line)
    start = time.perf_counter()
    results = audit(args.tasks, args.seed, args.random_actions)
    elapsed = time.perf_counter() - start
    types = Counter(r.task_id.split("/")[1].split("-")[0] for r in results)
    scenes = {r.task_id.split("-")[-1].split("/")[0] for r in results}
    clean = sum(r.clean_success for r in results)
    perturbed = sum(r.perturbed_success for r in results)
    print(f"tasks: {len(results)} over {len(scenes)} floorplans in {elapsed:.1f}s; by type: {dict(types)}")
    print(f"planner from reset:              {clean}/{len(results)} solved, "
          f"mean {np.mean([r.clean_steps for r in results]):.1f} steps")
    print(f"after {args.random_actions} random actions mid-episode: {perturbed}/{len(results)} solved, "
          f"mean {np.mean([r.perturbed_steps for r in results]):.1f} steps")
    for r in results:
        if not (r.clean_success and r.perturbed_success):
            print("  FAILED", r)
    if args.finds:
        shown, with_contents, total, misses = find_visibility(args.finds, args.seed)
        print(f"find targets visible in the next frame: {shown}/{total} = {100 * shown / total:.2f}%; "
              f"counting what they hold: {with_contents}/{total} = {100 * with_contents / total:.2f}%")
        for line in misses:
            print("  missed:", line)


if __name__ == "__main__":
    main()
