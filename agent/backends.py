"""Where episodes run: in this process (``local``), in subprocesses (``vector``) or in Ray actors
(``ray``), behind one call.

``local`` plays ``parallel`` episodes in lockstep here, with one batched policy call per turn (the
default, and what a single GPU wants). ``ray`` spreads episodes over actors, on this machine or a
cluster (``ray.address``): each actor holds an environment and its own copy of the policy (give
actors GPUs with ``ray.gpus_per_worker``) and plays one episode per call; what it would have
recorded comes back with the episode and the driver writes it, so recording and resuming work
exactly as with ``local``. An actor that dies is replaced and its episode played again from its
seed; one that takes longer than ``ray.episode_timeout_s`` on an episode is killed and replaced
the same way. An episode is handed to ``on_episode`` once, when it has finished whole.

With ``ray.policy_in=driver`` the policy stays in this process (one batched call per turn, as with
``local``; what online training needs) and only the environments live in actors, stepped
concurrently; a hung env then stops the run with a clear error instead of being replayed.

``vector`` is the same split on one machine without Ray: the policy stays here and ``parallel`` envs
live in subprocesses under gymnasium's ``AsyncVectorEnv`` (``agent.vector_envs``), each turn's plans
played in all of them at once. An env that hangs past ``vector.timeout_s``, raises or dies stops the
run with an error.
"""

from __future__ import annotations

import json
import os
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import gymnasium as gym

from agent.loop import LoopConfig, run_episodes
from agent.policies import make_policy
from agent.records import Episode

BACKENDS = ("local", "ray", "vector")


@dataclass
class RayOptions:
    address: str | None = None  # None: start a local Ray instance; "auto" or "ray://host:10001": join a cluster
    workers: int = 2  # env actors (each one environment, one policy copy)
    cpus_per_worker: float = 1.0
    gpus_per_worker: float = 0.0
    episode_timeout_s: float = 600.0  # an actor busier than this on one episode is taken to hang
    max_attempts: int = 3  # tries per episode before the run gives up on it
    policy_in: str = "actors"  # actors: each actor plays whole episodes with its own policy copy |
    # driver: the policy stays here (one batched call per turn, e.g. the model being trained) and steps
    # ``workers`` envs that live in actors
    runtime_env: dict = field(default_factory=dict)  # passed to ray.init (env_vars, working_dir, ...)


@dataclass
class VectorOptions:
    context: str = "forkserver"  # how the env subprocesses start: fork is quickest but unsafe once the
    # policy runs threads (torch); forkserver and spawn re-import, so the main script needs its __main__ guard
    timeout_s: float = 600.0  # a reset or a plan longer than this in a subprocess is taken to hang


class CapturingWriter:
    """Takes the calls an ``EpisodeWriter`` would get, so that another process can replay them."""

    def __init__(self):
        self.calls: list[tuple] = []

    def observe(self, step: int, obs: dict, info: dict, rec=None) -> None:
        kept = {k: info[k] for k in ("frame", "events", "interaction") if k in info}
        self.calls.append(("observe", step, {"rgb": obs["rgb"]}, kept, rec))

    def turn(self, turn: int, prompt, decision) -> None:
        self.calls.append(("turn", turn, prompt, decision))

    def finish(self, episode: Episode) -> None:  # the driver finishes the real writer
        pass


def replay_calls(writer, calls: list[tuple], episode: Episode) -> None:
    """Play captured calls into a real writer. ``calls`` and ``episode`` must come from one pickle,
    so that the step records the writer fills in are the episode's own."""
    for name, *args in calls:
        getattr(writer, name)(*args)
    writer.finish(episode)


class EpisodeWorker:
    """One Ray actor: environments made on demand (one per env spec) and a policy."""

    def __init__(self, policy_name: str, policy_options: dict, prompt_format, loop: LoopConfig, record: bool):
        self.policy = make_policy(policy_name, prompt_format, **policy_options)
        self.format, self.loop, self.record = prompt_format, loop, record
        self.envs: dict[str, object] = {}

    def run(self, spec: dict, index: int, seed: int) -> tuple[Episode, list[tuple] | None]:
        key = json.dumps(spec, sort_keys=True)
        if key not in self.envs:
            self.envs[key] = gym.make(spec["id"], **spec["kwargs"])
        writer = CapturingWriter() if self.record else None
        (episode,) = run_episodes([self.envs[key]], self.policy, self.format, [(index, seed)],
                                  replace(self.loop, env_meta=spec),
                                  (lambda i, s: writer) if writer else None)
        return episode, (writer.calls if writer else None)

    def pid(self) -> int:
        return os.getpid()


