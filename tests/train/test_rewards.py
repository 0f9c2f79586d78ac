"""Reward functions against hand-computed values (the arithmetic is in the comments), degenerate
replies, and the TRL adapters called the way GRPOTrainer._calculate_rewards calls them."""

import math

import numpy as np
import pytest
from PIL import Image

from agent.prompts.compact import CompactFormat
from agent.records import Episode, StepRecord
from synth.grounding import EMPTY, target_text
from agent.prompts.replies import (bbox_lines, completion_text, has_layout, option_letter, parse_str_list,
                                   split_actions, valid_box)
from train.metrics import box_iou, box_mask, levenshtein_distance, levenshtein_ratio, mask_iou
from train.grounding_rewards import earl_answer_reward, earl_grounding_reward, ego3s_interaction_rewards, grounded
from train.rewards import (earl_format, ego3s_format, egovlm_reward, episode_return, episode_reward, imitation_reward,
                           keyframe_recall, keyframe_reward, mcq_accuracy, prefix_score, think_action_format,
                           think_answer_format)
from train.trl_rewards import REWARDS, trl_reward

approx = pytest.approx


# ---- parsing helpers ------------------------------------------------------------------------------
@pytest.mark.parametrize("a, b, expected", [
    ("kitten", "sitting", 8 / 13),  # k->s, e->i cost 2 each, +g 1: d = 5, (13 - 5) / 13
    ("Hello world!", "Holly grail!", 14 / 24),  # python-Levenshtein's documented 0.58333
    ("lewenstein", "levenshtein", 18 / 21),  # w->v 2, +h 1: d = 3
    ("Brian", "Jesus", 0.0),  # no common letter: d = 10 = |a| + |b|
    ("left hand", "right hand", 12 / 19),  # LCS "t hand" = 6: d = 19 - 12 = 7
    ("", "", 1.0), ("abc", "", 0.0), ("same", "same", 1.0),
])
def test_levenshtein_ratio_known_pairs(a, b, expected):
    assert levenshtein_ratio(a, b) == approx(expected)
    assert levenshtein_ratio(b, a) == approx(expected)


def test_levenshtein_distance_is_indel_distance():
    def lcs(a, b):
        t = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
        for i, ca in enumerate(a):
            for j, cb in enumerate(b):
                t[i + 1][j + 1] = t[i][j] + 1 if ca == cb else max(t[i][j + 1], t[i + 1][j])
        return t[-1][-1]

    rng = np.random.default_rng(0)
    for _ in range(200):
        a, b = ("".join(rng.choice(list("abc"), rng.integers(0, 8))) for _ in range(2))
        # with substitution cost 2, a substitution is never cheaper than delete + insert
        assert levenshtein_distance(a, b) == len(a) + len(b) - 2 * lcs(a, b)
    assert levenshtein_distance("kitten", "sitting", substitution=1) == 3  # the classic unit-cost value


@pytest.mark.parametrize("content, letter", [
    ("B", "B"), ("(B)", "B"), ("B.", "B"), ("Answer: B", "B"), ("answer: (D)", "D"), ("b", "B"), ("[C]", "C"),
    ("The answer is B because it fell", "B"), ("B. put the apple in the fridge", "B"), ("E)", "E"),
    ("A mug", None), ("I think B", None), ("Bread", None), ("", None), (None, None), ("K", None),
])
def test_option_letter(content, letter):
    assert option_letter(content) == letter


def test_completion_text_forms():
    assert completion_text("plain") == "plain"
    assert completion_text([{"role": "assistant", "content": "conv"}]) == "conv"
    parts = [{"type": "text", "text": "a"}, {"type": "image"}, {"type": "text", "text": "b"}]
    assert completion_text([{"role": "assistant", "content": parts}]) == "ab"
    assert completion_text([{"role": "user", "content": "no"}, {"role": "assistant", "content": "yes"}]) == "yes"
    assert completion_text(None) == "" and completion_text([]) == ""


