"""Reward functions of the four seed methods (formulas in ``../shared/reference/seeds.md``) for text
replies: format rewards, EgoReasoner's imitation reward, EgoVLM's accuracy and keyframe rewards and
the episode rewards of online RL; EARL's and Ego3S's grounding rewards live in
``train.grounding_rewards``, and ``train.trl_rewards`` turns any of them into a TRL reward function.

Every weight is a keyword argument whose default is the paper's value (cited in the docstring), so a
config can override it: ``trl_reward("imitation_reward", strict_bonus=0.3)``.

Reply formats read here and there:

- compact (``agent.prompts.compact``): ``<think>...</think><action>NAME</action>``. For EgoReasoner's
  multi-step targets the canonical reply keeps that single ``<action>`` block and puts one action per
  line (``;`` also separates); several ``<action>`` blocks are read too, in order, but are not the
  strict format, as in EgoReasoner, where several ``<DecisionMaking>`` blocks lose the bonus.
- EgoVLM: ``<think>...</think><answer>LETTER</answer>``, with ``<keyframes>i, j</keyframes>`` after the
  answer when keyframes are asked for: 0-based indices into the sampled frames, exactly the video-QA
  column ``keyframes``.
- EARL: ``<answer>["A", "B"]</answer><bbox>A: [x0, y0, x1, y1]\\nB: [...]</bbox>``, or
  ``There is no suitable referring result.`` with ``<bbox>None</bbox>`` (``synth.grounding``).
- Ego3S: ``<think>...</think><answer>...</answer><object>a, b</object>``.
"""

from __future__ import annotations

import re

from agent.prompts.names import normalize
from agent.prompts.replies import block, has_layout, indices, option_letter, split_actions

COMPACT = ("think", "action")
COMPACT_BOX = ("think", "action", "box")  # the compact format's optional <box> of the action's target
BOX_BLOCK = re.compile(r"<box>.*?</box>", re.S)
THINK_ANSWER = ("think", "answer")
EGO3S = ("think", "answer", "object")
ACTION_BLOCK = re.compile(r"<action>(.*?)</action>", re.S)


# ---- format ---------------------------------------------------------------------------------------
def think_action_format(text: str) -> float:
    """1 if the reply is exactly ``<think>...</think><action>...</action>``, optionally followed by
    ``<box>...</box>`` (the compact format, one action block), else 0."""
    return float(has_layout(text, COMPACT) or has_layout(text, COMPACT_BOX))


def think_answer_format(text: str, *, with_keyframes: bool = False) -> float:
    """EgoVLM / Video-R1: 1 if the reply is exactly ``<think>...</think>\\s*<answer>...</answer>``
    (followed by ``<keyframes>...</keyframes>`` when ``with_keyframes``), else 0."""
    return float(has_layout(text, THINK_ANSWER + (("keyframes",) if with_keyframes else ())))


def earl_format(text: str) -> float:
    """EARL's R_f: 1.0 when both an ``<answer>`` and a ``<bbox>`` block are present, 0.5 when one is, 0 else."""
    return 0.5 * sum(block(text, t) is not None for t in ("answer", "bbox"))


def ego3s_format(text: str) -> float:
    """Ego3S: 1 if the reply is exactly ``<think>..</think>\\s*<answer>..</answer>\\s*<object>..</object>``, else 0."""
    return float(has_layout(text, EGO3S))


# ---- EgoReasoner ----------------------------------------------------------------------------------
def predicted_actions(text: str) -> tuple[list[str], bool, bool]:
    """(actions, strict, intact): the actions the reply proposes; whether it is exactly one think
    and one action block; whether its decision part (that block when strict, else the whole reply)
    holds at least one ``<action>`` block and nothing outside them."""
    text = text or ""
    strict = bool(think_action_format(text))
    part = BOX_BLOCK.sub("", text[text.index("<action>"):]) if strict else text
    # at least one block: the released code calls an empty reply intact, which pays 0.5 for silence
    found = ACTION_BLOCK.findall(part)
    intact = bool(found) and not ACTION_BLOCK.sub("", part).strip()
    return [a for b in found for a in split_actions(b)], strict, intact


def prefix_length(predicted: list[str], expert: list[str]) -> int:
    """How many of the first actions match, compared by ``agent.prompts.names.normalize``."""
    n = 0
    for pred, gold in zip(predicted, expert):
        if normalize(pred) != normalize(gold):
            break
        n += 1
    return n


def prefix_score(n: int, k: int) -> float:
    """EgoReasoner's prefix-weighted imitation n(n+1) / (K(K+1)), n capped at K."""
    n = min(n, k)
    return n * (n + 1) / (k * (k + 1))


