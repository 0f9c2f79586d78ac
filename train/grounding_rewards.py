"""EARL's answer-relevance and grounding rewards and Ego3S's interaction-centric reward: the rewards
that score what a reply names and where it says it is (formulas in ``../shared/reference/seeds.md``)."""

from __future__ import annotations

import numpy as np

from agent.prompts.names import normalize
from agent.prompts.replies import bbox_lines, block, object_list, parse_str_list, valid_box
from train.metrics import box_iou, box_mask, mask_iou, name_score


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
