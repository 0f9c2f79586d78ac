"""Build a tiny, real Qwen2-VL (or Qwen2.5-VL) offline: the released architecture with a small
config and seeded random weights, a byte-level BPE tokenizer trained on the simulator's own text,
Qwen2-VL's special tokens and chat template (with generation markers for assistant-only loss), and
the image processor; saved as an ordinary model folder (safetensors) that loads like any checkpoint.

    python -m agent.models.tiny runs/tiny-qwen2vl            (or out=...; arch=qwen2_5_vl; seed=1)

The same seed gives the same files, byte for byte. A few MB; seconds to build.
"""

from __future__ import annotations

import sys
from pathlib import Path

import gymnasium as gym
import hydra
import torch
from omegaconf import DictConfig
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
from transformers import PreTrainedTokenizerFast
from transformers.utils import logging as hf_logging

from agent.loop import LoopConfig, run_episodes
from agent.models.compat import IMAGE_ONLY
from agent.models.load import save_model
from agent.policies.expert import ExpertPolicy
from agent.prompts import make_format
from agent.prompts.examples import expert_examples

SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|vision_start|>", "<|vision_end|>",
            "<|image_pad|>", "<|video_pad|>"]
ENV_ID = "envs:EgoHousehold-v0"
SUBSETS = ("base", "common_sense", "complex_instruction", "spatial", "visual_appearance", "long_horizon")