def test_layout_is_exact_blocks_in_order():
    assert has_layout(" <think>x</think>\n<answer>B</answer>\n", ("think", "answer"))
    assert has_layout("<think></think><answer></answer>", ("think", "answer"))  # empty blocks, as the seeds' .*?
    assert not has_layout("<answer>B</answer><think>x</think>", ("think", "answer"))
    assert not has_layout("<think>x</think><answer>A</answer><answer>B</answer>", ("think", "answer"))
    assert not has_layout("<think>x</think>so<answer>B</answer>", ("think", "answer"))
    assert not has_layout("<think>x</think><answer>B</answer> done", ("think", "answer"))
    assert not has_layout("<THINK>x</THINK><answer>B</answer>", ("think", "answer"))


def test_small_parsers():
    assert split_actions("1. find a Apple\n- pick up the Apple; \n\nput down the object in hand") == [
        "find a Apple", "pick up the Apple", "put down the object in hand"]
    assert parse_str_list('["a", "b"]') == ["a", "b"] and parse_str_list("['a']") == ["a"]
    assert parse_str_list("a, b") is None and parse_str_list("[1, 2]") is None and parse_str_list(None) is None
    assert bbox_lines('"Apple_1": [1, 2, 3, 4]\n[5, 6, 7, 8]\nbad line\nX: [1, 2]') == [
        ("Apple_1", [1, 2, 3, 4]), ("", [5, 6, 7, 8])]
    assert valid_box([0, 0, 1, 1])
    for bad in ([0.0, 0, 1, 1], [True, 0, 1, 1], [-1, 0, 1, 1], [5, 0, 5, 1], [0, 3, 1, 2], [0, 0, 1]):
        assert not valid_box(bad)


def test_box_iou_and_its_rectangle_mask_agree():
    # overlap [5,10)x[5,10) = 25 px; union 100 + 100 - 25 = 175
    assert box_iou([0, 0, 10, 10], [5, 5, 15, 15]) == approx(25 / 175)
    assert box_iou([0, 0, 10, 10], [10, 0, 20, 10]) == 0.0  # touching edges: exclusive ends share no pixel
    a, b = box_mask([0, 0, 10, 10], (20, 20)), box_mask([5, 5, 15, 15], (20, 20))
    assert a.sum() == 100 and mask_iou(a, b) == approx(25 / 175)
    assert box_mask([15, 15, 30, 30], (20, 20)).sum() == 25  # clipped to the image
    assert mask_iou(np.zeros((4, 4), bool), np.zeros((4, 4), bool)) == 0.0


# ---- format rewards -------------------------------------------------------------------------------
def test_format_rewards():
    assert think_action_format("<think>t</think><action>find a Apple</action>") == 1.0
    assert think_action_format("<action>find a Apple</action>") == 0.0
    assert think_action_format("<think>t</think><action>a</action><action>b</action>") == 0.0
    assert think_action_format("") == 0.0 and think_action_format(None) == 0.0
    reply = CompactFormat().render([0], ["find a Apple"], "I need the apple.")
    assert think_action_format(reply) == 1.0  # what the compact policy writes is the format rewarded
    assert think_action_format(reply + "<box>[1,2,3,4]</box>") == 1.0  # with its optional box
    assert think_action_format(reply + "<box>[1,2,3,4]</box><box>[1,2,3,4]</box>") == 0.0
    assert think_action_format("<think>t</think><box>[1,2,3,4]</box><action>find a Apple</action>") == 0.0
    assert think_answer_format("<think>t</think> <answer>B</answer>") == 1.0
    assert think_answer_format("<think>t</think><answer>B</answer>", with_keyframes=True) == 0.0
    assert think_answer_format("<think>t</think><answer>B</answer><keyframes>1</keyframes>", with_keyframes=True) == 1
    assert earl_format('<answer>["a"]</answer><bbox>a: [0, 0, 1, 1]</bbox>') == 1.0
    assert earl_format('<answer>["a"]</answer>') == 0.5 and earl_format("<bbox>None</bbox>") == 0.5
    assert earl_format("") == 0.0 and earl_format(None) == 0.0
    assert ego3s_format("<think>t</think><answer>B</answer><object>apple, knife</object>") == 1.0
    assert ego3s_format("<think>t</think><answer>B</answer>") == 0.0


# ---- EgoReasoner imitation ------------------------------------------------------------------------
GOLD = ["find a Apple", "pick up the Apple", "find a Fridge"]  # K = 3, K(K+1) = 12


