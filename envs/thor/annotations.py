"""Per-frame ground truth from THOR's object image, in the household env's form (``info["frame"]``):
``mask`` (HxW int32, 1 + the object's index in this episode, 0 for the rest) and ``objects`` (each
visible object's id, objectId, class, EB name, box ``[x0, y0, x1, y1]`` with exclusive ends, pixels).

THOR renders the object image when ``Initialize`` asks for it (``renderObjectImage``, as ALFRED does);
ai2thor turns its colours into objectIds through the metadata's ``colors`` list.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image

MIN_VISIBLE_PIXELS = 10  # ALFRED's: fewer pixels than this do not count as seen


@dataclass
class ThorFrameAnnotations:
    mask: np.ndarray
    objects: list[dict] = field(default_factory=list)


def mask_of(event, index: dict[str, int], size: int) -> np.ndarray:
    """The instance mask at ``size`` x ``size``; objects seen for the first time get the next index."""
    seg = event.instance_segmentation_frame
    if seg is None:
        raise ValueError("the THOR build sent no object image (Initialize renderObjectImage=True)")
    codes = (seg[..., 0].astype(np.int32) << 16) | (seg[..., 1].astype(np.int32) << 8) | seg[..., 2].astype(np.int32)
    uniq, inverse = np.unique(codes.ravel(), return_inverse=True)
    ids = np.zeros(len(uniq), np.int32)
    for k, code in enumerate(uniq.tolist()):
        name = event.color_to_object_id.get(((code >> 16) & 255, (code >> 8) & 255, code & 255))
        if name and "|" in name:  # a sim object (THOR also colours structure: walls, floor, ...)
            ids[k] = index.setdefault(name, len(index)) + 1
    mask = ids[inverse].reshape(codes.shape)
    if mask.shape != (size, size):
        mask = np.asarray(Image.fromarray(mask).resize((size, size), Image.NEAREST), dtype=np.int32)
    return mask


def box_of(mask: np.ndarray, mask_id: int, min_pixels: int = 1) -> list[int] | None:
    m = mask == mask_id
    n = int(np.count_nonzero(m))
    if n == 0 or n < min_pixels:
        return None
    rows, cols = np.nonzero(m.any(axis=1))[0], np.nonzero(m.any(axis=0))[0]
    return [int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1]


def annotate(mask: np.ndarray, index: dict[str, int], classes: dict[str, str], names: dict[str, str],
             min_pixels: int = MIN_VISIBLE_PIXELS) -> ThorFrameAnnotations:
    by_id = {i + 1: oid for oid, i in index.items()}
    counts = np.bincount(mask.ravel(), minlength=len(index) + 1)
    objects = []
    for i in np.nonzero(counts >= min_pixels)[0].tolist():
        if i == 0:
            continue
        oid = by_id[i]
        cls = classes.get(oid, oid.split("|")[0])
        objects.append({"id": i, "object": oid, "class": cls, "name": names.get(oid, cls),
                        "box": box_of(mask, i), "pixels": int(counts[i])})
    return ThorFrameAnnotations(mask, objects)
