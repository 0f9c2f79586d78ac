"""``backend=vector``: ``n`` envs in subprocesses under gymnasium's ``AsyncVectorEnv``, stepped by the
rollout loop in this process (one batched policy call per turn, as with ``backend=local``).

A turn's plans are ragged: each runs until its first failure, so episodes take different numbers
of steps. Each sub-env is therefore a ``PlanEnv``, whose action is a whole plan and whose
observation is the steps the plan took; one vector step plays every live episode's plan at once,
and a sub-env without one gets an empty plan and idles. Episodes start through ``reset_mask`` and
autoreset is off: the loop decides when a sub-env starts its next episode.
"""

from __future__ import annotations

import functools
import multiprocessing
import pickle
import time

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from gymnasium.vector import AsyncVectorEnv, AutoresetMode

from agent.loop import plan_steps


class Opaque(spaces.Space):
    """Any picklable value, passed through the vector env as it is (it batches such values as tuples)."""

    def contains(self, x) -> bool:
        return True

    def __eq__(self, other) -> bool:  # the vector env checks that every sub-env has the same spaces
        return isinstance(other, Opaque)


def _dump(value) -> bytes:
    return pickle.dumps(value, pickle.HIGHEST_PROTOCOL)


class PlanEnv(gym.Wrapper):
    """A sub-env whose action is a plan (a sequence of the env's actions). Its observation is what
    ``plan_steps`` yields for the plan (or ``env.reset`` with its time), each step pickled as it
    happens: lazily computed info (annotations) then reads the world as it was at that step, as it
    does when the loop records in-process."""

    def __init__(self, env: gym.Env):
        super().__init__(env)
        self.action_space = spaces.Sequence(env.action_space)
        self.observation_space = Opaque()

    def reset(self, *, seed=None, options=None):
        t0 = time.perf_counter()
        obs, info = self.env.reset(seed=seed)
        return _dump((obs, info, time.perf_counter() - t0)), {}

    def step(self, plan):
        return [_dump(step) for step in plan_steps(self.env, plan)], 0.0, False, False, {}


def make_plan_env(spec: dict) -> PlanEnv:
    return PlanEnv(gym.make(spec["id"], **spec["kwargs"]))


class VectorEnvs:
    """``n`` envs of one spec in subprocesses: the loop's env group (``slots``, ``reset``, ``play``; see
    ``agent.loop.InProcess``). A reset or plan slower than ``timeout_s``, an env that raises and a
    subprocess that dies all stop every subprocess and raise here."""

    def __init__(self, spec: dict, n: int, context: str, timeout_s: float):
        self.spec, self.timeout_s = spec, timeout_s
        self.vec = AsyncVectorEnv([functools.partial(make_plan_env, spec)] * n, shared_memory=False, copy=False,
                                  context=context, autoreset_mode=AutoresetMode.DISABLED)
        self.slots = list(range(n))

    @property
    def closed(self) -> bool:
        return self.vec.closed

    def reset(self, starts: list[tuple[int, int]]) -> list[tuple]:
        """(obs, info, seconds) for each (slot, seed); the other slots keep their episodes."""
        seeds, mask = [None] * len(self.slots), np.zeros(len(self.slots), bool)
        for slot, seed in starts:
            seeds[slot], mask[slot] = seed, True
        payloads, _ = self._call(self.vec.reset_async, self.vec.reset_wait, seed=seeds, options={"reset_mask": mask})
        return [pickle.loads(payloads[slot]) for slot, _ in starts]

    def play(self, plans: list[tuple[int, tuple]]) -> list[list[tuple]]:
        """Each (slot, actions) plan's steps, all plans at once; slots without a plan idle."""
        if not plans:
            return []
        actions = [()] * len(self.slots)
        for slot, plan in plans:
            actions[slot] = tuple(plan)
        payloads = self._call(self.vec.step_async, self.vec.step_wait, tuple(actions))[0]
        return [[pickle.loads(step) for step in payloads[slot]] for slot, _ in plans]

    def _call(self, send, wait, *args, **kwargs):
        try:
            send(*args, **kwargs)
            return wait(timeout=self.timeout_s)
        except multiprocessing.TimeoutError:
            self._abort()
            raise TimeoutError(f"an env subprocess took longer than {self.timeout_s} s on one reset or plan "
                               f"(vector.timeout_s); spec {self.spec}") from None
        except (EOFError, ConnectionError) as e:  # a closed pipe: the subprocess is gone
            self._abort()
            raise RuntimeError(f"an env subprocess died ({type(e).__name__}); spec {self.spec}") from e
        except BaseException:  # the env raised in its subprocess (the vector env logged its traceback)
            self._abort()
            raise

    def _abort(self) -> None:
        """Kill every subprocess: after a hang or a death the pipes are in no state for close()'s handshake."""
        for process in self.vec.processes:
            process.kill()
            process.join()
        self.vec.closed = True  # nothing is left for close() (or the vector env's __del__) to do

    def close(self) -> None:
        self.vec.close()