def test_prefix_score():
    assert [prefix_score(n, 3) for n in range(4)] == approx([0, 2 / 12, 6 / 12, 1])  # n(n+1)/12
    assert prefix_score(5, 3) == 1.0  # n capped at K


@pytest.mark.parametrize("reply, expected", [
    # strict 0.2 + intact 0.5 + n=3: 3*4/12 = 1  -> 1.7
    ("<think>t</think><action>find a Apple\npick up the Apple\nfind a Fridge</action>", 1.7),
    # names compared normalized ("Find the apple" == "find a Apple"); n = 2: 2*3/12 = 0.5 -> 1.2
    ("<think>t</think><action>Find the apple; pick up the Apple; find a Sink</action>", 1.2),
    # first action wrong: n = 0 -> 0.7
    ("<think>t</think><action>find a Sink\npick up the Apple</action>", 0.7),
    # several blocks, no think: not strict, intact 0.5, n = 2: 0.5 -> 1.0
    ("<action>find a Apple</action><action>pick up the Apple</action>", 1.0),
    # think + several blocks: neither strict nor intact (the think text is outside the blocks), n = 1: 2/12
    ("<think>t</think><action>find a Apple</action><action>find a Sink</action>", 2 / 12),
    # unclosed block: nothing read, nothing intact
    ("<think>t</think><action>find a Apple", 0.0),
    ("", 0.0), (None, 0.0),
])
def test_imitation_reward(reply, expected):
    assert imitation_reward(reply, GOLD) == approx(expected)


def test_imitation_single_step_and_empty_gold():
    one = ["find a Apple"]  # K = 1: a right first action gives 1*2/(1*2) = 1
    assert imitation_reward("<think>t</think><action>find a Apple</action>", one) == approx(1.7)
    # two actions for K = 1: 0.2 + 0.5 + 1 - 0.25
    assert imitation_reward("<think>t</think><action>find a Apple\nfind a Sink</action>", one) == approx(1.45)
    # wrong and two actions: 0.2 + 0.5 + 0 - 0.25
    assert imitation_reward("<think>t</think><action>find a Sink\nfind a Apple</action>", one) == approx(0.45)
    # K = 0: 1 only when nothing is predicted
    assert imitation_reward("<think>t</think><action></action>", []) == approx(1.7)
    assert imitation_reward("<think>t</think><action>end</action>", []) == approx(0.7)
    assert imitation_reward("<think>t</think><action></action>", None) == approx(1.7)


def test_imitation_reads_the_compact_formats_optional_box_as_part_of_the_layout():
    boxed = "<think>t</think><action>find a Apple</action><box>[3, 4, 10, 12]</box>"
    assert imitation_reward(boxed, GOLD) == approx(0.2 + 0.5 + 2 / 12)  # strict, intact, n = 1 of 3
    before = "<think>t</think><box>[3, 4, 10, 12]</box><action>find a Apple</action>"  # not the layout
    assert imitation_reward(before, GOLD) == approx(2 / 12)  # neither strict nor intact


def test_imitation_weights_and_missing_think():
    reply = "<action>find a Apple</action>"  # intact, n = 1 of 3: 2/12
    assert imitation_reward(reply, GOLD) == approx(0.5 + 2 / 12)
    assert imitation_reward(reply, GOLD, require_think=True) == approx(0.5 + 2 / 12 - 0.5)
    strict = "<think>t</think><action>find a Apple</action>"
    assert imitation_reward(strict, GOLD, require_think=True) == approx(0.7 + 2 / 12)  # has its think
    assert imitation_reward(strict, GOLD, strict_bonus=1.0, integrity_reward=0.0) == approx(1.0 + 2 / 12)


# ---- EgoVLM ---------------------------------------------------------------------------------------
def test_mcq_accuracy():
    assert mcq_accuracy("<think>t</think><answer>(B)</answer>", "B") == 1.0
    assert mcq_accuracy("<answer>Answer: B</answer>", "b") == 1.0
    assert mcq_accuracy("<answer>C</answer>", "B") == 0.0
    assert mcq_accuracy("The answer is B", "B") == 0.0  # not in <answer>
    assert mcq_accuracy("<answer></answer>", "B") == 0.0
    assert mcq_accuracy("", "B") == 0.0 and mcq_accuracy(None, None) == 0.0


