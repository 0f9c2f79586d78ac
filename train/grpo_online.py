"""Online multi-turn GRPO in the household simulator, read top to bottom like a CleanRL script.

    python -m train.grpo_online init=tiny out=runs/grpo_online iterations=20
    python -m train.grpo_online init=runs/sft/final advantage.mode=gigpo curriculum.enabled=true

Each iteration: pick tasks from the pool, play ``group_size`` episodes per task from the same seed
(batched generation across every live episode), optionally G more from states where some of them
failed (branch groups: ``train/online/branching.py``), score each turn (success, progress gain, invalid
actions, format, grounding IoU) and each episode's video-QA answer, turn them into group-relative
advantages (GRPO, or GiGPO's anchor-state step level), and update the policy with the clipped loss
on the generated token ids. Checkpoints carry the committed-groups log, so a killed run resumes
without losing or repeating a group. Pieces: ``train/online/``.
"""

from __future__ import annotations

import copy
import json
import random
import time
from pathlib import Path

import gymnasium as gym
import hydra
import torch
from omegaconf import DictConfig, OmegaConf
from transformers.utils import logging as hf_logging

from agent.backends import ray_options, remote_envs
from agent.loop import LoopConfig, run_episodes
from agent.models.generate import Generator, Sampling
from agent.models.load import load_model
from agent.prompts import make_format
from envs.household.catalog import load as load_catalog
from train.common import package_versions
from train.online import checkpoint
from train.online.advantages import answer_advantages, turn_advantages
from train.online.branching import branch_points, greedy_branch_points
from train.online.collect import Group, RewardWeights, SamplingPolicy, collect_groups, evaluate
from train.online.curriculum import Curriculum
from train.online.distributed import Dist
from train.online.guide import GuidePolicy, add_guided, demonstrations
from train.online.logs import RunLog, metrics_row, plot
from train.online.probe import ProbeLog, probe_seeds, run_probe
from train.online.loss import LossConfig, SequenceScorer, imitate, train_on


def init_model(cfg: DictConfig, out: Path) -> Path:
    """``init`` as a folder, or a tiny/small random Qwen2-VL built once into ``out/init``."""
    if cfg.init in ("tiny", "small"):
        from agent.models.tiny import build

        path = out / "init"
        return path if (path / "config.json").exists() else build(path, seed=cfg.seed, size=cfg.init)
    return Path(cfg.init)


def make_envs(cfg: DictConfig, split: str, n: int) -> list:
    """``n`` envs here (``backend=local``) or in Ray actors (``backend=ray``, stepped from here)."""
    e = cfg.env
    kwargs = {"subset": e.subset, "scene_split": split, "resolution": e.resolution, "max_steps": e.max_steps,
              "max_invalid": e.max_invalid, "annotations": True, "expert": bool(cfg.branch.guide) and split == "train"}
    if cfg.backend == "ray":
        return remote_envs(ray_options(OmegaConf.to_container(cfg.ray, resolve=True)), {"id": e.id, "kwargs": kwargs}, n)
    if cfg.backend != "local":
        raise ValueError(f"backend must be local or ray, got {cfg.backend!r}")
    return [gym.make(e.id, **kwargs) for _ in range(n)]


def schedule(pool: list[int], per_iteration: int, seed: int, iteration: int) -> list[int]:
    """The iteration's tasks: a draw from the pool that depends only on (seed, iteration, pool)."""
    return random.Random(hash((seed, iteration))).sample(pool, min(per_iteration, len(pool)))


def assign_advantages(groups: list[Group], a: DictConfig) -> None:
    for g in groups:
        rs = g.rollouts
        step_weight = a.step_weight if a.mode == "gigpo" else 0.0
        advs = turn_advantages([[t.reward for t in r.turns] for r in rs], [[t.anchor for t in r.turns] for r in rs],
                               gamma=a.gamma, step_weight=step_weight, scale=a.scale)
        for r, row in zip(rs, advs):
            for t, adv in zip(r.turns, row):
                t.advantage = adv
        for r, adv in zip(rs, answer_advantages([r.answer.reward if r.answer else None for r in rs], a.scale)):
            if r.answer is not None:
                r.answer.advantage = adv


