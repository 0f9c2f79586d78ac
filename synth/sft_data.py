"""SFT data from expert episodes, in the conversational multi-image form TRL's ``SFTTrainer`` and
LLaMA-Factory read (``messages`` with image placeholders, ``images``), in either prompt format.

    python -m synth.sft_data out=data/sft n=200 seed=0 prompt=compact granularity=step

``granularity=step``: one row per turn, the prompt exactly as the policy saw it and the expert's
reply. ``granularity=episode``: one multi-turn conversation per episode (each later user turn
holds the new frame and the last feedback). ``compress=true`` (EgoReasoner's context compression,
step rows): the first turn's prompt plus "Previous actions taken: ...", with the current frame only.
``planning.per_episode``: also some of each episode's multi-level planning prompts (``synth.plans``)
with the remaining plan as the reply, and ``videoqa.per_episode`` questions about its own video.
"""

from __future__ import annotations

import hydra
from datasets import Sequence, Value
from omegaconf import DictConfig, OmegaConf

from synth import chat
from synth.episodes import SynthEpisode, checked_subsets, expert_episodes, target_box
from synth.io import rows_dataset, save
from synth.plans import actions, compressed, level_prompt, plan_reply, sampled_levels
from synth.questions import FAMILIES
from synth.thoughts import NARRATORS
from synth.videoqa import asked, episode_questions, gold_reply

COLUMNS = {"episode_id": Value("string"), "task_id": Value("string"), "subset": Value("string"),
           "task_type": Value("string"), "kind": Value("string"), "turn": Value("int32"),
           "expert_actions": Sequence(Value("string"))}


def turn_actions(ep: SynthEpisode, t: int) -> list[str]:
    return [s.action for s in ep.episode.steps if s.turn == t + 1 and s.action_id is not None]


def reply(ep: SynthEpisode, t: int, box: bool) -> str:
    """The expert's reply at turn ``t``; with ``box``, followed by the target's ``<box>`` when it is in view."""
    text = ep.turns[t].decision.text
    coords = target_box(ep, ep.turns[t]) if box else None
    return text if coords is None else text + "<box>[" + ",".join(map(str, coords)) + "]</box>"


def step_rows(ep: SynthEpisode, compress: bool, box: bool = False, mistakes: bool = True) -> list[dict]:
    """One row per turn; ``mistakes=False`` leaves out the turns whose reply is a seeded detour, so the
    model learns the recoveries that follow one (their prompts show the failure) but not the detour."""
    rows = []
    for t, turn in enumerate(ep.turns):
        if turn.mistake and not mistakes:
            continue
        prompt = compressed(ep, t) if compress and t > 0 else turn.prompt
        rows.append({"messages": chat.messages(prompt, reply(ep, t, box)), "images": chat.pil(prompt.images),
                     "kind": "act", "turn": t, "expert_actions": turn_actions(ep, t)})
    return rows


def follows_failure(ep: SynthEpisode, t: int) -> bool:
    """Whether turn ``t``'s prompt shows a failed action's feedback (a probe's or a detour's)."""
    k = ep.turns[t].step
    return k > 0 and not ep.episode.steps[k - 1].valid


def with_repeats(ep: SynthEpisode, rows: list[dict], extra: int) -> list[dict]:
    """``rows`` plus ``extra`` more copies of each act or plan row that answers a failure: the few
    replies that must copy a name out of the feedback, which a small model learns only when it sees
    them thousands of times, not hundreds."""
    again = [r for r in rows if r["kind"] in ("act", "plan") and r["turn"] >= 0 and follows_failure(ep, r["turn"])]
    return rows + again * extra


def videoqa_rows(ep: SynthEpisode, seed: int, per_episode: int, frames: tuple[int, int]) -> list[dict]:
    """Up to ``per_episode`` questions about the episode's own video, asked as online GRPO asks them
    (``synth.videoqa.asked``, keyframes included), with the gold reply: so the policy can answer the
    question each online episode ends with."""
    qs = episode_questions(ep, seed, FAMILIES, options=5, cap=per_episode, frames_min=frames[0], frames_max=frames[1])
    rows = []
    for q in qs:
        prompt = asked(q, ep.frames)
        rows.append({"messages": chat.messages(prompt, gold_reply(q)), "images": chat.pil(prompt.images),
                     "kind": "videoqa", "turn": -1, "expert_actions": []})
    return rows