def test_keyframe_reward_is_recall_gated_by_correctness():
    right = "<think>t</think><answer>B</answer><keyframes>2, 7</keyframes>"
    wrong = right.replace("B", "C")
    assert keyframe_recall(right, [2, 5]) == 0.5  # {2, 7} & {2, 5} = {2}: 1/2
    assert keyframe_reward(right, "B", [2, 5]) == 0.5
    assert keyframe_reward(wrong, "B", [2, 5]) == 0.0  # gated by r_acc = 0
    assert keyframe_recall("<keyframes>frame 2, frame 5</keyframes>", [2, 5]) == 1.0
    assert keyframe_recall("<keyframes>the second one</keyframes>", [2, 5]) == 0.0  # unparsable
    assert keyframe_recall(right, []) == 0.0 and keyframe_recall(right, None) == 0.0
    assert keyframe_recall("", [1]) == 0.0
    every = "<answer>B</answer><keyframes>0,1,2,3,4,5</keyframes>"
    assert keyframe_reward(every, "B", [2, 5]) == 1.0
    assert keyframe_reward(every, "B", [2, 5], max_keyframes=3) == 0.0


def test_egovlm_total():
    right = "<think>t</think><answer>B</answer><keyframes>2, 7</keyframes>"
    assert egovlm_reward(right, "B", [2, 5]) == approx(2.25)  # 1 + 1 + 0.5 * 0.5
    assert egovlm_reward(right, "C", [2, 5]) == approx(1.0)  # 0 + 1 + 0.5 * 0 (gated)
    plain = "<think>t</think><answer>B</answer>"
    assert egovlm_reward(plain, "B") == approx(2.0)  # no keyframes asked: format is think + answer
    assert egovlm_reward(plain, "B", [2, 5]) == approx(1.0)  # asked and missing: format 0, r_key 0
    assert egovlm_reward(right, "B", [2, 5], keyframe_weight=1.0, format_weight=0.5) == approx(2.0)  # 1+.5+.5
    assert egovlm_reward("", "B", [1]) == 0.0


# ---- EARL -----------------------------------------------------------------------------------------
def test_earl_answer_reward():
    gold = ["Apple_1", "Knife"]
    # "apple" in "apple_1" -> 1; fork/knife: LCS 1 of 9 chars -> ratio 2/9; mean (1 + 2/9) / 2 = 11/18
    assert earl_answer_reward('<answer>["apple", "fork"]</answer>', gold) == approx(11 / 18)
    assert earl_answer_reward('<answer>["Apple_1", "Knife"]</answer>', gold) == 1.0
    assert earl_answer_reward('<answer>["Apple_1"]</answer>', gold) == approx(0.1)  # length differs
    assert earl_answer_reward("<answer>Apple_1, Knife</answer>", gold) == 0.0  # unparsable
    assert earl_answer_reward('<answer>["", ""]</answer>', gold) == 0.0  # empty strings earn nothing
    assert earl_answer_reward('["Apple_1", "Knife"]', gold) == 0.0  # no block
    assert earl_answer_reward(f"<answer>{EMPTY}</answer><bbox>None</bbox>", []) == 1.0
    assert earl_answer_reward('<answer>["Apple_1"]</answer>', []) == 0.0
    assert earl_answer_reward(f"<answer>{EMPTY}</answer>", None) == 1.0
    assert earl_answer_reward("", gold) == 0.0 and earl_answer_reward(None, []) == 0.0


NAMES, BOXES = ["Apple_1", "Knife_2"], [[0, 0, 10, 10], [20, 20, 30, 40]]