def imitation_reward(text: str, expert_actions: list[str], *, strict_bonus: float = 0.2,
                     integrity_reward: float = 0.5, single_step_penalty: float = -0.25,
                     require_think: bool = False, missing_think_penalty: float = -0.5) -> float:
    """EgoReasoner's offline (imitation) reward, ``ComprehensiveDecisionRewardORM``, on the compact format::

        R = 0.2 * 1[reply is exactly <think>..</think><action>..</action>]          strict format
          + 0.5 * 1[the decision part holds nothing but <action> blocks]           integrity
          + n(n+1) / (K(K+1))                                                      prefix imitation
          - 0.25 * 1[K = 1 and more than one action predicted]
          - 0.5 * 1[require_think and not strict and no <think> block]             (off by default)

    The compact format's optional ``<box>`` after the action block counts as that layout (ours; the
    paper's format has no box) and is not part of the decision.
    K = len(expert_actions); n = the longest common prefix of predicted and expert actions, compared
    by ``agent.prompts.names.normalize`` (so "Find the apple" matches "find a Apple").
    K = 0 (or None): the imitation term is 1 when nothing is predicted, else 0 (the released code
    gives 1 whatever is predicted, which its comment shows it did not intend). Integrity needs at
    least one ``<action>`` block (the released code also counts an empty reply as intact).
    """
    actions, strict, intact = predicted_actions(text)
    expert_actions = expert_actions or []
    k = len(expert_actions)
    r = strict_bonus * strict + integrity_reward * intact
    if require_think and not strict and block(text, "think") is None:
        r += missing_think_penalty
    if k == 0:
        return r + float(not actions)
    n = prefix_length(actions, expert_actions)
    r += prefix_score(n, k)
    if k == 1 and len(actions) > 1:
        r += single_step_penalty
    return r


# ---- EgoVLM ---------------------------------------------------------------------------------------
def mcq_accuracy(text: str, answer: str) -> float:
    """EgoVLM's r_acc: 1 if the option letter in ``<answer>`` equals the gold letter, else 0.
    ``B``, ``(B)``, ``B.``, ``Answer: B`` and ``B. <option text>`` all read as B; no block reads as wrong."""
    letter = option_letter(block(text, "answer"))
    return float(letter is not None and letter == (answer or "").strip().upper())


def keyframe_recall(text: str, keyframes: list[int]) -> float:
    """|S_pred ∩ S*| / |S*| with S_pred the indices in ``<keyframes>``; 0 when S* is empty."""
    true = set(keyframes or ())
    return len(indices(block(text, "keyframes")) & true) / len(true) if true else 0.0


def keyframe_reward(text: str, answer: str, keyframes: list[int], *, max_keyframes: int | None = None) -> float:
    """EgoVLM's keyframe reward as the seeds specify it (our proxy; the paper's formula is not public):
    r_key = |S_pred ∩ S*| / |S*| · r_acc, gated by correctness so that it cannot be earned on a
    wrong answer. Recall alone is maximised by listing every frame; ``max_keyframes`` (off by
    default) gives 0 to a reply that lists more indices than that."""
    if max_keyframes is not None and len(indices(block(text, "keyframes"))) > max_keyframes:
        return 0.0
    return keyframe_recall(text, keyframes) * mcq_accuracy(text, answer)


def egovlm_reward(text: str, answer: str, keyframes: list[int] | None = None, *, accuracy_weight: float = 1.0,
                  format_weight: float = 1.0, keyframe_weight: float = 0.5, max_keyframes: int | None = None) -> float:
    """EgoVLM's total R = r_acc + r_format + λ_k · r_key with λ_k = 0.5 (seeds §1.3). With keyframes
    given and λ_k > 0 the format asks for the ``<keyframes>`` block after the answer."""
    use_key = keyframes is not None and keyframe_weight != 0
    r = accuracy_weight * mcq_accuracy(text, answer) + format_weight * think_answer_format(text, with_keyframes=use_key)
    return r + (keyframe_weight * keyframe_reward(text, answer, keyframes, max_keyframes=max_keyframes)
                if use_key else 0.0)



# ---- episodes (online RL) -------------------------------------------------------------------------
def episode_reward(success: float, progress_gain: float = 0.0, num_invalid: int = 0, num_steps: int = 0,
                   format_rate: float = 1.0, *, success_weight: float = 3.0, progress_weight: float = 1.0,
                   invalid_penalty: float = -0.5, length_penalty: float = -0.05, format_weight: float = 0.0) -> float:
    """success_weight·success + progress_weight·progress_gain + invalid_penalty·num_invalid
    + length_penalty·num_steps + format_weight·format_rate.

    Defaults: ERA's +3 on success, −0.5 per invalid action and +1 per progress gain (ERA gives +1
    per sub-goal; our progress is the satisfied fraction, so +1 is a whole task's worth: set
    ``progress_weight`` to the number of goal conditions to count per sub-goal); EgoReasoner's
    online length term −0.05 per step. The format term (EgoReasoner online: 0.2) is off, because an
    unreadable reply already counts as an invalid action in our episodes.
    """
    return (success_weight * float(success) + progress_weight * progress_gain + invalid_penalty * num_invalid
            + length_penalty * num_steps + format_weight * format_rate)


def episode_return(episode, *, initial_progress: float = 0.0, **weights) -> float:
    """``episode_reward`` of an ``agent.records.Episode`` (or its ``to_dict``, or a bare metrics dict).
    Progress gain is the best progress reached minus ``initial_progress``: counting every rise
    would pay for undoing and redoing a goal condition. Format rate = 1 − unreadable turns / turns."""
    d = episode.to_dict() if hasattr(episode, "to_dict") else dict(episode)
    m = d.get("metrics", d)
    best = max([float(m.get("task_progress", 0.0))] + [float(s["progress"]) for s in d.get("steps", ())])
    turns = m.get("planner_steps") or m.get("num_steps") or 0
    rate = 1.0 - m.get("planner_output_error", 0) / turns if turns else 1.0
    return episode_reward(m.get("task_success", 0.0), best - initial_progress, m.get("num_invalid_actions", 0),
                          m.get("num_steps", 0), rate, **weights)
