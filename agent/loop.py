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

The envs are a list (stepped from here) or a group that resets and plays plans for several at once
somewhere else (``agent.vector_envs``): anything with ``slots``, ``reset`` and ``play`` as
``InProcess`` has them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
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


def plan_steps(env, actions) -> Iterator[tuple]:
    """Step ``actions`` in order until one fails or the episode ends, yielding (obs, reward, terminated,
    truncated, info, seconds) per step. Lazy: a step runs only once the one before has been read."""
    for action in actions:
        t0 = time.perf_counter()
        obs, reward, terminated, truncated, info = env.step(action)
        yield obs, reward, terminated, truncated, info, time.perf_counter() - t0
        if terminated or truncated or not info["last_action_success"]:
            return


class InProcess:
    """Envs stepped from this process: ``slots`` are the envs themselves."""

    def __init__(self, envs: list):
        self.slots = list(envs)

    def reset(self, starts: list[tuple[object, int]]) -> list[tuple]:
        """(obs, info, seconds) for each (slot, seed)."""
        out = []
        for env, seed in starts:
            t0 = time.perf_counter()
            out.append((*env.reset(seed=seed), time.perf_counter() - t0))
        return out

    def play(self, plans: list[tuple[object, tuple]]) -> list[Iterable[tuple]]:
        """Each (slot, actions) plan's steps (see ``plan_steps``)."""
        return [plan_steps(env, actions) for env, actions in plans]


def run_episodes(envs, policy, prompt_format, jobs: Iterable[tuple[int, int]], cfg: LoopConfig,
                 writer_for: Callable[[int, int], object] | None = None,
                 on_episode: Callable[[Episode], None] | None = None, threads: int = 0) -> list[Episode]:
    """Play ``jobs`` ((index, seed) pairs, any iterable) on up to as many envs at once as ``envs`` holds (a
    list, or a group like ``InProcess``); return the episodes in the order they finished.
    ``writer_for(index, seed)`` gives each episode's recorder (or None). ``threads`` > 0 plays the
    episodes' plans concurrently after each policy call: worth it only when the envs live elsewhere
    (Ray actors), where a step is a wait, not work under the GIL."""
    group = envs if hasattr(envs, "play") else InProcess(envs)
    pool = ThreadPoolExecutor(threads) if threads > 0 else None
    try:
        return _run(group, policy, prompt_format, jobs, cfg, writer_for, on_episode, pool)
    finally:
        if pool is not None:
            pool.shutdown()


def _run(group, policy, prompt_format, jobs, cfg, writer_for, on_episode, pool) -> list[Episode]:
    jobs, free, live, finished = iter(jobs), list(group.slots), [], []
    while True:
        starts = []
        while free and (job := next(jobs, None)) is not None:  # jobs are pulled only when an env is free
            index, seed = job
            starts.append(Running(index, seed, free.pop(), writer_for(index, seed) if writer_for else None))
        _start(group, starts)
        live += starts
        if not live:
            return finished
        inputs = [_input(ep, prompt_format, cfg) for ep in live]
        t0 = time.perf_counter()
        decisions = policy.act(inputs)
        share = (time.perf_counter() - t0) / len(live)
        for ep in live:
            ep.timing["policy"] += share
        plans = [(ep, d, _apply(ep, inp, d, prompt_format, cfg)) for ep, inp, d in zip(live, inputs, decisions)]
        plans = [(ep, d, actions) for ep, d, actions in plans if actions is not None]
        steps = group.play([(ep.env, actions) for ep, _, actions in plans])
        work = [(ep, d, s) for (ep, d, _), s in zip(plans, steps)]
        if pool is None:
            for ep, d, s in work:
                _consume(ep, d, s, cfg)
        else:  # each episode touches only its own env, writer and state
            list(pool.map(lambda a: _consume(*a, cfg), work))
        for ep in [ep for ep in live if ep.done]:
            live.remove(ep)
            free.append(ep.env)
            episode = _finish(ep, cfg)
            finished.append(episode)
            if on_episode:
                on_episode(episode)


def _start(group, starts: list[Running]) -> None:
    if not starts:
        return
    for ep, (obs, info, seconds) in zip(starts, group.reset([(ep.env, ep.seed) for ep in starts])):
        ep.obs, ep.info = obs, info
        ep.timing["env"] += seconds
        _record(ep, lambda w: w.observe(0, ep.obs, ep.info))


def _input(ep: Running, prompt_format, cfg: LoopConfig) -> PolicyInput:
    t0 = time.perf_counter()
    inp = PolicyInput(episode_seed=ep.seed, turn=ep.turn, step=ep.env_steps, instruction=ep.obs["instruction"],
                      image=ep.obs["rgb"], action_names=ep.info["action_names"], history=tuple(ep.history),
                      feedback=ep.obs["feedback"], prompt=None, max_steps_left=cfg.max_steps - ep.env_steps,
                      info=ep.info)
    inp = replace(inp, prompt=prompt_format.build(inp))
    ep.timing["policy"] += time.perf_counter() - t0
    return inp


def _apply(ep: Running, inp: PolicyInput, d: Decision, prompt_format, cfg: LoopConfig) -> tuple | None:
    """Take the turn's decision; return the actions to step, or None when it steps nothing."""
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
        return None
    if plan.empty or not plan.actions:
        ep.empty_plan, ep.done = 1, True
        return None
    return plan.actions[:max(cfg.max_steps - ep.env_steps, 0)]


def _consume(ep: Running, d: Decision, steps: Iterable[tuple], cfg: LoopConfig) -> None:
    """Record the plan's steps; stop reading them where the episode ends (a lazy plan then steps no further)."""
    plan = d.plan
    for k, (action, (obs, reward, terminated, truncated, info, seconds)) in enumerate(zip(plan.actions, steps)):
        ep.obs, ep.info = obs, info
        ep.timing["env"] += seconds
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