def test_earl_grounding_box_iou():
    reply = '<answer>["Apple_1", "Knife_2"]</answer><bbox>Apple_1: [5, 5, 15, 15]\nKnife_2: [20, 20, 30, 40]</bbox>'
    assert earl_grounding_reward(reply, NAMES, BOXES) == approx((1 / 7 + 1) / 2)  # 25/175 and 1: 4/7
    # no name: borrows the answer entity at its position; [20,20,30,30] in [20,20,30,40]: 100/200
    assert earl_grounding_reward('<answer>["Knife_2"]</answer><bbox>[20, 20, 30, 30]</bbox>', NAMES, BOXES) == 0.5
    # an invalid first line is dropped and Knife_2 keeps its own box: IoU 1 (EARL's name slicing gives 0)
    assert earl_grounding_reward("<bbox>Apple_1: [10, 0, 5, 10]\nKnife_2: [20, 20, 30, 40]</bbox>",
                                 NAMES, BOXES) == 1.0
    # two boxes on one entity both count, the unmatched gold is ignored: (1 + 1/7) / 2
    assert earl_grounding_reward("<bbox>apple: [0, 0, 10, 10]\napple: [5, 5, 15, 15]</bbox>",
                                 NAMES, BOXES) == approx(4 / 7)
    # "knif_2" vs "knife_2": ratio 12/13 > 0.5 -> matched to Knife_2
    assert earl_grounding_reward("<bbox>Knif_2: [20, 20, 30, 40]</bbox>", NAMES, BOXES) == 1.0


def test_earl_grounding_degenerate():
    assert earl_grounding_reward("<bbox>Fridge: [0, 0, 10, 10]</bbox>", NAMES, BOXES) == 0.0  # no name matches
    assert earl_grounding_reward("<bbox>Fridge: [0, 0, 10, 10]</bbox>", NAMES, BOXES, no_match_floor=0.2) == 0.2
    assert earl_grounding_reward("<bbox>Apple_1: [0.0, 0.0, 10.0, 10.0]</bbox>", NAMES, BOXES) == 0.0  # floats
    assert earl_grounding_reward("<bbox>Apple_1: [0, 0, 10]</bbox>", NAMES, BOXES) == 0.0
    assert earl_grounding_reward("<bbox>None</bbox>", NAMES, BOXES) == 0.0
    assert earl_grounding_reward("<bbox></bbox>", NAMES, BOXES) == 0.0
    assert earl_grounding_reward("", NAMES, BOXES) == 0.0 and earl_grounding_reward(None, NAMES, BOXES) == 0.0
    assert earl_grounding_reward(f"<answer>{EMPTY}</answer><bbox>None</bbox>", [], []) == 1.0
    assert earl_grounding_reward("<bbox>none</bbox>", None, None) == 1.0
    assert earl_grounding_reward("<bbox>Apple_1: [0, 0, 10, 10]</bbox>", [], []) == 0.0
    assert earl_grounding_reward(f"<answer>{EMPTY}</answer>", [], []) == 0.0  # no bbox block


def test_earl_grounding_mask_iou():
    indexed = np.zeros((40, 40), np.uint8)
    indexed[0:10, 0:10] = 1  # Apple_1: the 10x10 square less its 5x5 corner -> 75 px
    indexed[5:10, 5:10] = 0
    indexed[20:40, 20:30] = 2
    reply = "<bbox>Apple_1: [0, 0, 10, 10]</bbox>"
    assert earl_grounding_reward(reply, NAMES, BOXES) == 1.0  # the box is exact
    assert earl_grounding_reward(reply, NAMES, BOXES, indexed) == approx(0.75)  # 75 / 100 pixels
    as_list = [indexed == 1, indexed == 2]
    assert earl_grounding_reward(reply, NAMES, BOXES, as_list) == approx(0.75)
    # a box past the image edge is clipped: [20,20,40,40] -> 20x20 = 400 px vs Knife's 200: 200 / 400
    assert earl_grounding_reward("<bbox>Knife_2: [20, 20, 60, 60]</bbox>", NAMES, BOXES, indexed) == 0.5


def test_synth_grounding_targets_score_full_marks():
    target = target_text(NAMES, BOXES)
    assert earl_format(target) == 1.0
    assert earl_answer_reward(target, NAMES) == 1.0 and earl_grounding_reward(target, NAMES, BOXES) == 1.0
    empty = target_text([], [])
    assert earl_answer_reward(empty, []) == 1.0 and earl_grounding_reward(empty, [], []) == 1.0


