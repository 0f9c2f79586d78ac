"""Drawing order for the painter: two axis-aligned rectangles that do not cross lie on either side of
a plane along some axis, and only the one on the eye's side can cover the other. These constraints,
for the pairs whose screen extents overlap, are sorted topologically, far to near where nothing
constrains; cycles (rectangles whose extents overlap but not their shapes) are broken by an exact
polygon overlap test.
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # faces.py imports this module
    from envs.household.faces import Faces



def depth_order(f: Faces, pixels: np.ndarray, eye: np.ndarray, size: int, n: int) -> list[int]:
    """The first ``n`` faces in drawing order: occlusion constraints sorted topologically, far to
    near where none applies."""
    f, pixels = f.take(slice(n)), pixels[:n]
    p0, p1, p2, p3, p4 = pixels[:, 0], pixels[:, 1], pixels[:, 2], pixels[:, 3], pixels[:, 4]
    low = np.clip(np.minimum(np.minimum(np.minimum(p0, p1), np.minimum(p2, p3)), p4), 0, size)
    high = np.clip(np.maximum(np.maximum(np.maximum(p0, p1), np.maximum(p2, p3)), p4), 0, size)
    x0, y0, x1, y1 = low[:, 0], low[:, 1], high[:, 0], high[:, 1]
    overlap = (x0[:, None] < x1) & (x0 < x1[:, None]) & (y0[:, None] < y1) & (y0 < y1[:, None])
    overlap &= (f.node[:, None] != f.node) | f.hollow  # a closed box's own faces never overlap
    overlap &= upper(n)  # each pair once, as (a, b) with a < b
    a, b = np.nonzero(overlap)
    # Per axis in the first three of four bytes (the fourth always false), so that "on any axis" is
    # one look at a 32-bit word rather than a reduction over a short axis, which costs more.
    lo, hi = np.zeros((n, 4)), np.ones((n, 4))
    lo[:, :3], hi[:, :3] = f.lo, f.hi
    eye4 = np.append(eye, 0.0)
    lo_a, hi_a, lo_b, hi_b = lo[a], hi[a], lo[b], hi[b]
    a_below, b_below = hi_a <= lo_b, hi_b <= lo_a  # (E, 4): wholly on one side, per axis; both if coplanar
    # With the eye beyond the gap on one face's side, only that face can cover the other; with the
    # eye inside the gap, neither can. If two axes say opposite things, neither covers the other.
    b_over = _any((a_below & (eye4 >= lo_b)) | (b_below & (eye4 <= hi_b)))
    a_over = _any((a_below & (eye4 <= hi_a)) | (b_below & (eye4 >= lo_a)))
    apart = (a_below | b_below).view(np.uint32)[:, 0]
    coplanar = _any(a_below & b_below) & (apart & (apart - 1) == 0)  # apart along exactly one axis
    b_later = f.node[b] >= f.node[a]  # coplanar overlaps: contents over their container
    b_over, a_over = (np.where(coplanar, b_later, b_over & ~a_over),
                      np.where(coplanar, ~b_later, a_over & ~b_over))
    gap = np.maximum(np.maximum(f.lo - eye, eye - f.hi), 0.0)
    return _toposort(len(f.lo), np.concatenate([a[b_over], b[a_over]]), np.concatenate([b[b_over], a[a_over]]),
                     np.argsort(-(gap * gap).sum(axis=1), kind="stable"),
                     lambda s, d: _overlap(pixels, s, d))


UPPER = np.triu(np.ones((512, 512), dtype=bool), 1)


def upper(n: int) -> np.ndarray:
    """(n, n) true above the diagonal: pairs (a, b) with a < b."""
    return UPPER[:n, :n] if n <= len(UPPER) else np.triu(np.ones((n, n), dtype=bool), 1)


def _any(flags: np.ndarray) -> np.ndarray:
    """(E, 4) bool to (E,): any of the four."""
    return flags.view(np.uint32)[:, 0] != 0


def _toposort(n: int, src: np.ndarray, dst: np.ndarray, rank: np.ndarray, overlap) -> list[int]:
    """Kahn's algorithm taking the free face earliest in ``rank``. Constraints that all hold can still
    form a cycle where screen extents overlap but the faces do not: then those between faces whose
    quads ``overlap(a, b)`` says are apart are dropped, and failing that, the earliest face is taken."""
    pos = np.empty(n, dtype=np.int64)
    pos[rank] = np.arange(n)
    if (pos[src] < pos[dst]).all():  # far to near already keeps every constraint
        return rank.tolist()
    succ: list[list[int]] = [[] for _ in range(n)]
    indeg = [0] * n
    for a, b in zip(src.tolist(), dst.tolist()):  # in plain Python: a few hundred edges, where numpy costs more
        succ[a].append(b)
        indeg[b] += 1
    pos, rank = pos.tolist(), rank.tolist()
    heap = [pos[i] for i in range(n) if not indeg[i]]
    heapq.heapify(heap)
    pop, push = heapq.heappop, heapq.heappush
    done, out, first, refined = [False] * n, [], 0, False
    while True:
        while heap:  # the usual case, kept free of the checks the rare cycles need
            i = rank[pop(heap)]
            if done[i]:  # taken earlier to break a cycle
                continue
            done[i] = True
            out.append(i)
            for d in succ[i]:
                k = indeg[d] = indeg[d] - 1
                if not k:
                    push(heap, pos[d])
        if len(out) == n:
            return out
        if not refined:
            refined = True
            left = [(a, b) for a in range(n) if not done[a] for b in succ[a] if not done[b]]
            apart = ~overlap(*(np.array(c) for c in zip(*left)))
            for (a, b), drop in zip(left, apart.tolist()):
                if drop:
                    succ[a].remove(b)
                    indeg[b] -= 1
                    if indeg[b] == 0:
                        push(heap, pos[b])
            continue
        while done[rank[first]]:
            first += 1
        push(heap, first)  # the heap is empty: the loop above takes this face next, as if it were free


def _overlap(pixels: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether the convex polygons ``a`` and ``b`` (indices into ``pixels`` (F, 5, 2)) share any
    area, by separating axes. Repeated corners give null axes, which separate nothing."""
    pa, pb = pixels[a], pixels[b]
    edges = np.concatenate([np.roll(pa, -1, axis=1) - pa, np.roll(pb, -1, axis=1) - pb], axis=1)  # (E, 10, 2)
    normals = np.stack([-edges[..., 1], edges[..., 0]], axis=-1)
    on_a = np.einsum("ekd,ecd->ekc", normals, pa)  # (E, axes, corners)
    on_b = np.einsum("ekd,ecd->ekc", normals, pb)
    apart = (on_a.max(axis=2) < on_b.min(axis=2)) | (on_b.max(axis=2) < on_a.min(axis=2))
    return ~apart.any(axis=1)


