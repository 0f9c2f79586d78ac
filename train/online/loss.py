"""The policy-gradient step on collected turns: log-probs recomputed on the generated token ids, the
clipped surrogate with separate low/high epsilon (DAPO), an optional KL to a frozen reference (k3
estimator, as GRPO), several epochs per batch and gradient accumulation over a minibatch.

Every sequence is recomputed on its own (batch of one, no padding), so that the first epoch's
log-probs equal the sampling log-probs up to float error: the sampler ran left-padded batches in the
same dtype, and padding changes neither positions (Qwen2-VL's M-RoPE skips masked tokens) nor the
attended keys. Only completion tokens enter the loss: the mask is the completion span itself.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image

from train.online.collect import TurnSample
from train.online.distributed import Dist


@dataclass
class LossConfig:
    epsilon_low: float = 0.2
    epsilon_high: float = 0.28
    beta: float = 0.0  # KL to the reference model
    temperature: float = 1.0  # the sampling temperature: log-probs are of logits / T, as sampled
    epochs: int = 1
    minibatch_size: int = 8  # sequences whose gradients accumulate into one optimizer step
    max_grad_norm: float = 1.0


def completion_mask(s: TurnSample) -> torch.Tensor:
    """1 on the tokens the policy generated, 0 on the prompt (system, frames, feedback, history)."""
    return torch.tensor([0] * len(s.prompt_ids) + [1] * len(s.completion_ids), dtype=torch.bool)


class SequenceScorer:
    """Forward passes of one (prompt + completion) at a time, images processed as the sampler did."""

    def __init__(self, processor, temperature: float = 1.0):
        self.processor, self.temperature = processor, temperature
        self.image_token = processor.image_token_id
        tok = processor.tokenizer
        names = ["<|image_pad|>", "<|video_pad|>", "<|vision_start|>", "<|vision_end|>"]
        self.vision_tokens = {i for i in tok.convert_tokens_to_ids(names) if i is not None}
        self._pixels: dict[int, dict] = {}  # id(sample) -> processed images, reused across epochs

    def inputs(self, model, s: TurnSample) -> tuple[dict, torch.Tensor]:
        ids = torch.tensor([s.prompt_ids + s.completion_ids], device=model.device)
        # 1 marks image tokens: what Qwen2-VL's M-RoPE needs to lay out positions
        batch = {"input_ids": ids, "attention_mask": torch.ones_like(ids),
                 "mm_token_type_ids": (ids == self.image_token).int()}
        if s.images:
            key = id(s)
            if key not in self._pixels:
                out = self.processor.image_processor(images=[Image.fromarray(np.asarray(a)) for a in s.images],
                                                     return_tensors="pt")
                self._pixels[key] = {"pixel_values": out["pixel_values"], "image_grid_thw": out["image_grid_thw"]}
            px = self._pixels[key]
            batch["pixel_values"] = px["pixel_values"].to(model.device, model.dtype)
            batch["image_grid_thw"] = px["image_grid_thw"].to(model.device)
        return batch, ids

    def logprobs(self, model, s: TurnSample) -> torch.Tensor:
        """Log-probs of the completion tokens, shape (len(completion),), in float32."""
        batch, ids = self.inputs(model, s)
        mask = completion_mask(s).to(ids.device)
        # position p's logits predict token p + 1: shift the mask left by one
        logits = model(**batch).logits[0, :-1][mask[1:]].float()
        if self.temperature > 0:
            logits = logits / self.temperature
        return torch.log_softmax(logits, dim=-1).gather(-1, ids[0][mask][:, None]).squeeze(-1)

    def scorable(self, s: TurnSample) -> bool:
        """A completion that samples a vision placeholder (a random model can) would ask the vision
        tower for an image that does not exist: such a turn cannot be scored, so it is not trained."""
        return bool(s.completion_ids) and not self.vision_tokens.intersection(s.completion_ids)

    def forget(self) -> None:
        self._pixels.clear()


def loss_terms(new: torch.Tensor, old: torch.Tensor, adv: float, cfg: LossConfig, ref: torch.Tensor | None = None
               ) -> tuple[torch.Tensor, dict]:
    """Per-token loss summed over the completion (the caller divides by the minibatch's token count:
    DAPO's token-level average), and stats."""
    ratio = torch.exp(new - old)
    clipped = torch.clamp(ratio, 1 - cfg.epsilon_low, 1 + cfg.epsilon_high)
    per_token = -torch.minimum(ratio * adv, clipped * adv)
    kl = torch.zeros(())
    if ref is not None and cfg.beta:
        d = ref - new
        kl_tok = torch.exp(d) - d - 1
        per_token = per_token + cfg.beta * kl_tok
        kl = kl_tok.detach().sum()
    clipfrac = ((ratio < 1 - cfg.epsilon_low) | (ratio > 1 + cfg.epsilon_high)).float().sum()
    return per_token.sum(), {"clipfrac": clipfrac.item(), "kl": kl.item(),
                             "logprob_gap": (new - old).detach().abs().max().item()}


def reference_logprobs(ref_model, scorer: SequenceScorer, samples: list[TurnSample]) -> list[torch.Tensor | None]:
    if ref_model is None:
        return [None] * len(samples)
    with torch.no_grad():
        return [scorer.logprobs(ref_model, s) for s in samples]


def minibatches(items: list, size: int, epochs: int, rng: random.Random):
    """``epochs`` shuffled passes over ``items`` in chunks of ``size``: one optimizer step per chunk."""
    for _ in range(epochs):
        order = list(range(len(items)))
        rng.shuffle(order)
        for start in range(0, len(order), size):
            yield [items[i] for i in order[start:start + size]]


def step(model, optimizer, dist: Dist, max_grad_norm: float) -> None:
    """The accumulated gradients, summed across processes and clipped, applied."""
    dist.sum_grads(model)
    torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
    optimizer.step()


def train_on(model, optimizer, scorer: SequenceScorer, samples: list[TurnSample], cfg: LossConfig,
             rng: random.Random, ref_model=None, dist: Dist | None = None) -> dict:
    """``cfg.epochs`` passes over the samples in shuffled minibatches; returns mean stats. Samples with
    zero advantage and no KL term carry no gradient and are skipped. With ``dist`` (several processes,
    each holding the same ``samples`` and the same ``rng`` state), each minibatch is split across the
    processes and their gradients summed: the step is the one a single process would take."""
    dist = dist or Dist()
    kept = [s for s in samples if scorer.scorable(s)]
    refs = reference_logprobs(ref_model, scorer, kept)
    pairs = [(s, r) for s, r in zip(kept, refs) if s.advantage != 0 or r is not None]
    model.train()
    totals = {"loss": 0.0, "clipfrac": 0.0, "kl": 0.0, "tokens": 0, "first_epoch_logprob_gap": 0.0, "updates": 0}
    for k, chunk in enumerate(minibatches(pairs, cfg.minibatch_size, cfg.epochs, rng)):
        tokens = sum(len(s.completion_ids) for s, _ in chunk)
        optimizer.zero_grad(set_to_none=True)
        for s, ref in dist.mine(chunk):
            new = scorer.logprobs(model, s)
            if not s.logprobs:  # not sampled (a guided turn): the first pass's log-probs stand in
                s.logprobs = new.detach().tolist()
            old = torch.tensor(s.logprobs, device=new.device)
            loss, stats = loss_terms(new, old, s.advantage, cfg, ref)
            (loss / tokens).backward()  # accumulate: one optimizer step per minibatch
            totals["loss"] += loss.item()
            totals["clipfrac"] += stats["clipfrac"]
            totals["kl"] += stats["kl"]
            totals["tokens"] += len(s.completion_ids)
            if k == 0:  # later minibatches see updated weights
                totals["first_epoch_logprob_gap"] = max(totals["first_epoch_logprob_gap"], stats["logprob_gap"])
        step(model, optimizer, dist, cfg.max_grad_norm)
        totals["updates"] += 1
    model.eval()
    scorer.forget()
    gap = totals.pop("first_epoch_logprob_gap")
    totals = dist.sum(totals)  # each process counted its own share
    totals["updates"] = int(totals["updates"]) // dist.world
    totals["first_epoch_logprob_gap"] = gap
    n = max(totals["tokens"], 1)
    return {"loss": totals["loss"] / n, "clipfrac": totals["clipfrac"] / n, "kl": totals["kl"] / n,
            "trained_tokens": int(totals["tokens"]), "updates": totals["updates"], "unscorable": len(samples) - len(kept),
            "first_epoch_logprob_gap": totals["first_epoch_logprob_gap"]}


def imitate(model, optimizer, scorer: SequenceScorer, samples: list[TurnSample], lr: float, epochs: int,
            cfg: LossConfig, rng: random.Random, dist: Dist | None = None) -> dict:
    """Fine-tune on demonstrations (the planner's way out of states the policy failed in) by their
    negative log-likelihood, token-averaged per minibatch of ``cfg.minibatch_size``, at their own
    learning rate: ReLIFT's interleaved fine-tuning (Ma et al., 2025). The optimizer is the
    policy-gradient one, its ``lr`` changed for these steps only, so that a checkpoint holds one
    optimizer state."""
    dist = dist or Dist()
    kept = [s for s in samples if scorer.scorable(s)]
    saved = [g["lr"] for g in optimizer.param_groups]
    for g in optimizer.param_groups:
        g["lr"] = lr
    model.train()
    nll, tokens = 0.0, 0
    try:
        for chunk in minibatches(kept, cfg.minibatch_size, epochs, rng):
            n = sum(len(s.completion_ids) for s in chunk)
            optimizer.zero_grad(set_to_none=True)
            for s in dist.mine(chunk):
                loss = -scorer.logprobs(model, s).sum()
                (loss / n).backward()
                nll += loss.item()
                tokens += len(s.completion_ids)
            step(model, optimizer, dist, cfg.max_grad_norm)
    finally:
        for g, x in zip(optimizer.param_groups, saved):
            g["lr"] = x
        model.eval()
        scorer.forget()
    totals = dist.sum({"nll": nll, "tokens": tokens})
    return {"imitation_nll": totals["nll"] / max(totals["tokens"], 1), "imitation_tokens": int(totals["tokens"])}
