"""Generation with vLLM (``policy.engine=vllm``): the same inputs and outputs as
``agent.models.generate.Generator`` (prompt and completion token ids, each completion token's
log-probability under the sampling distribution), for GPU machines where transformers' generate is
the bottleneck. vLLM is an optional extra (``pip install 'egoloop[vllm]'``) and runs on CUDA only."""

from __future__ import annotations

import numpy as np
from PIL import Image

from agent.models.generate import Generation, Sampling, chat_messages
from agent.models.load import load_processor
from agent.policy import Prompt


def require_vllm():
    """vLLM, or an error that says what is missing and what to do instead."""
    try:
        import torch
        import vllm
    except ImportError as e:
        raise RuntimeError("policy.engine=vllm needs vLLM, which is not installed: pip install 'egoloop[vllm]' on a "
                           "machine with a CUDA GPU, or use policy.engine=transformers") from e
    if not torch.cuda.is_available():
        raise RuntimeError("policy.engine=vllm runs on CUDA GPUs only and this machine has none; "
                           "use policy.engine=transformers")
    return vllm


class VLLMGenerator:
    def __init__(self, path: str, sampling: Sampling | None = None, adapter: str | None = None, dtype: str = "auto",
                 max_images: int = 8, gpu_memory_utilization: float = 0.85, max_model_len: int | None = None,
                 seed: int = 0):
        vllm = require_vllm()
        self.processor = load_processor(path)
        self.tokenizer = self.processor.tokenizer
        self.eos = self.tokenizer.convert_tokens_to_ids("<|im_end|>")
        self.image_token = self.processor.image_token_id
        self.sampling = sampling or Sampling()
        kwargs = dict(model=str(path), dtype=dtype, seed=seed, limit_mm_per_prompt={"image": max_images},
                      gpu_memory_utilization=gpu_memory_utilization, max_model_len=max_model_len,
                      enable_lora=adapter is not None, trust_remote_code=False,
                      # log-probs after temperature/top-k/top-p, as Generator reports them
                      logprobs_mode="processed_logprobs")
        self.llm = vllm.LLM(**kwargs)
        self.lora = vllm.lora.request.LoRARequest("adapter", 1, str(adapter)) if adapter else None
        self._vllm = vllm

    def generate(self, prompts: list[Prompt], seed: int | None = None, sampling: Sampling | None = None
                 ) -> list[Generation]:
        s = sampling or self.sampling
        greedy = s.temperature <= 0
        params = self._vllm.SamplingParams(
            temperature=0.0 if greedy else s.temperature, top_p=1.0 if greedy else s.top_p,
            top_k=-1 if greedy or s.top_k <= 0 else s.top_k, max_tokens=s.max_new_tokens, logprobs=0,
            stop_token_ids=[self.eos], seed=seed, skip_special_tokens=True)
        requests = []
        for p in prompts:
            text = self.processor.apply_chat_template(chat_messages(p), add_generation_prompt=True, tokenize=False)
            images = [Image.fromarray(np.asarray(a)) for a in p.images]
            requests.append({"prompt": text, **({"multi_modal_data": {"image": images}} if images else {})})
        outputs = self.llm.generate(requests, params, lora_request=self.lora, use_tqdm=False)
        results = []
        for out in outputs:
            c = out.outputs[0]
            ids = list(c.token_ids)
            logprobs = [step[t].logprob for step, t in zip(c.logprobs or [], ids)]
            prompt_ids = list(out.prompt_token_ids)
            results.append(Generation(c.text, prompt_ids, ids, logprobs, prompt_ids.count(self.image_token)))
        return results
