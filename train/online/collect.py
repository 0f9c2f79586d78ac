"""Rollouts in groups: for each task seed, G episodes from the same initial state, all in flight at once
in ``agent.loop.run_episodes`` (one batched generation per turn for every live episode of every group).

Each turn keeps exactly what the policy generated (``agent.models.generate.Generation``: the prompt
token ids it saw, the completion token ids it sampled and their sampling log-probs) with the turn's
own image(s): the loss trains on those ids, never on re-tokenised chat text. After the episodes end,
each one is asked a video-QA question about its own frames (``aux_rewards``), answered in one
batched generation.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

from agent.loop import LoopConfig, run_episodes
from agent.models.generate import Generator, Sampling
from agent.policy import Decision, PolicyInput
from agent.records import Episode
from synth.episodes import SynthEpisode
from train.online.branching import PrefixPolicy
from train.online.aux_rewards import Question, answer_reward, episode_question, grounding_reward, turn_format

PARTS = ("success", "progress", "invalid", "format", "grounding", "empty_plan")


@dataclass
class TurnSample:
    """One generation to train on."""

    prompt_ids: list[int]
    completion_ids: list[int]
    logprobs: list[float]  # sampling log-probs, one per completion token; empty for a guided turn (not sampled)
    images: list[np.ndarray]  # the prompt's own images, in order
    kind: str = "act"  # act: an episode turn; qa: the video-QA answer
    anchor: str = ""  # hash of the frame the turn saw (GiGPO's anchor state)
    reward: float = 0.0  # the turn's weighted reward (act) or the answer's reward (qa)
    advantage: float = 0.0


@dataclass
class Rollout:
    """One episode of a group, its trainable turns and its reward parts (unweighted sums)."""

    member: int
    episode: Episode
    turns: list[TurnSample]
    parts: dict[str, float]
    answer: TurnSample | None = None
    answer_parts: dict = field(default_factory=dict)  # accuracy, keyframe, family
    guided: bool = False  # played by the planner (``train/online/guide.py``), not sampled

    @property
    def ret(self) -> float:
        return sum(t.reward for t in self.turns)


@dataclass
class Group:
    id: str  # "<iteration>:<task seed>" (a branch group: + ":b<prefix turns>"), what the committed-groups log records
    seed: int
    rollouts: list[Rollout]
    prefix: tuple[str, ...] = ()  # a branch group's replayed replies (``branching``); its turns train after them


@dataclass
class RewardWeights:
    success: float = 3.0
    progress: float = 1.0
    invalid: float = -0.5
    format: float = 0.2
    grounding: float = 0.5
    empty_plan: float = -2.0  # ending the episode with an empty plan: without a cost, quitting beats trying


class SamplingPolicy:
    """The trained model as an ``agent.policy.Policy``; it draws its randomness from (seed, iteration,
    call, chunk), so that a resumed run samples what an unbroken one would have from the same weights."""

    name = "qwen-online"

    def __init__(self, generator: Generator, prompt_format, seed: int = 0, batch_size: int = 16,
                 sampling: Sampling | None = None):
        self.generator, self.format, self.seed, self.batch_size = generator, prompt_format, seed, batch_size
        self.sampling, self.iteration, self.calls = sampling, 0, 0

    def begin(self, iteration: int) -> None:
        self.iteration, self.calls = iteration, 0

    def act(self, inputs: list[PolicyInput]) -> list[Decision]:
        gens = []
        for k in range(0, len(inputs), self.batch_size):
            seed = hash((self.seed, self.iteration, self.calls, k)) % 2**63
            gens += self.generator.generate([i.prompt for i in inputs[k:k + self.batch_size]], seed=seed,
                                            sampling=self.sampling)
        self.calls += 1
        return [Decision(g.text, self.format.parse(g.text, i.action_names), g) for g, i in zip(gens, inputs)]


class _Trace:
    """The rollout loop's recorder for one episode, in memory: frames, visible objects, interaction
    regions (what the video-QA writers read) and every turn with the frame it saw."""

    def __init__(self):
        self.data = SynthEpisode(episode=None)
        self.turns: list[tuple[Decision, list, int]] = []  # (decision, prompt images, frame index)

    def observe(self, step: int, obs: dict, info: dict, rec=None) -> None:
        d = self.data
        d.frames.append(obs["rgb"])
        frame = info.get("frame")
        d.objects.append(frame.objects if frame is not None else [])
        d.interactions.append(info.get("interaction"))

    def turn(self, turn: int, prompt, decision: Decision) -> None:
        self.turns.append((decision, list(prompt.images), len(self.data.frames) - 1))

    def finish(self, episode: Episode) -> None:
        self.data.episode = episode


def anchor_of(frame: np.ndarray) -> str:
    return hashlib.sha1(np.ascontiguousarray(frame).tobytes()).hexdigest()[:16]


def score_turns(trace: _Trace, w: RewardWeights, skip: int = 0) -> tuple[list[TurnSample], dict[str, float]]:
    """Each turn's reward: progress gained by its action, its invalid action (unreadable reply or failed
    skill), format and grounding; the last turn also carries task success. Progress gains sum to
    final minus initial progress, so the episode return has no double counting. Format and grounding
    are paid per episode, as means over its turns (each turn its share): summed per turn, they paid a
    long episode more than a short one, and a 40-iteration run with a 30-step budget learned to fill
    it with well-formed, boxed, invalid "put down" turns (held-out success 34.5% -> 14.0%).
    The first ``skip`` turns (a branch group's replayed prefix) are neither trained nor rewarded."""
    ep = trace.data.episode
    by_turn: dict[int, list] = {}
    for s in ep.steps:
        by_turn.setdefault(s.turn, []).append(s)
    parts = dict.fromkeys(PARTS, 0.0)
    turns = []
    share = 1.0 / max(len(trace.turns) - skip, 1)
    for t, (d, images, frame) in enumerate(trace.turns, start=1):
        if t <= skip:
            continue
        steps = by_turn.get(t, [])
        gain = sum(s.reward for s in steps)
        invalid = sum(not s.valid for s in steps)
        fmt = turn_format(d.text)
        target = next((trace.data.interactions[s.step] for s in steps if s.action_id is not None), None)
        iou = grounding_reward(d.text, target.get("box_before") if target else None)
        g = d.tokens
        reward = w.progress * gain + w.invalid * invalid + share * (w.format * fmt + w.grounding * iou)
        turns.append(TurnSample(g.prompt_ids, g.completion_ids, g.logprobs, images, "act",
                                anchor_of(trace.data.frames[frame]), reward))
        for k, v in (("progress", gain), ("invalid", invalid), ("format", fmt), ("grounding", iou)):
            parts[k] += v
    parts["success"] = float(ep.metrics["task_success"])
    parts["empty_plan"] = float(ep.metrics["empty_plan"])
    if turns:
        turns[-1].reward += w.success * parts["success"] + w.empty_plan * parts["empty_plan"]
    parts["format"] /= max(len(turns), 1)  # rates per turn, so that long episodes do not dominate the log
    parts["grounding"] /= max(len(turns), 1)
    return turns, parts


def collect_groups(envs: list, policy: SamplingPolicy, prompt_format, seeds: list[int], group_size: int,
                   loop: LoopConfig, weights: RewardWeights, iteration: int, qa: dict | None = None,
                   threads: int = 0, prefixes: dict[int, tuple[str, ...]] | None = None,
                   complete=None) -> list[Group]:
    """``group_size`` episodes per seed, all run together; with ``qa`` (families, frames_min, frames_max,
    keyframe_weight, max_new_tokens, temperature), the video-QA answer of each episode too. With
    ``prefixes`` (seed -> replies), those seeds' episodes first replay their replies: branch groups.
    ``complete(trace, skip)`` finishes each episode's turns before they are scored (guided members)."""
    prefixes = prefixes or {}
    jobs = [(k * group_size + m, seed) for k, seed in enumerate(seeds) for m in range(group_size)]
    traces: dict[int, _Trace] = {}
    actor = PrefixPolicy(policy, prompt_format, prefixes) if prefixes else policy
    run_episodes(envs, actor, prompt_format, jobs, loop, writer_for=lambda i, s: traces.setdefault(i, _Trace()),
                 threads=threads)
    groups = []
    for k, seed in enumerate(seeds):
        prefix = tuple(prefixes.get(seed, ()))
        rollouts = []
        for m in range(group_size):
            if complete is not None:
                complete(traces[k * group_size + m], len(prefix))
            turns, parts = score_turns(traces[k * group_size + m], weights, skip=len(prefix))
            rollouts.append(Rollout(m, traces[k * group_size + m].data.episode, turns, parts))
        name = f"{iteration}:{seed}" + (f":b{len(prefix)}" if seed in prefixes else "")
        groups.append(Group(name, seed, rollouts, prefix))
    if qa:
        ask_questions(groups, traces, policy, group_size, iteration, qa)
    return groups


def ask_questions(groups: list[Group], traces: dict, policy: SamplingPolicy, group_size: int, iteration: int,
                  qa: dict) -> None:
    asked: list[tuple[Rollout, Question]] = []
    for k, group in enumerate(groups):
        for r in group.rollouts:
            q = episode_question(traces[k * group_size + r.member].data, hash((iteration, r.member)) % 2**31,
                                 tuple(qa["families"]), qa["frames_min"], qa["frames_max"], qa["keyframe_weight"] > 0)
            if q is not None:
                asked.append((r, q))
    if not asked:
        return
    sampling = Sampling(qa["max_new_tokens"], qa["temperature"])
    gens = []
    for k in range(0, len(asked), policy.batch_size):
        chunk = asked[k:k + policy.batch_size]
        gens += policy.generator.generate([q.prompt for _, q in chunk], seed=hash((policy.seed, -1, iteration, k))
                                          % 2**63, sampling=sampling)
    for (r, q), g in zip(asked, gens):
        reward, acc, key = answer_reward(g.text, q, qa["keyframe_weight"])
        r.answer = TurnSample(g.prompt_ids, g.completion_ids, g.logprobs, list(q.prompt.images), "qa", reward=reward)
        r.answer_parts = {"accuracy": acc, "keyframe": key, "family": q.family}


def evaluate(envs: list, policy: SamplingPolicy, prompt_format, seeds: list[int], loop: LoopConfig) -> dict:
    """Greedy episodes on held-out seeds: mean success and progress."""
    episodes = run_episodes(envs, policy, prompt_format, list(enumerate(seeds)), loop)
    n = max(len(episodes), 1)
    return {"eval_success": sum(e.metrics["task_success"] for e in episodes) / n,
            "eval_progress": sum(e.metrics["task_progress"] for e in episodes) / n}
