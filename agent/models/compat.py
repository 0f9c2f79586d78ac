"""Qwen2-VL / Qwen2.5-VL processors without torchvision.

PyPI's torchvision wheels are CUDA builds that do not import next to the CPU torch wheel, and
without torchvision transformers cannot build ``Qwen2VLProcessor`` (its video processor needs it;
the class check fails with ``VIDEO_PROCESSOR_MAPPING has no attribute '_extra_content'``), while
``AutoProcessor`` silently hands back a bare tokenizer. Observations here are images only, so an
image-only subclass (no ``video_processor`` in ``__init__``, from which ProcessorMixin derives its
parts) does the job with the PIL image processor.
"""

from __future__ import annotations

from transformers import ProcessorMixin, Qwen2_5_VLProcessor, Qwen2VLProcessor


def _init(self, image_processor=None, tokenizer=None, chat_template=None, **kwargs):
    self.image_token = getattr(tokenizer, "image_token", None) or "<|image_pad|>"
    self.video_token = getattr(tokenizer, "video_token", None) or "<|video_pad|>"
    self.image_token_id = tokenizer.convert_tokens_to_ids(self.image_token)
    self.video_token_id = tokenizer.convert_tokens_to_ids(self.video_token)
    self.video_processor = None
    ProcessorMixin.__init__(self, image_processor, tokenizer, chat_template=chat_template)


class Qwen2VLImageOnlyProcessor(Qwen2VLProcessor):
    __init__ = _init


class Qwen2_5_VLImageOnlyProcessor(Qwen2_5_VLProcessor):
    __init__ = _init


IMAGE_ONLY = {"qwen2_vl": Qwen2VLImageOnlyProcessor, "qwen2_5_vl": Qwen2_5_VLImageOnlyProcessor}
REAL_NAMES = {"qwen2_vl": "Qwen2VLProcessor", "qwen2_5_vl": "Qwen2_5_VLProcessor"}
