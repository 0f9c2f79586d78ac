"""Batched generation that keeps what training needs: for every prompt the prompt token ids, the
completion token ids (up to and including the end-of-turn token) and each completion token's
log-probability under the sampling distribution (temperature applied)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image

from agent.policy import Prompt


@dataclass
class Generation:
    text: str
    prompt_ids: list[int]
    completion_ids: list[int]
    logprobs: list[float]  # one per completion token
    image_tokens: int  # image placeholder tokens in the prompt (what the vision tower filled)


@dataclass
class Sampling:
    max_new_tokens: int = 256
    temperature: float = 0.0  # 0: greedy
    top_p: float = 1.0
    top_k: int = 0  # 0: off


def chat_messages(prompt: Prompt) -> list[dict]:
    """Our messages with each image placeholder carrying its PIL image, as chat templates expect."""
    images = iter(Image.fromarray(np.asarray(a)) for a in prompt.images)
    return [{**m, "content": [({"type": "image", "image": next(images)} if c.get("type") == "image" else c)
                              for c in m["content"]]} for m in prompt.messages]


class Generator:
    def __init__(self, model, processor, sampling: Sampling | None = None):
        self.model, self.processor, self.sampling = model, processor, sampling or Sampling()
        self.tokenizer = processor.tokenizer
        self.eos = self.tokenizer.convert_tokens_to_ids("<|im_end|>")
        self.pad = self.tokenizer.pad_token_id
        self.image_token = processor.image_token_id
        self.merge = getattr(processor.image_processor, "merge_size", 2)

    def encode(self, prompts: list[Prompt]):
        """Tokenize a batch (left-padded), checking each prompt's image tokens against its images."""
        texts = [self.processor.apply_chat_template(chat_messages(p), add_generation_prompt=True, tokenize=False)
                 for p in prompts]
        images = [Image.fromarray(np.asarray(a)) for p in prompts for a in p.images]
        batch = self.processor(text=texts, images=images or None, padding=True, return_tensors="pt")
        self._check_images(prompts, batch)
        return batch.to(self.model.device)

    def _check_images(self, prompts: list[Prompt], batch) -> None:
        grids = batch.get("image_grid_thw")
        per_image = [] if grids is None else (grids.prod(dim=1) // self.merge**2).tolist()
        counts = (batch["input_ids"] == self.image_token).sum(dim=1).tolist()
        k = 0
        for i, p in enumerate(prompts):
            expected = sum(per_image[k:k + len(p.images)])
            k += len(p.images)
            if counts[i] != expected:
                raise ValueError(f"prompt {i}: {counts[i]} image tokens for {len(p.images)} image(s) with {expected} "
                                 "features; every image needs one image placeholder in the messages")

    @torch.no_grad()
    def generate(self, prompts: list[Prompt], seed: int | None = None, sampling: Sampling | None = None
                 ) -> list[Generation]:
        batch = self.encode(prompts)
        s = sampling or self.sampling
        sample = s.temperature > 0
        if seed is not None:
            torch.manual_seed(seed)
        out = self.model.generate(**batch, max_new_tokens=s.max_new_tokens, do_sample=sample,
                                  temperature=s.temperature if sample else None, top_p=s.top_p if sample else None,
                                  top_k=s.top_k if sample else None, eos_token_id=self.eos, pad_token_id=self.pad,
                                  return_dict_in_generate=True, output_logits=True)
        n_prompt = batch["input_ids"].shape[1]
        new = out.sequences[:, n_prompt:]
        logits = torch.stack(out.logits, dim=1).float()
        if sample:
            logits = logits / s.temperature
        token_logprobs = torch.log_softmax(logits, dim=-1).gather(-1, new.unsqueeze(-1)).squeeze(-1)
        results = []
        for i in range(len(prompts)):
            ids = new[i].tolist()
            end = ids.index(self.eos) + 1 if self.eos in ids else len(ids)
            prompt_ids = batch["input_ids"][i][batch["attention_mask"][i].bool()].tolist()
            text = self.tokenizer.decode(ids[:end], skip_special_tokens=True)
            results.append(Generation(text, prompt_ids, ids[:end], token_logprobs[i, :end].tolist(),
                                      prompt_ids.count(self.image_token)))
        return results
