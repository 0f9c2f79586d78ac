"""The rollout loop: many episodes in flight at once, one batched policy call per turn for all of
them, EmbodiedBench's rules for what happens next.

- A plan runs in order until the first failed action, the end of the episode or the step budget;
  then the policy is asked again from the new frame.
- An unreadable reply costs an invalid action and no env step (EB's ``-1``); the parser's reason is
  the feedback the next prompt shows. It counts as a ``planner_output_error``.
- An empty plan ends the episode (EB's ``-2``, ``empty_plan`` = 1).
- The episode ends at success, at ``max_steps`` env steps, or at ``max_invalid`` invalid actions
  (failed skills and unreadable replies together).

Episode ``index`` runs from env seed ``seed + index``; policies draw their randomness from the
episode seed and the turn, so the order episodes run in (``parallel``) changes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from agent.policy import Decision, HistoryItem, PolicyInput
from agent.records import Episode, StepRecord

UNREADABLE = "(unreadable reply)"


@dataclass
class Running:
    """An episode in flight."""

    index: int
    seed: int
    env: object
    writer: object | None
    obs: dict = None
    info: dict = None
    history: list[HistoryItem] = field(default_factory=list)
    steps: list[StepRecord] = field(default_factory=list)
    turn: int = 0
    output_errors: int = 0
    empty_plan: int = 0
    done: bool = False
    timing: dict = field(default_factory=lambda: {"env": 0.0, "policy": 0.0, "record": 0.0})
    started: float = field(default_factory=time.perf_counter)

    @property
    def invalid(self) -> int:
        return int(self.info["num_invalid_actions"]) + self.output_errors

    @property
    def env_steps(self) -> int:
        return int(self.info["env_step"])


@dataclass
class LoopConfig:
    max_steps: int = 30  # must match the env's: the loop cuts plans to the steps left
    max_invalid: int = 10
    env_meta: dict = field(default_factory=dict)  # recorded in each Episode for replay
    policy_name: str = ""
    prompt_name: str = ""


def run_episodes(envs: list, policy, prompt_format, jobs: Iterable[tuple[int, int]], cfg: LoopConfig,
                 writer_for: Callable[[int, int], object] | None = None,
                 on_episode: Callable[[Episode], None] | None = None, threads: int = 0) -> list[Episode]:
    """Play ``jobs`` ((index, seed) pairs, any iterable) on up to ``len(envs)`` envs at once; return the
    episodes in the order they finished. ``writer_for(index, seed)`` gives each episode's recorder (or None).
    ``threads`` > 0 plays the episodes' plans concurrently after each policy call: worth it only when
    the envs live elsewhere (Ray actors), where a step is a wait, not work under the GIL."""
    pool = ThreadPoolExecutor(threads) if threads > 0 else None
    try:
        return _run(envs, policy, prompt_format, jobs, cfg, writer_for, on_episode, pool)
    finally:
        if pool is not None:
            pool.shutdown()


def _run(envs, policy, prompt_format, jobs, cfg, writer_for, on_episode, pool) -> list[Episode]:
    jobs, free, live, finished = iter(jobs), list(envs), [], []
    while True:
        while free and (job := next(jobs, None)) is not None:  # jobs are pulled only when an env is free
            index, seed = job
            live.append(_start(free.pop(), index, seed, writer_for(index, seed) if writer_for else None))
        if not live:
            return finished
        inputs = [_input(ep, prompt_format, cfg) for ep in live]
        t0 = time.perf_counter()
        decisions = policy.act(inputs)
        share = (time.perf_counter() - t0) / len(live)
        for ep in live:
            ep.timing["policy"] += share
        if pool is None:
            for ep, inp, d in zip(live, inputs, decisions):
                _apply(ep, inp, d, prompt_format, cfg)
        else:  # each episode touches only its own env, writer and state
            list(pool.map(lambda a: _apply(*a, prompt_format, cfg), zip(live, inputs, decisions)))
        for ep in [ep for ep in live if ep.done]:
            live.remove(ep)
            free.append(ep.env)
            episode = _finish(ep, cfg)
            finished.append(episode)
            if on_episode:
                on_episode(episode)


def _start(env, index: int, seed: int, writer) -> Running:
    ep = Running(index, seed, env, writer)
    t0 = time.perf_counter()
    ep.obs, ep.info = env.reset(seed=seed)
    ep.timing["env"] += time.perf_counter() - t0
    _record(ep, lambda w: w.observe(0, ep.obs, ep.info))
    return ep


def _input(ep: Running, prompt_format, cfg: LoopConfig) -> PolicyInput:
    t0 = time.perf_counter()
    inp = PolicyInput(episode_seed=ep.seed, turn=ep.turn, step=ep.env_steps, instruction=ep.obs["instruction"],
                      image=ep.obs["rgb"], action_names=ep.info["action_names"], history=tuple(ep.history),
                      feedback=ep.obs["feedback"], prompt=None, max_steps_left=cfg.max_steps - ep.env_steps,
                      info=ep.info)
    inp = replace(inp, prompt=prompt_format.build(inp))
    ep.timing["policy"] += time.perf_counter() - t0
    return inp


def _apply(ep: Running, inp: PolicyInput, d: Decision, prompt_format, cfg: LoopConfig) -> None:
    ep.turn += 1
    _record(ep, lambda w: w.turn(ep.turn, inp.prompt, d))
    plan = d.plan
    if plan.error is not None:
        ep.output_errors += 1
        feedback = prompt_format.error_feedback(plan.error)
        ep.history.append(HistoryItem(None, UNREADABLE, feedback, False))
        ep.steps.append(StepRecord(ep.env_steps, ep.turn, None, UNREADABLE, False, feedback, 0.0,
                                   float(ep.info["task_progress"]), d.text, repairs=list(plan.repairs)))
        ep.done = ep.invalid >= cfg.max_invalid
        return
    if plan.empty or not plan.actions:
        ep.empty_plan, ep.done = 1, True
        return
    for k, action in enumerate(plan.actions[:max(cfg.max_steps - ep.env_steps, 0)]):
        t0 = time.perf_counter()
        ep.obs, reward, terminated, truncated, ep.info = ep.env.step(action)
        ep.timing["env"] += time.perf_counter() - t0
        step = ep.env_steps
        ok = bool(ep.info["last_action_success"])
        name = ep.info["action_description"]
        ep.history.append(HistoryItem(action, name, ep.obs["feedback"], ok))
        rec = StepRecord(step, ep.turn, action, name, ok, ep.obs["feedback"], float(reward),
                         float(ep.info["task_progress"]), d.text, events=list(ep.info.get("events", ())),
                         repairs=list(plan.repairs) if k == 0 else [])
        ep.steps.append(rec)
        _record(ep, lambda w: w.observe(step, ep.obs, ep.info, rec))
        if terminated or truncated or ep.invalid >= cfg.max_invalid:
            ep.done = True
            return
        if not ok:
            return
    ep.done = ep.env_steps >= cfg.max_steps


def _record(ep: Running, fn) -> None:
    if ep.writer is None:
        return
    t0 = time.perf_counter()
    fn(ep.writer)
    ep.timing["record"] += time.perf_counter() - t0


def _finish(ep: Running, cfg: LoopConfig) -> Episode:
    info, n = ep.info, ep.env_steps
    metrics = {"task_success": float(info["task_success"]), "task_progress": float(info["task_progress"]),
               "num_steps": n, "num_invalid_actions": ep.invalid, "planner_output_error": ep.output_errors,
               "empty_plan": ep.empty_plan, "planner_steps": ep.turn,
               "num_invalid_action_ratio": ep.invalid / n if n else 0.0}
    episode = Episode(ep.index, ep.seed, cfg.env_meta, dict(info["task"]), cfg.policy_name, cfg.prompt_name,
                      ep.steps, metrics)
    episode.timing = {**{f"{k}_seconds": round(v, 6) for k, v in ep.timing.items()},
                      "episode_elapsed_seconds": round(time.perf_counter() - ep.started, 6)}
    if ep.writer is not None:
        ep.writer.finish(episode)  # adds its own time to the timing, then writes episode.json last
    return episode
