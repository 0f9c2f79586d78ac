"""Load any Qwen2-VL / Qwen2.5-VL model folder (a released checkpoint, a fine-tune, or the tiny one)
the same way: ``from_pretrained(local_path)``, safetensors only, no ``trust_remote_code``, an
optional LoRA adapter, bf16 on CUDA and fp32 on CPU unless told otherwise."""

from __future__ import annotations

import json
from pathlib import Path

import torch
from transformers import AutoModelForImageTextToText, AutoProcessor, AutoTokenizer, ProcessorMixin
from transformers.utils import is_torchvision_available

from agent.models.compat import IMAGE_ONLY, REAL_NAMES

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


def pick_device(device: str = "auto") -> torch.device:
    return torch.device(("cuda" if torch.cuda.is_available() else "cpu") if device == "auto" else device)


def pick_dtype(dtype: str, device: torch.device) -> torch.dtype:
    if dtype == "auto":
        return torch.bfloat16 if device.type == "cuda" else torch.float32
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be auto or one of {sorted(DTYPES)}, got {dtype!r}")
    return DTYPES[dtype]


def model_type(path: Path) -> str:
    config = path / "config.json"
    if not config.exists():
        raise FileNotFoundError(f"{path} is not a model folder (no config.json)")
    kind = json.loads(config.read_text()).get("model_type")
    if kind not in IMAGE_ONLY:
        raise ValueError(f"{path} holds a {kind!r} model; supported: {sorted(IMAGE_ONLY)}")
    return kind


def load_processor(path: str | Path):
    """The model's processor. Without torchvision (CPU wheels here) the released processor classes
    cannot be built, so the image-only one is assembled from the folder's tokenizer, image
    processor and chat template. Either way it is checked to be a processor, not a bare tokenizer
    (which is what ``AutoProcessor`` returns, silently, when it cannot build one)."""
    path = Path(path)
    kind = model_type(path)
    if is_torchvision_available():
        processor = AutoProcessor.from_pretrained(path)
    else:
        from transformers import Qwen2VLImageProcessorPil

        tokenizer = AutoTokenizer.from_pretrained(path)
        template = path / "chat_template.jinja"
        chat_template = template.read_text() if template.exists() else getattr(tokenizer, "chat_template", None)
        processor = IMAGE_ONLY[kind](Qwen2VLImageProcessorPil.from_pretrained(path), tokenizer, chat_template)
    if not isinstance(processor, ProcessorMixin) or getattr(processor, "image_processor", None) is None:
        raise RuntimeError(f"loading {path} gave a {type(processor).__name__}, not an image-text processor: "
                           "images would be dropped without a word")
    if processor.chat_template is None:
        raise RuntimeError(f"{path} has no chat template (chat_template.jinja or in tokenizer_config.json)")
    processor.tokenizer.padding_side = "left"  # batched generation continues every row at the right end
    return processor


def load_model(path: str | Path, adapter: str | Path | None = None, dtype: str = "auto", device: str = "auto"):
    """``(model, processor)``, the model in eval mode on its device."""
    path = Path(path)
    processor = load_processor(path)
    dev = pick_device(device)
    model = AutoModelForImageTextToText.from_pretrained(path, dtype=pick_dtype(dtype, dev), use_safetensors=True)
    if adapter is not None:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, str(adapter))
    return model.to(dev).eval(), processor


def save_model(model, processor, out: str | Path) -> Path:
    """Save a model (or a LoRA adapter, for a peft model) with its processor so that ``load_model``
    and any released-checkpoint loader read it: safetensors, and the released processor class
    recorded (with torchvision, ``AutoProcessor`` builds the real one; without, we assemble ours)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out, safe_serialization=True)
    processor.save_pretrained(out)
    kind = getattr(getattr(model, "config", None), "model_type", None) or model_type_of(model)
    for name in ("processor_config.json", "tokenizer_config.json", "preprocessor_config.json"):
        path = out / name
        if path.exists():
            config = json.loads(path.read_text())
            if "processor_class" in config:
                config["processor_class"] = REAL_NAMES[kind]
                path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    return out


def model_type_of(model) -> str:
    """The base model's type under a peft wrapper."""
    return model.get_base_model().config.model_type