def qa_options(cfg: DictConfig) -> dict | None:
    """The video-QA settings, or None when off. Answers are sampled at the generation temperature:
    the scorer recomputes every trained token's log-prob at that one temperature."""
    if not cfg.qa.enabled:
        return None
    return {**OmegaConf.to_container(cfg.qa, resolve=True), "temperature": cfg.generation.temperature}


def find_branch_points(cfg: DictConfig, groups: list[Group], seeds: list[int], it: int, envs, greedy, fmt,
                       loop: LoopConfig, dist: Dist, extra: dict) -> list:
    """This iteration's branch points; from greedy episodes of its tasks (played, never trained: their
    success goes to ``extra["greedy_success"]``) when ``branch.source=greedy``."""
    b, key = cfg.branch, hash((cfg.seed, it))
    if b.source == "sampled":
        return branch_points(groups, b.per_iteration, b.at, key)
    episodes = dist.share(run_episodes(envs, greedy, fmt, list(enumerate(dist.mine(seeds))), loop))
    order = dist.share(dist.mine(seeds))  # the seed each shared episode played
    extra["greedy_success"] = sum(e.metrics["task_success"] for e in episodes) / max(len(episodes), 1)
    return greedy_branch_points(episodes, order, it, b.per_iteration, b.at, key)


def check_probe(cfg: DictConfig) -> None:
    """The probe's seeds must never be trained on: not in the pool, nor among the curriculum's fresh tasks."""
    p, t = cfg.probe, cfg.tasks
    reach = t.pool_start + t.pool_size + (cfg.iterations * cfg.curriculum.candidates if cfg.curriculum.enabled else 0)
    if p.every and p.start < reach and t.pool_start < p.start + p.tasks:
        raise ValueError(f"probe.start..probe.start+probe.tasks ({p.start}..{p.start + p.tasks - 1}) overlaps the "
                         f"training tasks (env seeds {t.pool_start}..{reach - 1})")


def record_run(out: Path, cfg: DictConfig, model_path: Path) -> None:
    """``out/run.json``: the config, the model it started from, the held-out scenes it never trains on and
    the package versions."""
    run = {"config": OmegaConf.to_container(cfg, resolve=True), "init_model": str(model_path.resolve()),
           "eval_floorplans": load_catalog().floorplans(cfg.eval.split), "eval_seeds": list(cfg.eval.seeds),
           "train_floorplans": load_catalog().floorplans("train"), "packages": package_versions()}
    (out / "run.json").write_text(json.dumps(run, indent=1) + "\n")