def plan_rows(ep: SynthEpisode, per_episode: int, max_level: int, seed: int) -> list[dict]:
    """``per_episode`` of the episode's multi-level planning prompts (``synth.plans``), each with the
    expert's remaining plan as its reply: so the model has seen the plan request that offline GRPO's
    planning set asks (levels after the episode's last detour only)."""
    rows = []
    for d in sampled_levels(ep, per_episode, max_level, seed):
        prompt = level_prompt(ep, d, compress=False, ask_plan=True)
        rows.append({"messages": chat.messages(prompt, plan_reply(ep, d)), "images": chat.pil(prompt.images),
                     "kind": "plan", "turn": len(ep.turns) - d, "expert_actions": actions(ep)[len(ep.turns) - d:]})
    return rows


def episode_row(ep: SynthEpisode) -> dict:
    first = ep.turns[0]
    msgs = chat.messages(first.prompt, first.decision.text)
    images = list(first.prompt.images)
    for t, turn in enumerate(ep.turns[1:], 1):
        feedback = next((s.feedback for s in reversed(ep.episode.steps) if s.turn == t), "")
        msgs.append({"role": "user", "content": [{"type": "image", "text": None},
                                                 {"type": "text", "text": f"Env feedback: {feedback}"}]})
        msgs.append({"role": "assistant", "content": [{"type": "text", "text": turn.decision.text}]})
        images.append(ep.frames[turn.step])
    actions = [s.action for s in ep.episode.steps if s.action_id is not None]
    return {"messages": msgs, "images": chat.pil(images), "kind": "act", "turn": -1, "expert_actions": actions}


def row_meta(ep: SynthEpisode) -> dict:
    task = ep.episode.task
    return {"episode_id": ep.id, "task_id": task["id"], "subset": task["subset"], "task_type": task["type"]}


def build_rows(episodes, granularity: str, compress: bool, box: bool = False, mistakes: bool = True) -> list[dict]:
    if granularity not in ("step", "episode"):
        raise ValueError(f"granularity must be step or episode, got {granularity!r}")
    rows = []
    for ep in episodes:
        made = step_rows(ep, compress, box, mistakes) if granularity == "step" else [episode_row(ep)]
        rows += [{**row_meta(ep), **r} for r in made]
    return rows


@hydra.main(config_path="conf", config_name="sft_data", version_base=None)
def main(cfg: DictConfig) -> None:
    if cfg.after_failure_repeat < 0:
        raise SystemExit(f"after_failure_repeat: extra copies must be >= 0, got {cfg.after_failure_repeat}")
    if cfg.box and (cfg.prompt == "eb" or cfg.granularity != "step"):
        raise SystemExit(f"box: true needs step rows in a compact format (prompt=compact|bare), got "
                         f"prompt={cfg.prompt} granularity={cfg.granularity}")
    episodes = expert_episodes(cfg.n, cfg.seed, checked_subsets(cfg.subsets), prompt=cfg.prompt,
                               mistake_prob=cfg.mistake_prob, resolution=cfg.resolution,
                               narrator=NARRATORS[cfg.thoughts], box=cfg.box, probe_prob=cfg.probe_prob)
    counts = {"episodes": 0, "rows": 0, "images": 0, "plan_rows": 0, "videoqa_rows": 0}

    def rows():  # one episode in memory at a time
        for ep in episodes:
            made = build_rows([ep], cfg.granularity, cfg.compress, cfg.box, cfg.train_on_mistakes)
            if cfg.planning.per_episode:
                made += [{**row_meta(ep), **r} for r in plan_rows(ep, cfg.planning.per_episode,
                                                          cfg.planning.max_level, cfg.seed)]
            if cfg.videoqa.per_episode:
                made += [{**row_meta(ep), **r} for r in videoqa_rows(ep, cfg.seed, cfg.videoqa.per_episode,
                                                             tuple(cfg.videoqa.frames))]
            made = with_repeats(ep, made, cfg.after_failure_repeat)
            counts["episodes"] += 1
            counts["rows"] += len(made)
            counts["images"] += sum(len(r["images"]) for r in made)
            counts["plan_rows"] += sum(r["kind"] == "plan" for r in made)
            counts["videoqa_rows"] += sum(r["kind"] == "videoqa" for r in made)
            yield from made

    ds = rows_dataset(rows(), chat.features(**COLUMNS))
    stats = {**counts, "prompt": cfg.prompt, "granularity": cfg.granularity, "compressed": bool(cfg.compress)}
    fp = save(ds, cfg.out, "sft_data", stats, OmegaConf.to_container(cfg))
    print(f"{counts['rows']} SFT rows from {counts['episodes']} episodes in {cfg.out} (fingerprint {fp[:12]})")


if __name__ == "__main__":
    main()
