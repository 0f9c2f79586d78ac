"""Reward functions of the four seed methods (formulas in ``../shared/reference/seeds.md``), as pure
functions of one reply's text and its ground truth, plus ``trl_reward``, which turns any of them into
a TRL GRPO reward function ``fn(completions, **columns) -> list[float]``.

Every weight is a keyword argument whose default is the paper's value (cited in the docstring), so a
config can override it: ``trl_reward("imitation", strict_bonus=0.3)``.

Reply formats read here:

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

import inspect
import re
from pathlib import Path

import numpy as np

from agent.prompts.names import normalize
from train.reward_parsing import (bbox_lines, block, box_iou, box_mask, completion_text, has_layout, indices,
                                  mask_iou, name_score, object_list, option_letter, parse_str_list, split_actions,
                                  valid_box)

COMPACT = ("think", "action")
THINK_ANSWER = ("think", "answer")
EGO3S = ("think", "answer", "object")
ACTION_BLOCK = re.compile(r"<action>(.*?)</action>", re.S)
KEYFRAME_INSTRUCTION = ("After the answer, list the indices of the frames that show it, counting from 0, "
                        "in <keyframes></keyframes>.")


# ---- format ---------------------------------------------------------------------------------------
def think_action_format(text: str) -> float:
    """1 if the reply is exactly ``<think>...</think><action>...</action>`` (the compact format, one
    action block), else 0."""
    return float(has_layout(text, COMPACT))


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
    strict = has_layout(text, COMPACT)
    part = text[text.index("<action>"):] if strict else text
    # at least one block: the released code calls an empty reply intact, which pays 0.5 for silence
    found = ACTION_BLOCK.findall(part)
    intact = bool(found) and not ACTION_BLOCK.sub("", part).strip()
    return [a for b in found for a in split_actions(b)], strict, intact


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
    n = 0
    for pred, gold in zip(actions, expert_actions):
        if normalize(pred) != normalize(gold):
            break
        n += 1
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


# ---- EARL -----------------------------------------------------------------------------------------
def earl_answer_reward(text: str, answer: list[str], *, length_mismatch: float = 0.1) -> float:
    """EARL's R_a (``ego_answer_rewards``), for gold entity names ``answer``:

    - no ``<answer>`` block: 0;
    - no gold entity: 1 if the answer says "no suitable referring result", else 0;
    - not a list of strings: 0; a list of another length: 0.1;
    - else mean over positions i of 1 if pred_i and gold_i contain one another (lower-cased) else
      Levenshtein.ratio(pred_i, gold_i); an empty pred_i scores 0 (EARL's substring test would give it 1).
    """
    content = block(text, "answer")
    if not content:
        return 0.0
    if not answer:
        return float("no suitable referring result" in content.lower())
    pred = parse_str_list(content)
    if pred is None:
        return 0.0
    if len(pred) != len(answer):
        return length_mismatch
    return sum(name_score(p, g) for p, g in zip(pred, answer)) / len(answer)


def earl_grounding_reward(text: str, answer: list[str], boxes: list[list[int]], masks=None, *,
                          name_threshold: float = 0.5, no_match_floor: float = 0.0) -> float:
    """EARL's R_g (``ego_grounding_rewards``) for gold names ``answer`` and boxes ``boxes``
    (``[x0, y0, x1, y1]``, exclusive ends):

    - no ``<bbox>`` block: 0; no gold entity: 1 if the block is ``None``, else 0;
    - keep the lines ``name: [x1, y1, x2, y2]`` with integer coordinates, x1 < x2, y1 < y2, x1, y1 >= 0;
      none kept: 0;
    - match each kept box to the gold entity with the best name score (substring 1, else Levenshtein
      ratio), accepted only above 0.5; a box without a name borrows the ``<answer>`` entity at its
      position. Several boxes may match one entity; unmatched boxes and unmatched gold are ignored;
    - score = mean IoU over matched pairs. Box IoU by default; with ``masks`` (the indexed mask, value
      k+1 = entity k, or a list of boolean masks) mask IoU, the predicted box drawn as its rectangle
      because there is no SAM2 here (EARL prompts SAM2 with the box);
    - nothing matched: ``no_match_floor``. EARL uses 0.2 (also when SAM2 or files are missing); off
      here by default because it pays a reply that names nothing right more than one with IoU < 0.2.

    Names stay paired with their own boxes when invalid lines are dropped (EARL slices the names
    to the count of valid boxes, which shifts them when an invalid line comes first).
    """
    content = block(text, "bbox")
    if not content:
        return 0.0
    if not answer:
        return float(content.lower() == "none")
    kept = [(name, coords) for name, coords in bbox_lines(content) if valid_box(coords)]
    if not kept:
        return 0.0
    said = parse_str_list(block(text, "answer")) or []
    gold = _gold_masks(masks, len(answer))
    ious = []
    for j, (name, coords) in enumerate(kept):
        name = name or (said[j] if j < len(said) else "")
        scores = [name_score(name, g) for g in answer]
        best = int(np.argmax(scores))
        if scores[best] <= name_threshold:
            continue
        if gold is None:
            ious.append(box_iou(coords, boxes[best]))
        else:
            ious.append(mask_iou(box_mask(coords, gold[best].shape), gold[best]))
    return sum(ious) / len(ious) if ious else no_match_floor


def _gold_masks(masks, n: int) -> list[np.ndarray] | None:
    if masks is None:
        return None
    if isinstance(masks, np.ndarray) and masks.ndim == 2:
        return [masks == k + 1 for k in range(n)]
    return [np.asarray(m, bool) for m in masks]


# ---- Ego3S ----------------------------------------------------------------------------------------
def grounded(text: str, interacted: list[str]) -> float:
    """Ego3S's GR_i with simulator ground truth instead of CLIP: 1 if any object named in
    ``<object>`` equals (by ``normalize``) one of the names or classes of the object actually
    interacted with, else 0. Replaces 1[max_b cos(CLIP(b), CLIP(ROI)) > λ_o = 0.21]."""
    accept = {normalize(n) for n in interacted or ()} - {""}
    return float(any(normalize(b) in accept for b in object_list(block(text, "object"))))


def ego3s_interaction_rewards(texts: list[str], interacted, *, alpha_g: float = 1.0, hardness: float = 1.1,
                              alpha: float = 0.5, max_objects: int = 5) -> list[float]:
    """Ego3S's interaction-centric reward for ONE group of G completions of the same prompt::

        r_i = α_g · max(H − ρ, 0) · GR_i + α · min(0, N − |B_i|),   ρ = (1/G) Σ_j GR_j

    B_i: the objects in ``<object>``; GR_i: ``grounded``. Paper values H = 1.1, α = 0.5, N = 5; the
    paper gives no α_g, so 1.0 (the total it writes is r_acc + r_format + r_int + α r_p). The
    released code differs: 0.8 · max(H − ρ, 0) · GR + 0.025 · min(0, 8 − |B|), i.e. α_g = 0.8,
    α = 0.025, N = 8. ``interacted``: one list of acceptable names for the whole group, or one per completion.
    """
    if not texts:
        return []
    shared = not interacted or isinstance(interacted[0], str)
    gr = [grounded(t, interacted if shared else interacted[i]) for i, t in enumerate(texts)]
    rho = sum(gr) / len(gr)
    return [alpha_g * max(hardness - rho, 0.0) * g + alpha * min(0, max_objects - len(object_list(block(t, "object"))))
            for t, g in zip(texts, gr)]


ego3s_interaction_rewards.group = True  # trl_reward hands it a whole group at once


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


# ---- TRL adapters ---------------------------------------------------------------------------------
REWARDS = {f.__name__: f for f in (
    think_action_format, think_answer_format, earl_format, ego3s_format, imitation_reward, mcq_accuracy,
    keyframe_reward, egovlm_reward, earl_answer_reward, earl_grounding_reward, ego3s_interaction_rewards)}


def trl_reward(fn, *, columns: dict | None = None, name: str | None = None, mask_root: str | Path | None = None,
               group_size: int | None = None, **weights):
    """A TRL GRPO reward function ``reward(completions, **kwargs) -> list[float]`` from a reward of
    this module (or its name in ``REWARDS``).

    The reward's parameters after ``text`` are read from the dataset columns TRL passes as keyword
    lists, one value per completion, by the same name (``answer``, ``keyframes``, ``expert_actions``,
    ``boxes``, ``masks``, ``interacted``) unless ``columns`` maps a parameter to another column. A
    column that is absent, or None in a row, leaves the parameter's default; a required one missing
    raises. ``masks`` given as a path (synth.grounding's ``masks/000012.png``) is read relative to
    ``mask_root`` (the dataset folder); without ``mask_root`` paths are dropped and box IoU scores.
    ``weights`` go to the reward as keywords. Group rewards (Ego3S) see one group at a time:
    ``group_size`` consecutive completions, or by default each run of equal ``prompts`` (TRL repeats
    a prompt ``num_generations`` times in a row; a group split across processes is seen in parts)."""
    fn = REWARDS[fn] if isinstance(fn, str) else fn
    columns = columns or {}
    params = [p for p in inspect.signature(fn).parameters.values() if p.kind is p.POSITIONAL_OR_KEYWORD][1:]

    def reward(completions, **kwargs) -> list[float]:
        texts = [completion_text(c) for c in completions]
        rows = [_column(p, columns.get(p.name, p.name), kwargs, len(texts), mask_root) for p in params]
        if getattr(fn, "group", False):
            out = []
            for lo, hi in _groups(kwargs.get("prompts"), len(texts), group_size):
                out += fn(texts[lo:hi], *(r[lo:hi] for r in rows), **weights)
            return [float(x) for x in out]
        return [float(fn(t, *(r[i] for r in rows), **weights)) for i, t in enumerate(texts)]

    reward.__name__ = name or fn.__name__
    return reward


def _column(p: inspect.Parameter, col: str, kwargs: dict, n: int, mask_root) -> list:
    if col not in kwargs:
        if p.default is p.empty:
            raise KeyError(f"reward {p.name!r} needs the dataset column {col!r}; columns given: {sorted(kwargs)}")
        return [p.default] * n
    values = [p.default if v is None and p.default is not p.empty else v for v in kwargs[col]]
    if p.name == "masks":
        values = [_load_mask(v, mask_root) for v in values]
    return values


def _load_mask(value, root):
    if isinstance(value, (str, Path)):
        if root is None:  # box IoU unless told where the dataset's mask files are
            return None
        from PIL import Image
        with Image.open(Path(root or ".") / value) as im:
            return np.array(im)
    return None if value is None else np.asarray(value)


def _groups(prompts, n: int, size: int | None) -> list[tuple[int, int]]:
    if size:
        return [(lo, min(lo + size, n)) for lo in range(0, n, size)]
    keys = [repr(p) for p in prompts] if prompts is not None else [None] * n
    cuts = [0] + [i for i in range(1, n) if keys[i] != keys[i - 1]] + [n]
    return list(zip(cuts, cuts[1:]))
