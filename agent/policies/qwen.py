"""A local Qwen2-VL / Qwen2.5-VL policy: any model folder, an optional LoRA adapter, batched
generation across episodes. Each decision keeps the prompt and completion token ids and the
completion's log-probs, which online GRPO trains on."""

from __future__ import annotations

from transformers.utils import logging as hf_logging

from agent.models.generate import Generator, Sampling
from agent.models.load import load_model
from agent.policy import Decision, PolicyInput, TextPolicy


class QwenPolicy(TextPolicy):
    name = "qwen"

    def __init__(self, prompt_format, path: str, adapter: str | None = None, dtype: str = "auto",
                 device: str = "auto", max_new_tokens: int = 256, temperature: float = 0.0, top_p: float = 1.0,
                 top_k: int = 0, seed: int = 0, batch_size: int = 8, engine: str = "transformers",
                 vllm: dict | None = None):
        super().__init__(prompt_format)
        hf_logging.disable_progress_bar()  # one bar per weight load would clutter every rollout
        sampling = Sampling(max_new_tokens, temperature, top_p, top_k)
        if engine == "vllm":
            from agent.models.vllm_generate import VLLMGenerator

            self.model = None  # vLLM holds the weights
            self.generator = VLLMGenerator(path, sampling, adapter, dtype, seed=seed, **(vllm or {}))
            self.processor = self.generator.processor
        elif engine == "transformers":
            self.model, self.processor = load_model(path, adapter, dtype, device)
            self.generator = Generator(self.model, self.processor, sampling)
        else:
            raise ValueError(f"engine must be transformers or vllm, got {engine!r}")
        self.seed, self.batch_size = seed, batch_size

    def act(self, inputs: list[PolicyInput]) -> list[Decision]:
        gens = []
        for k in range(0, len(inputs), self.batch_size):
            chunk = inputs[k:k + self.batch_size]
            # sampling draws from (seed, the chunk's episodes and turns): reruns repeat themselves
            seed = hash((self.seed, tuple((i.episode_seed, i.turn) for i in chunk))) % 2**63
            gens += self.generator.generate([i.prompt for i in chunk], seed=seed)
        return [Decision(g.text, self.format.parse(g.text, i.action_names), g) for g, i in zip(gens, inputs)]

    def generate(self, inputs: list[PolicyInput]) -> list[str]:
        return [d.text for d in self.act(inputs)]
