"""Drawing order for the painter: two axis-aligned rectangles that do not cross lie on either side of
a plane along some axis, and only the one on the eye's side can cover the other. These constraints,
for the pairs whose screen extents overlap, are sorted topologically, far to near where nothing
constrains; cycles (rectangles whose extents overlap but not their shapes) are broken by an exact
polygon overlap test.
"""

from __future__ import annotations

import heapq

import numpy as np

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
    a, b = np.nonzero(overlap)
    a, b = a[a < b], b[a < b]
    lo_a, hi_a, lo_b, hi_b = f.lo[a], f.hi[a], f.lo[b], f.hi[b]
    a_below, b_below = hi_a <= lo_b, hi_b <= lo_a  # (E, 3): wholly on one side, per axis; both if coplanar
    # With the eye beyond the gap on one face's side, only that face can cover the other; with the
    # eye inside the gap, neither can. If two axes say opposite things, neither covers the other.
    b_over = ((a_below & (eye >= lo_b)) | (b_below & (eye <= hi_b))).any(axis=1)
    a_over = ((a_below & (eye <= hi_a)) | (b_below & (eye >= lo_a))).any(axis=1)
    coplanar = (a_below & b_below).any(axis=1) & ((a_below | b_below).sum(axis=1) == 1)
    b_later = f.node[b] >= f.node[a]  # coplanar overlaps: contents over their container
    b_over, a_over = (np.where(coplanar, b_later, b_over & ~a_over),
                      np.where(coplanar, ~b_later, a_over & ~b_over))
    gap = np.maximum(np.maximum(f.lo - eye, eye - f.hi), 0.0)
    return _toposort(len(f.lo), np.concatenate([a[b_over], b[a_over]]), np.concatenate([b[b_over], a[a_over]]),
                     np.argsort(-(gap * gap).sum(axis=1), kind="stable"),
                     lambda s, d: _overlap(pixels, s, d))


def _toposort(n: int, src: np.ndarray, dst: np.ndarray, rank: np.ndarray, overlap) -> list[int]:
    """Kahn's algorithm taking the free face earliest in ``rank``. Constraints that all hold can still
    form a cycle where screen extents overlap but the faces do not: then those between faces whose
    quads ``overlap(a, b)`` says are apart are dropped, and failing that, the earliest face is taken."""
    pos = np.empty(n, dtype=np.int64)
    pos[rank] = np.arange(n)
    if (pos[src] < pos[dst]).all():  # far to near already keeps every constraint
        return rank.tolist()
    by_src = np.argsort(src, kind="stable")
    after, bounds = dst[by_src].tolist(), np.searchsorted(src[by_src], np.arange(n + 1)).tolist()
    succ = [after[bounds[i]:bounds[i + 1]] for i in range(n)]
    indeg = np.bincount(dst, minlength=n).tolist()
    pos, rank = pos.tolist(), rank.tolist()
    heap = [pos[i] for i in range(n) if indeg[i] == 0]
    heapq.heapify(heap)
    done, out, first, refined = [False] * n, [], 0, False
    while len(out) < n:
        if heap:
            i = rank[heapq.heappop(heap)]
            if done[i]:
                continue
        elif not refined:
            refined = True
            left = [(a, b) for a in range(n) if not done[a] for b in succ[a] if not done[b]]
            apart = ~overlap(*(np.array(c) for c in zip(*left)))
            for (a, b), drop in zip(left, apart.tolist()):
                if drop:
                    succ[a].remove(b)
                    indeg[b] -= 1
                    if indeg[b] == 0:
                        heapq.heappush(heap, pos[b])
            continue
        else:
            while done[rank[first]]:
                first += 1
            i = rank[first]
        done[i] = True
        out.append(i)
        for d in succ[i]:
            indeg[d] -= 1
            if indeg[d] == 0:
                heapq.heappush(heap, pos[d])
    return out


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