# Qwen2-VL's template, with {% generation %} around each assistant reply and its <|im_end|>, so that
# chat-template masks (TRL's assistant_only_loss) cover exactly what the model must learn to say.
CHAT_TEMPLATE = (
    "{% set image_count = namespace(value=0) %}"
    "{% for message in messages %}"
    "{% if loop.first and message['role'] != 'system' %}<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
    "{% endif %}<|im_start|>{{ message['role'] }}\n"
    "{% if message['role'] == 'assistant' %}{% generation %}"
    "{% if message['content'] is string %}{{ message['content'] }}{% else %}"
    "{% for content in message['content'] %}{% if 'text' in content %}{{ content['text'] }}{% endif %}{% endfor %}"
    "{% endif %}<|im_end|>{% endgeneration %}\n"
    "{% else %}{% if message['content'] is string %}{{ message['content'] }}{% else %}"
    "{% for content in message['content'] %}"
    "{% if content['type'] == 'image' or 'image' in content or 'image_url' in content %}"
    "{% set image_count.value = image_count.value + 1 %}<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif 'text' in content %}{{ content['text'] }}{% endif %}"
    "{% endfor %}{% endif %}<|im_end|>\n{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


class _Recorder(ExpertPolicy):
    """The expert, keeping every prompt text and reply it sees: the tokenizer's training text."""

    def __init__(self, prompt_format, texts: set[str]):
        super().__init__(prompt_format, mistake_prob=0.3)
        self.texts = texts

    def act(self, inputs):
        decisions = super().act(inputs)
        for inp, d in zip(inputs, decisions):
            for m in inp.prompt.messages:
                self.texts.update(c["text"] for c in m["content"] if c.get("type") == "text")
            self.texts.add(d.text)
        return decisions


def simulator_corpus(episodes_per_subset: int = 4, seed: int = 0) -> list[str]:
    """Prompts (both formats), expert replies with mistakes and reflections, feedback, instructions
    and action names from episodes of every subset; deduplicated lines in a fixed order."""
    texts: set[str] = set()
    kwargs = {"view": "blank", "expert": True, "annotations": False}
    examples = expert_examples(gym.make(ENV_ID, **kwargs), 3, seed + 10**6)
    for prompt in ("eb", "compact"):
        fmt = make_format(prompt, **({"examples": examples} if prompt == "eb" else {}))
        for k, subset in enumerate(SUBSETS):
            env = gym.make(ENV_ID, subset=subset, **kwargs)
            jobs = [(i, seed + 1000 * k + i) for i in range(episodes_per_subset)]
            for ep in run_episodes([env], _Recorder(fmt, texts), fmt, jobs, LoopConfig()):
                texts.update(s.feedback for s in ep.steps)
    lines = {line for t in texts for line in t.splitlines() if line.strip()}
    return sorted(lines)


def build_tokenizer(lines: list[str], vocab_size: int, lowercase: bool = False) -> PreTrainedTokenizerFast:
    """``lowercase``: an uncased tokenizer (BERT-uncased style). The instruction's "mug" and the action's
    "Mug" become one token, so a model trained from scratch reads the object off the task by matching
    tokens instead of learning a mapping per class; its replies come out in lower case, which the
    parsers read (names are matched ignoring case)."""
    tok = Tokenizer(models.BPE())
    if lowercase:
        tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=SPECIALS, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(lines, trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                   model_max_length=32768)
    fast.padding_side = "left"  # batched generation appends to the right end of every row
    return fast


# tiny: for tests (0.4M parameters); small: for learning on a CPU in minutes (about 4M).
# mrope_section must sum to head_dim / 2 (head_dim = hidden / heads).
SIZES = {
    "tiny": dict(hidden=64, intermediate=128, layers=2, heads=4, kv_heads=2, mrope=[2, 3, 3], vision=32, pixels=224),
    "small": dict(hidden=256, intermediate=768, layers=4, heads=8, kv_heads=4, mrope=[4, 6, 6], vision=64, pixels=112),
}


def build_model(tok, arch: str, seed: int, size: str = "tiny"):
    if size not in SIZES:
        raise ValueError(f"size must be one of {sorted(SIZES)}, got {size!r}")
    z = SIZES[size]
    ids = {t: tok.convert_tokens_to_ids(t) for t in SPECIALS}
    text = dict(vocab_size=((len(tok) + 63) // 64) * 64, hidden_size=z["hidden"], intermediate_size=z["intermediate"],
                num_hidden_layers=z["layers"], num_attention_heads=z["heads"], num_key_value_heads=z["kv_heads"],
                max_position_embeddings=32768,
                rope_parameters={"rope_type": "default", "rope_theta": 1e6, "mrope_section": z["mrope"]},
                bos_token_id=ids["<|endoftext|>"], eos_token_id=ids["<|im_end|>"], pad_token_id=ids["<|endoftext|>"])
    special = dict(image_token_id=ids["<|image_pad|>"], video_token_id=ids["<|video_pad|>"],
                   vision_start_token_id=ids["<|vision_start|>"], vision_end_token_id=ids["<|vision_end|>"])
    if arch == "qwen2_vl":
        from transformers import Qwen2VLConfig as Config, Qwen2VLForConditionalGeneration as Model
        vision = dict(depth=2, embed_dim=z["vision"], hidden_size=z["hidden"], num_heads=2, mlp_ratio=2, patch_size=14,
                      spatial_merge_size=2, temporal_patch_size=2)
    elif arch == "qwen2_5_vl":
        from transformers import Qwen2_5_VLConfig as Config, Qwen2_5_VLForConditionalGeneration as Model
        vision = dict(depth=2, hidden_size=z["vision"], intermediate_size=2 * z["vision"], num_heads=2,
                      out_hidden_size=z["hidden"], patch_size=14, spatial_merge_size=2, temporal_patch_size=2,
                      window_size=112, fullatt_block_indexes=[1])
    else:
        raise ValueError(f"arch must be qwen2_vl or qwen2_5_vl, got {arch!r}")
    torch.manual_seed(seed)
    model = Model(Config(text_config=text, vision_config=vision, **special))
    model.generation_config.eos_token_id = ids["<|im_end|>"]
    model.generation_config.pad_token_id = ids["<|endoftext|>"]
    return model


def build_processor(tok, arch: str, pixels: int = 224):
    from transformers import Qwen2VLImageProcessorPil

    # at most pixels^2: at 224 a 224^2 frame becomes 64 image tokens (16 at 112), larger frames are
    # scaled down to fit; the small model sees 112^2 so that its training steps stay short
    image_processor = Qwen2VLImageProcessorPil(min_pixels=56 * 56, max_pixels=pixels * pixels)
    return IMAGE_ONLY[arch](image_processor=image_processor, tokenizer=tok, chat_template=CHAT_TEMPLATE)


def build(out: Path, arch: str = "qwen2_vl", seed: int = 0, vocab_size: int = 4096, size: str = "tiny",
          lowercase: bool = False) -> Path:
    out = Path(out)
    hf_logging.disable_progress_bar()
    tok = build_tokenizer(simulator_corpus(seed=seed), vocab_size, lowercase)
    model = build_model(tok, arch, seed, size)
    processor = build_processor(tok, arch, SIZES[size]["pixels"])
    return save_model(model, processor, out)


@hydra.main(config_path="../conf", config_name="tiny", version_base=None)
def main(cfg: DictConfig) -> None:
    out = build(Path(cfg.out), cfg.arch, cfg.seed, cfg.vocab_size, cfg.size, cfg.lowercase)
    size = sum(p.stat().st_size for p in out.iterdir())
    print(f"{cfg.size} {cfg.arch} (seed {cfg.seed}) in {out}: {size / 1e6:.1f} MB, files {sorted(p.name for p in out.iterdir())}")


if __name__ == "__main__":
    sys.argv[1:] = [a if ("=" in a or a.startswith("-")) else f"out={a}" for a in sys.argv[1:]]
    main()
