"""A pool of Ray actors that plays episodes and survives its workers: an actor that dies is
replaced, one that hangs past the timeout is killed and replaced, and in both cases the episode is
played again from its seed (its partial result is never seen). Imported only with ``backend=ray``."""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable

try:
    import ray
    from ray.exceptions import GetTimeoutError, RayActorError, WorkerCrashedError
except ImportError as e:  # pragma: no cover - exercised where ray is missing
    raise ImportError("backend=ray needs Ray: pip install 'egoloop[ray]'") from e

log = logging.getLogger(__name__)


class RayPool:
    def __init__(self, options, worker_cls, worker_args: tuple):
        if not ray.is_initialized():
            ray.init(address=options.address, num_cpus=None if options.address else max(options.workers, 1),
                     include_dashboard=False, log_to_driver=False, runtime_env=options.runtime_env or None)
        self.options = options
        self._cls = ray.remote(num_cpus=options.cpus_per_worker, num_gpus=options.gpus_per_worker,
                               max_restarts=0)(worker_cls)
        self._args = worker_args
        self.actors = [self._new() for _ in range(max(options.workers, 1))]
        self.replaced = 0

    def _new(self):
        """A started actor: its start-up (imports, a model load) must not count against an episode's timeout."""
        actor = self._cls.remote(*self._args)
        ray.get(actor.pid.remote())
        return actor

    def run(self, spec: dict, jobs: deque, finished: Callable) -> None:
        """Play every job; ``finished(episode, calls)`` for each as it completes."""
        idle = list(range(len(self.actors)))
        pending: dict = {}  # ref -> (actor slot, job, started, attempt)
        attempts: dict[int, int] = {}
        while jobs or pending:
            while jobs and idle:
                slot, job = idle.pop(), jobs.popleft()
                attempts[job[0]] = attempts.get(job[0], 0) + 1
                ref = self.actors[slot].run.remote(spec, *job)
                pending[ref] = (slot, job, time.monotonic())
            ready, _ = ray.wait(list(pending), num_returns=1, timeout=0.2)
            for ref in ready:
                slot, job, _ = pending.pop(ref)
                try:
                    episode, calls = ray.get(ref)
                except (RayActorError, WorkerCrashedError) as e:
                    self._retry(slot, job, attempts, jobs, f"its actor died ({type(e).__name__})")
                else:
                    finished(episode, calls)
                idle.append(slot)
            now = time.monotonic()
            for ref, (slot, job, started) in list(pending.items()):
                if now - started > self.options.episode_timeout_s:
                    pending.pop(ref)
                    ray.kill(self.actors[slot], no_restart=True)
                    self._retry(slot, job, attempts, jobs, f"it ran past episode_timeout_s={self.options.episode_timeout_s}")
                    idle.append(slot)

    def _retry(self, slot: int, job: tuple, attempts: dict, jobs: deque, why: str) -> None:
        index, seed = job
        if attempts[index] >= self.options.max_attempts:
            raise RuntimeError(f"episode {index} (seed {seed}) failed {attempts[index]} times; last: {why}")
        log.warning("episode %d (seed %d): %s; replacing the actor and playing it again", index, seed, why)
        self.actors[slot] = self._new()
        self.replaced += 1
        jobs.appendleft(job)

    def close(self) -> None:
        for actor in self.actors:
            ray.kill(actor, no_restart=True)
        self.actors = []


class EnvActor:
    """An environment in a Ray actor, stepped from the driver (``ray.policy_in=driver``)."""

    def __init__(self, spec: dict):
        import gymnasium as gym

        self.env = gym.make(spec["id"], **spec["kwargs"])

    def reset(self, seed=None, options=None):
        return self.env.reset(seed=seed, options=options)

    def step(self, action):
        return self.env.step(action)


class RemoteEnv:
    """The driver's handle on an ``EnvActor``: reset/step as a local env has them, each call bounded by
    ``timeout_s`` (a hung env raises instead of stalling the run)."""

    def __init__(self, options, spec: dict, n_envs: int = 1):
        if not ray.is_initialized():  # a local instance with room for every env actor
            cpus = max(int(n_envs * options.cpus_per_worker + 0.999), 1)
            ray.init(address=options.address, num_cpus=None if options.address else cpus,
                     include_dashboard=False, log_to_driver=False, runtime_env=options.runtime_env or None)
        self.actor = ray.remote(num_cpus=options.cpus_per_worker)(EnvActor).remote(spec)
        self.timeout_s = options.episode_timeout_s

    def _get(self, ref):
        try:
            return ray.get(ref, timeout=self.timeout_s)
        except GetTimeoutError:
            ray.kill(self.actor, no_restart=True)
            raise TimeoutError(f"an env actor took longer than {self.timeout_s} s on one call (ray.episode_timeout_s)")

    def reset(self, seed=None, options=None):
        return self._get(self.actor.reset.remote(seed, options))

    def step(self, action):
        return self._get(self.actor.step.remote(action))

    def close(self) -> None:
        ray.kill(self.actor, no_restart=True)