class Runner:
    """Plays jobs ((index, seed) pairs) for one policy on any env spec, on the chosen backend."""

    def __init__(self, backend: str, policy_name: str, policy_options: dict, prompt_format, loop: LoopConfig,
                 parallel: int = 1, ray_options: RayOptions | None = None,
                 vector_options: VectorOptions | None = None):
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
        self.backend, self.policy_name, self.policy_options = backend, policy_name, policy_options
        self.format, self.loop, self.parallel = prompt_format, loop, max(int(parallel), 1)
        self.ray, self.vector = ray_options or RayOptions(), vector_options or VectorOptions()
        self._policy = None
        self._pool = None
        self._remote: dict[str, list] = {}  # driver mode: env actors per env spec
        self._vector = None  # the last spec's subprocess envs (slow to start, so kept between calls)

    def run(self, spec: dict, jobs: list[tuple[int, int]], writer_for: Callable | None,
            on_episode: Callable[[Episode], None]) -> None:
        if not jobs:
            return
        run = {"local": self._run_local, "ray": self._run_ray, "vector": self._run_vector}[self.backend]
        run(spec, jobs, writer_for, on_episode)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
        for envs in self._remote.values():
            for env in envs:
                env.close()
        self._remote = {}
        self._drop_vector()

    def _drop_vector(self) -> None:
        if self._vector is not None and not self._vector.closed:
            self._vector.close()
        self._vector = None

    def _driver_policy(self):
        """The policy of the backends that keep it in this process, made once."""
        if self._policy is None:
            self._policy = make_policy(self.policy_name, self.format, **self.policy_options)
        return self._policy

    def _loop_for(self, spec: dict) -> LoopConfig:
        return replace(self.loop, env_meta=spec)

    def _run_local(self, spec, jobs, writer_for, on_episode) -> None:
        envs = [gym.make(spec["id"], **spec["kwargs"]) for _ in range(min(self.parallel, len(jobs)))]
        run_episodes(envs, self._driver_policy(), self.format, jobs, self._loop_for(spec), writer_for, on_episode)
        for env in envs:
            env.close()

    def _run_vector(self, spec, jobs, writer_for, on_episode) -> None:
        from agent.vector_envs import VectorEnvs

        policy = self._driver_policy()
        if self._vector is None or self._vector.closed or self._vector.spec != spec:
            self._drop_vector()
            self._vector = VectorEnvs(spec, self.parallel, self.vector.context, self.vector.timeout_s)
        run_episodes(self._vector, policy, self.format, jobs, self._loop_for(spec), writer_for, on_episode)

    def _run_ray(self, spec, jobs, writer_for, on_episode) -> None:
        from agent.ray_pool import RayPool  # ray is an optional extra

        if self.ray.policy_in == "driver":
            self._run_ray_driver(spec, jobs, writer_for, on_episode)
            return
        if self._pool is None:
            self._pool = RayPool(self.ray, EpisodeWorker,
                                 (self.policy_name, self.policy_options, self.format, self.loop, writer_for is not None))

        def finished(episode: Episode, calls) -> None:
            if writer_for is not None:
                replay_calls(writer_for(episode.index, episode.seed), calls, episode)
            on_episode(episode)

        self._pool.run(spec, deque(jobs), finished)


    def _run_ray_driver(self, spec, jobs, writer_for, on_episode) -> None:
        policy = self._driver_policy()
        key = json.dumps(spec, sort_keys=True)
        if key not in self._remote:  # kept for the next call with this spec (actors are slow to start)
            self._remote[key] = remote_envs(self.ray, spec, self.ray.workers)
        envs = self._remote[key]
        run_episodes(envs, policy, self.format, jobs, self._loop_for(spec), writer_for, on_episode, threads=len(envs))


def remote_envs(options: RayOptions, spec: dict, n: int) -> list:
    """``n`` envs in Ray actors, stepped from here (``run_episodes(..., threads=n)`` steps them at once)."""
    from agent.ray_pool import RemoteEnv

    return [RemoteEnv(options, spec, n) for _ in range(max(n, 1))]


def ray_options(cfg) -> RayOptions:
    """``RayOptions`` from a config block; an unknown key or a bad value is an error that names it."""
    return _options(RayOptions, "ray", cfg, policy_in=("actors", "driver"))


def vector_options(cfg) -> VectorOptions:
    """``VectorOptions`` from a config block; an unknown key or a bad value is an error that names it."""
    return _options(VectorOptions, "vector", cfg, context=("fork", "forkserver", "spawn"))


def _options(cls, block: str, cfg, **choices: tuple):
    values = dict(cfg or {})
    unknown = sorted(set(values) - set(cls.__dataclass_fields__))
    if unknown:
        raise ValueError(f"unknown {block} option(s): {', '.join(unknown)}; known: {sorted(cls.__dataclass_fields__)}")
    for key, allowed in choices.items():
        if key in values and values[key] not in allowed:
            raise ValueError(f"{block}.{key} must be one of {', '.join(allowed)}, got {values[key]!r}")
    return cls(**values)