# ---- Ego3S ----------------------------------------------------------------------------------------
TRUTH = ["Apple_1", "Apple"]
GROUP = [
    "<think>t</think><answer>B</answer><object>apple, knife</object>",  # GR 1, |B| = 2
    "<think>t</think><answer>B</answer><object>knife</object>",  # GR 0
    "<think>t</think><answer>B</answer><object>the Apple_1</object>",  # GR 1 ("apple1" == "apple1")
    "<object>a, b, c, d, e, f, apple</object>",  # GR 1, |B| = 7: penalty 0.5 * (5 - 7) = -1
]


def test_grounded():
    assert [grounded(t, TRUTH) for t in GROUP] == [1, 0, 1, 1]
    assert grounded("<object>pineapple</object>", TRUTH) == 0.0  # whole names, not substrings
    assert grounded("<object></object>", TRUTH) == 0.0 and grounded("", TRUTH) == 0.0
    assert grounded("<object>apple</object>", []) == 0.0 and grounded("<object>apple</object>", None) == 0.0


def test_ego3s_interaction_rewards():
    # rho = 3/4; H - rho = 0.35
    assert ego3s_interaction_rewards(GROUP, TRUTH) == approx([0.35, 0.0, 0.35, 0.35 - 1.0])
    # every one grounded: rho = 1, 1.1 - 1 = 0.1 each (the term never vanishes)
    assert ego3s_interaction_rewards(GROUP[:1] * 3, TRUTH) == approx([0.1] * 3)
    assert ego3s_interaction_rewards(GROUP[1:2] * 2, TRUTH) == [0.0, 0.0]
    # released-code weights: 0.8 * 0.35 = 0.28; 0.025 * min(0, 8 - 7) = 0
    assert ego3s_interaction_rewards(GROUP, TRUTH, alpha_g=0.8, alpha=0.025, max_objects=8) == approx(
        [0.28, 0.0, 0.28, 0.28])
    per_row = [TRUTH, TRUTH, ["Knife"], ["Knife"]]  # rows 2, 3 grounded on nothing: rho = 1/4, 0.85
    assert ego3s_interaction_rewards(GROUP, per_row) == approx([0.85, 0.0, 0.0, -1.0])
    assert ego3s_interaction_rewards([], TRUTH) == []
    assert ego3s_interaction_rewards(["", None], TRUTH) == [0.0, 0.0]


# ---- episodes -------------------------------------------------------------------------------------
def _step(i, progress, valid=True):
    return StepRecord(step=i, turn=i, action_id=0, action="find a Apple", valid=valid, feedback="", reward=0.0,
                      progress=progress, output="")


def test_episode_reward_numbers():
    assert episode_reward(1, 0.5, 2, 10) == approx(2.0)  # 3 + 0.5 - 2*0.5 - 10*0.05
    assert episode_reward(0) == 0.0
    assert episode_reward(True, 1.0, 0, 4, 0.5, format_weight=0.2, success_weight=1.0) == approx(2.0 - 0.2 + 0.1)


def test_episode_return_from_records():
    metrics = {"task_success": 0.0, "task_progress": 0.5, "num_steps": 4, "num_invalid_actions": 1,
               "planner_output_error": 1, "planner_steps": 4}
    ep = Episode(index=0, seed=0, env={}, task={}, policy="p", prompt="compact", metrics=metrics,
                 steps=[_step(1, 0.0), _step(2, 0.5), _step(3, 0.25, valid=False), _step(4, 0.5)])
    # best progress 0.5: 0.5 - 0.5 (one invalid) - 0.2 (four steps) = -0.2
    assert episode_return(ep) == approx(-0.2)
    assert episode_return(ep.to_dict()) == approx(-0.2)
    assert episode_return(metrics) == approx(-0.2)
    # format rate 1 - 1/4 = 0.75; 0.2 * 0.75 = 0.15
    assert episode_return(ep, format_weight=0.2) == approx(-0.05)
    assert episode_return({"metrics": {}}) == 0.0


# ---- TRL adapters ---------------------------------------------------------------------------------
def conv(texts):
    return [[{"role": "assistant", "content": t}] for t in texts]


def call(fn, prompts, completions, **columns):
    """As GRPOTrainer._calculate_rewards: every column as a keyword list, plus the trainer's extras."""
    return fn(prompts=prompts, completions=completions, completion_ids=[[1]] * len(completions),
              trainer_state=object(), log_extra=lambda *a: None, log_metric=lambda *a: None, **columns)