def train(cfg: DictConfig, after_iteration=None) -> dict:
    """The whole run; ``after_iteration(i)`` is called after each iteration is logged and saved."""
    if cfg.advantage.mode not in ("grpo", "gigpo"):
        raise ValueError(f"advantage.mode must be grpo or gigpo, got {cfg.advantage.mode!r}")
    if cfg.branch.per_iteration > cfg.tasks.per_iteration:
        raise ValueError("branch.per_iteration must be <= tasks.per_iteration (one branch group per task group)")
    if cfg.branch.guide and not cfg.branch.per_iteration:
        raise ValueError("branch.guide adds members to branch groups: set branch.per_iteration > 0")
    if cfg.branch.imitate_lr and not cfg.branch.guide:
        raise ValueError("branch.imitate_lr fine-tunes on guided members: set branch.guide > 0")
    if cfg.branch.source not in ("sampled", "greedy"):
        raise ValueError(f"branch.source must be sampled or greedy, got {cfg.branch.source!r}")
    if cfg.eval.split == "train":
        raise ValueError("eval.split must name held-out scenes (test), not the training scenes")
    check_probe(cfg)
    hf_logging.disable_progress_bar()
    dist = Dist.from_env()  # several processes under `accelerate launch`: groups and each update are shared out
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    rng = checkpoint.seed_all(cfg.seed)
    resumed = checkpoint.latest(out)
    if dist.main:  # a tiny/small model is built once, by one process
        init_model(cfg, out)
    dist.barrier()
    init = init_model(cfg, out)
    model, processor = load_model(resumed[0] if resumed else init, dtype=cfg.dtype, device=cfg.device)
    if dist.main:
        record_run(out, cfg, init)
    if cfg.prompt.format not in ("compact", "bare"):
        raise ValueError(f"prompt.format must be compact or bare, got {cfg.prompt.format!r}")
    fmt = make_format(cfg.prompt.format, box=cfg.prompt.box)
    generator = Generator(model, processor, Sampling(cfg.generation.max_new_tokens, cfg.generation.temperature))
    policy = SamplingPolicy(generator, fmt, cfg.seed, cfg.generation.batch_size)
    greedy = SamplingPolicy(generator, fmt, cfg.seed, cfg.generation.batch_size,
                            Sampling(cfg.generation.max_new_tokens, 0.0))
    guide = GuidePolicy(generator, fmt, cfg.branch.guide_thoughts, cfg.branch.guide_box) if cfg.branch.guide else None
    t = cfg.tasks
    envs = make_envs(cfg, "train", t.per_iteration * t.group_size)
    threads = len(envs) if cfg.backend == "ray" else 0  # remote envs are stepped at once
    eval_envs = make_envs(cfg, cfg.eval.split, min(len(cfg.eval.seeds), 8)) if cfg.eval.every else []
    loop = LoopConfig(max_steps=cfg.env.max_steps, max_invalid=cfg.env.max_invalid, policy_name="qwen-online",
                      prompt_name=cfg.prompt.format)
    weights = RewardWeights(**cfg.rewards)
    qa = qa_options(cfg)
    loss_cfg = LossConfig(cfg.train.epsilon_low, cfg.train.epsilon_high, cfg.train.beta, cfg.generation.temperature,
                          cfg.train.epochs, cfg.train.minibatch_size, cfg.train.max_grad_norm)
    scorer = SequenceScorer(processor, cfg.generation.temperature)
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.train.lr, weight_decay=cfg.train.weight_decay)
    ref_model = None
    if cfg.train.beta:  # the initial policy, frozen
        ref_model = load_model(init, dtype=cfg.dtype, device=cfg.device)[0] if resumed else copy.deepcopy(model)
        ref_model.requires_grad_(False)
    pool = list(range(t.pool_start, t.pool_start + t.pool_size))
    c = cfg.curriculum
    curriculum = Curriculum(pool, pool[:c.probe_size], c.every if c.enabled else 0, c.threshold, c.candidates,
                            next_seed=t.pool_start + t.pool_size)
    log, probe_log = RunLog(out), ProbeLog(out)
    start, committed = 0, []
    if resumed:
        path, state = resumed
        checkpoint.load_optimizer(optimizer, path)
        checkpoint.set_rng_state(rng, state["rng"])
        curriculum = Curriculum(**state["curriculum"])
        start, committed = state["iteration"], state["committed_groups"]
        print(f"resuming from {path} (iteration {start}, {len(committed)} groups committed)")

    if dist.main:  # rows written after the newest checkpoint (or by a run killed before its first) are redone
        checkpoint.cut_log(log.path, start)
        checkpoint.cut_log(probe_log.path, start if resumed else -1)

    def probe(it: int) -> None:  # the fixed probe tasks (train/online/probe.py): played, never trained
        if cfg.probe.every and it % cfg.probe.every == 0:
            row = run_probe(envs, policy, fmt, probe_seeds(cfg.probe), cfg.probe.group_size, loop, weights, qa,
                            threads, dist)
            if dist.main:
                probe_log.append(it, row)

    if start == 0:
        probe(0)  # the initial model

    def returns_of(seeds: list[int]) -> dict[int, list[float]]:  # the curriculum's probes: play, never train
        played = collect_groups(envs, policy, fmt, seeds, t.group_size, loop, weights, -1, threads=threads)
        return {g.seed: [r.ret for r in g.rollouts] for g in played}

    for it in range(start + 1, cfg.iterations + 1):
        t0 = time.perf_counter()
        policy.begin(it)
        # 1. rollouts: G episodes per task, from the same seed, all at once
        seeds = schedule(curriculum.pool, t.per_iteration, cfg.seed, it)
        groups = dist.share(collect_groups(envs, policy, fmt, dist.mine(seeds), t.group_size, loop, weights, it, qa,
                                           threads))
        extra = {}
        if cfg.branch.per_iteration:  # G more episodes from states where these (or greedy) episodes went wrong
            points = dist.mine(find_branch_points(cfg, groups, seeds, it, envs, greedy, fmt, loop, dist, extra))
            prefixes = {p.seed: p.prefix for p in points}
            branch = collect_groups(envs, policy, fmt, list(prefixes), t.group_size, loop, weights, it, qa, threads,
                                    prefixes=prefixes)
            if guide is not None:  # and the planner's way out of the same states, in the same groups
                add_guided(branch, collect_groups(envs, guide, fmt, list(prefixes), cfg.branch.guide, loop, weights,
                                                  it, None, threads, prefixes=prefixes, complete=guide.complete))
            groups += dist.share(branch)
        # 2. group-relative advantages, then 3. the clipped update on the generated tokens
        assign_advantages(groups, cfg.advantage)
        samples = [s for g in groups for r in g.rollouts for s in r.turns + ([r.answer] if r.answer else [])]
        stats = train_on(model, optimizer, scorer, samples, loss_cfg, rng, ref_model, dist)
        if cfg.branch.imitate_lr:  # and the planner's way out of those states, imitated (ReLIFT)
            extra.update(imitate(model, optimizer, scorer, demonstrations(groups), cfg.branch.imitate_lr,
                                 cfg.branch.imitate_epochs, loss_cfg, rng, dist))
        committed += [g.id for g in groups]
        # 4. curriculum, held-out evaluation, log, checkpoint
        policy.begin(-it)  # probes draw their own randomness
        if (event := curriculum.update(it, returns_of)) is not None:
            extra["stagnation"] = "" if event["stagnation"] is None else round(event["stagnation"], 3)
        if cfg.eval.every and it % cfg.eval.every == 0:
            extra.update(evaluate(eval_envs, greedy, fmt, list(cfg.eval.seeds), loop))
        probe(it)
        extra["seconds"] = round(time.perf_counter() - t0, 2)
        row = metrics_row(it, groups, stats, extra)
        if dist.main:
            log.append(row)
        if cfg.progress and dist.main:
            print(" ".join(f"{k}={row[k]}" for k in ("iteration", "return", "r_success", "r_progress", "r_invalid",
                                                       "r_format", "r_grounding", "qa_accuracy", "branch_success", "loss",
                                                       "seconds")))
        if (it % cfg.save_every == 0 or it == cfg.iterations) and dist.main:
            checkpoint.save(out, model, processor, optimizer, {
                "iteration": it, "committed_groups": committed, "rng": checkpoint.rng_state(rng),
                "curriculum": curriculum.state()}, cfg.keep_checkpoints)
        dist.barrier()  # nobody runs ahead of a checkpoint being written
        if after_iteration is not None:
            after_iteration(it)
    if not dist.main:
        return {"iterations": cfg.iterations, "committed_groups": len(committed), "rows": None, "final_return": None}
    rows = log.rows()
    plot(rows, out / "reward_curve.png", probe_log.rows())
    summary = {"iterations": cfg.iterations, "committed_groups": len(committed), "rows": len(rows),
               "final_return": rows[-1]["return"] if rows else None}
    (out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    return summary


@hydra.main(config_path="conf", config_name="grpo_online", version_base=None)
def main(cfg: DictConfig) -> None:
    summary = train(cfg)
    print(f"done: {summary['committed_groups']} groups over {summary['iterations']} iterations; "
          f"metrics in {Path(cfg.out) / 'metrics.csv'}, plot in {Path(cfg.out) / 'reward_curve.png'}")


if __name__ == "__main__":
    main()