def test_trl_mcq_and_imitation_adapters():
    fn = trl_reward("mcq_accuracy")
    assert fn.__name__ == "mcq_accuracy"
    texts = ["<answer>B</answer>", "<answer>(C)</answer>", "nothing"]
    assert call(fn, ["p"] * 3, conv(texts), answer=["B", "B", "B"], images=[None] * 3) == [1.0, 0.0, 0.0]
    assert call(fn, ["p"] * 3, texts, answer=["B"] * 3) == [1.0, 0.0, 0.0]  # plain-text completions
    imit = trl_reward(imitation_reward, name="imit", strict_bonus=0.0)
    assert imit.__name__ == "imit"
    reply = "<think>t</think><action>find a Apple\npick up the Apple\nfind a Fridge</action>"
    assert call(imit, ["p"], conv([reply]), expert_actions=[GOLD], level=[3]) == approx([1.5])  # 0 + 0.5 + 1


def test_trl_adapter_columns_and_defaults():
    with pytest.raises(KeyError, match="expert_actions"):
        call(trl_reward("imitation_reward"), ["p"], ["x"], answer=["B"])
    ego = trl_reward("egovlm_reward")
    right = "<think>t</think><answer>B</answer><keyframes>2</keyframes>"
    assert call(ego, ["p"] * 2, conv([right] * 2), answer=["B", "B"], keyframes=[[2, 5], None]) == approx(
        [2.25, 1.0])  # None keyframes: default, so the format wanted no keyframes block and got one
    assert call(ego, ["p"], conv([right]), answer=["B"]) == approx([1.0])  # no column at all
    fmt = trl_reward("think_action_format")
    assert call(fmt, ["p"], conv(["<think>t</think><action>x</action>"])) == [1.0]
    assert set(REWARDS) >= {"imitation_reward", "earl_grounding_reward", "ego3s_interaction_rewards"}


def test_trl_grounding_adapter_reads_mask_files(tmp_path):
    (tmp_path / "masks").mkdir()
    indexed = np.zeros((40, 40), np.uint8)
    indexed[0:10, 0:10], indexed[5:10, 5:10] = 1, 0
    Image.fromarray(indexed).save(tmp_path / "masks/000000.png")
    texts = conv(["<bbox>Apple_1: [0, 0, 10, 10]</bbox>", f"<answer>{EMPTY}</answer><bbox>None</bbox>"])
    cols = dict(answer=[["Apple_1"], []], boxes=[[[0, 0, 10, 10]], []], masks=["masks/000000.png", None])
    by_mask = trl_reward("earl_grounding_reward", mask_root=tmp_path)
    assert call(by_mask, ["a", "b"], texts, **cols) == approx([0.75, 1.0])
    by_box = trl_reward("earl_grounding_reward")
    assert call(by_box, ["a", "b"], texts, **cols) == approx([1.0, 1.0])
    answer = trl_reward("earl_answer_reward")
    assert call(answer, ["a", "b"], texts, **cols) == approx([0.0, 1.0])


def test_trl_group_reward_splits_groups():
    fn = trl_reward("ego3s_interaction_rewards", columns={"interacted": "names"})
    texts = conv(GROUP + GROUP[1:2] * 2)  # prompt "p" x 4, then prompt "q" x 2
    prompts = [[{"role": "user", "content": "p"}]] * 4 + [[{"role": "user", "content": "q"}]] * 2
    names = [TRUTH] * 6
    # group p as in test_ego3s_interaction_rewards; group q: nobody grounded -> 0
    assert call(fn, prompts, texts, names=names) == approx([0.35, 0.0, 0.35, -0.65, 0.0, 0.0])
    # fixed size 2 ignores the prompts: {0,1}: rho 1/2 -> 0.6, 0; {2,3}: rho 1 -> 0.1, 0.1 - 1; {4,5}: 0
    sized = trl_reward("ego3s_interaction_rewards", columns={"interacted": "names"}, group_size=2)
    assert call(sized, prompts, texts, names=names) == approx([0.6, 0.0, 0.1, -0.9, 0.0, 0.0])
    assert all(math.isfinite(x) for x in call(fn, ["p"], [""], names=[[]]))
