"""How AI2-THOR's furniture boxes are fixed up for drawing, per floorplan (cached).

Boxes are a coarse stand-in for meshes, so a few fixes keep them from hiding what matters:
- an L-shaped counter's box also spans the floor inside the L: only the rectangles that no
  navigable point stands on are kept;
- a faucet or stove burner, whose box reaches into the counter, is drawn standing on it;
- the frames AI2-THOR wraps around other receptacles (a sink's rim around its basin, a shelving
  unit around its shelves) are not drawn;
- a shelf's box is the compartment above its board, so the shelf is drawn as the board;
- a counter top reaching far past the drawers and cabinets below it is cut back to their fronts;
- a loft bed's box also holds the desk or dresser under it: it is drawn as its top;
- furniture whose box holds drawers or shelves of its own (desks, dressers, side tables, TV
  stands), or another table (a TV stand's boards listed as dining tables), is drawn as its top
  only, the drawers, shelves and boards drawing the body;
- a sink or bathtub basin is cut out of the counter slab above it (the slab becomes up to four
  pieces around the hole) and out of the cabinets below it (their top drops to the basin's floor);
- furniture standing on other furniture (a toaster on the counter) is drawn right after it.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from envs.household.catalog import SceneSpec

FRAMES = frozenset({"Sink", "Bathtub", "ShelvingUnit"})  # drawn by their basins and shelves instead
BASINS = frozenset({"SinkBasin", "BathtubBasin"})
SLAB = 0.1  # metres: a box thinner than this above a basin is a counter top, and gets a hole
CASES = frozenset({"SideTable", "Desk", "Dresser", "TVStand", "CoffeeTable", "DiningTable"})
COMPARTMENTS = frozenset({"Drawer", "Shelf", "Cabinet"})
TOP_ONLY = 0.05  # metres: the thickness a case keeps when its drawers draw its body
BOARD = 0.03  # metres: a shelf is drawn as the board at the bottom of AI2-THOR's compartment box
SURFACES = frozenset({"CounterTop", "SinkBasin", "BathtubBasin"})  # what a faucet is mounted on
FRONTED = frozenset({"Drawer", "Cabinet"})  # a counter top over them is cut back to their fronts
LIP = 0.03  # metres: how far a counter top may reach past the fronts below it
UNDER = 0.3  # metres: a drawer or cabinet whose top is this close below a counter top is under it
LOFT = 0.5  # metres: a bed with furniture under it (a loft bed) is drawn as this much of its top
FLOOR_CLEARANCE = 0.35  # metres around a navigable point that no counter covers (the agent is ~0.2 m wide)


def box(center, size) -> tuple[np.ndarray, np.ndarray]:
    (cx, cy, cz), (sx, sy, sz) = center, size  # plain floats: numpy per tiny box costs more than it saves
    return (np.array((cx - sx / 2, cy - sy / 2, cz - sz / 2)), np.array((cx + sx / 2, cy + sy / 2, cz + sz / 2)))


@lru_cache(maxsize=None)  # one per floorplan
def carved(scene: SceneSpec) -> dict[str, list[tuple[tuple, tuple]]]:
    """Furniture whose box is changed around a basin: id -> its boxes ``(lo, hi)`` after carving."""
    basins = [box(o.center, o.size) for o in scene.statics if o.type in BASINS]
    compartments = [o.center for o in scene.statics if o.type in COMPARTMENTS]
    counters = [box(o.center, o.size) for o in scene.statics if o.type in SURFACES]
    furniture = [o.center for o in scene.statics if o.type not in FRAMES and o.type != "Bed"]
    boards = [(o.center[0], o.center[1] - o.size[1] / 2, o.center[2]) for o in scene.statics if o.type == "Shelf"]
    fronts = [(*box(o.center, o.size), o.pose) for o in scene.statics if o.type in FRONTED and o.pose is not None]
    out = {}
    for o in scene.statics:
        if o.type in BASINS or o.type in FRAMES:
            continue
        lo, hi = box(o.center, o.size)
        if o.type in ("Faucet", "StoveBurner"):  # their boxes reach into the counter; they stand on it
            lo, hi = _lift_onto(lo, hi, counters)
        elif o.type in CASES and any(all(lo[i] <= c[i] <= hi[i] for i in range(3))
                                     for c in compartments + [t.center for t in scene.statics
                                                              if t.type in CASES and t is not o]):
            # A shelf board set into the top (a desk's hutch) lies on it, with what is put there.
            top = min([hi[1]] + [y for x, y, z in boards
                                 if lo[0] <= x <= hi[0] and lo[2] <= z <= hi[2] and hi[1] - TOP_ONLY < y < hi[1]])
            lo, hi = (lo[0], max(lo[1], top - TOP_ONLY), lo[2]), (hi[0], top, hi[2])
        elif o.type == "Shelf":
            hi = (hi[0], min(hi[1], lo[1] + BOARD), hi[2])
        elif o.type == "Bed" and any(all(lo[i] < c[i] < hi[i] for i in range(3)) for c in furniture):
            lo = (lo[0], max(lo[1], hi[1] - LOFT), lo[2])
        boxes = [(tuple(lo), tuple(hi))]
        if o.type == "CounterTop":
            boxes = _without_floor(lo, hi, scene.navigable)
            for flo, fhi, pose in fronts:
                if 0.0 <= lo[1] + 0.01 - fhi[1] <= UNDER:  # right under the top, not a wall cabinet above it
                    boxes = [piece for lo, hi in boxes for piece in _carve(lo, hi, *_before(flo, fhi, pose))]
        for blo, bhi in basins:
            boxes = [piece for lo, hi in boxes for piece in _carve(lo, hi, blo, bhi)]
        if boxes != [tuple(map(tuple, box(o.center, o.size)))]:
            out[o.id] = boxes
    return out


@lru_cache(maxsize=None)  # one per floorplan
def supports(scene: SceneSpec) -> dict[str, str]:
    """Furniture standing on other furniture (a toaster on the counter, a lamp on a side table):
    id -> the id of what it stands on. It is drawn right after its support, like a small object."""
    cut = carved(scene)
    statics = [o for o in scene.statics if o.type not in FRAMES and (o.id not in cut or cut[o.id])]
    boxes = {o.id: cut.get(o.id, [tuple(map(tuple, box(o.center, o.size)))]) for o in statics}
    out = {}
    for o in statics:
        (lo, hi), best = min(boxes[o.id], key=lambda b: b[0][1]), None
        cx, cz = (lo[0] + hi[0]) / 2, (lo[2] + hi[2]) / 2
        for s in statics:
            if s is o:
                continue
            for slo, shi in boxes[s.id]:
                top = shi[1]
                if abs(top - lo[1]) < 0.05 and slo[0] <= cx <= shi[0] and slo[2] <= cz <= shi[2] \
                        and hi[1] > top and (best is None or top > best[0]):
                    best = (top, s.id)
        if best is not None:
            out[o.id] = best[1]
    return out


def _without_floor(lo, hi, nav: np.ndarray, cell: float = 0.05) -> list[tuple[tuple, tuple]]:
    """An L-shaped counter's box also covers the floor inside the L, where the agent walks: keep only
    the rectangles of its footprint that no navigable point stands on."""
    inside = nav[(nav[:, 0] > lo[0]) & (nav[:, 0] < hi[0]) & (nav[:, 1] > lo[2]) & (nav[:, 1] < hi[2])]
    if len(inside) == 0:
        return [(tuple(lo), tuple(hi))]
    nx, nz = max(1, round((hi[0] - lo[0]) / cell)), max(1, round((hi[2] - lo[2]) / cell))
    xs = lo[0] + (np.arange(nx) + 0.5) * (hi[0] - lo[0]) / nx
    zs = lo[2] + (np.arange(nz) + 0.5) * (hi[2] - lo[2]) / nz
    near = np.zeros((nx, nz), dtype=bool)
    for x, z in inside:  # an agent needs about this much room around the point it stands on
        near |= (np.abs(xs - x)[:, None] <= FLOOR_CLEARANCE) & (np.abs(zs - z)[None, :] <= FLOOR_CLEARANCE)
    solid, taken, out = ~near, np.zeros_like(near), []
    for i in range(nx):  # greedy rectangles: a run along z, grown along x while the run stays solid
        for j in range(nz):
            if not solid[i, j] or taken[i, j]:
                continue
            j1 = j
            while j1 + 1 < nz and solid[i, j1 + 1] and not taken[i, j1 + 1]:
                j1 += 1
            i1 = i
            while i1 + 1 < nx and solid[i1 + 1, j:j1 + 1].all() and not taken[i1 + 1, j:j1 + 1].any():
                i1 += 1
            taken[i:i1 + 1, j:j1 + 1] = True
            x0, x1 = lo[0] + i * (hi[0] - lo[0]) / nx, lo[0] + (i1 + 1) * (hi[0] - lo[0]) / nx
            z0, z1 = lo[2] + j * (hi[2] - lo[2]) / nz, lo[2] + (j1 + 1) * (hi[2] - lo[2]) / nz
            out.append(((x0, lo[1], z0), (x1, hi[1], z1)))
    return out


def _before(lo, hi, pose) -> tuple[tuple, tuple]:
    """The space in front of a drawer or cabinet (the side its interaction pose is on), beyond a
    counter's lip, over the width of its front: a counter top reaching into it is cut back."""
    (cx, cz), (px, pz) = ((lo[0] + hi[0]) / 2, (lo[2] + hi[2]) / 2), pose[:2]
    a = 0 if abs(px - cx) > abs(pz - cz) else 2
    out_lo, out_hi = [lo[0], -1.0, lo[2]], [hi[0], 10.0, hi[2]]
    if (px - cx if a == 0 else pz - cz) > 0:
        out_lo[a], out_hi[a] = hi[a] + LIP, 1e3
    else:
        out_lo[a], out_hi[a] = -1e3, lo[a] - LIP
    return tuple(out_lo), tuple(out_hi)


def _lift_onto(lo, hi, surfaces):
    """A box raised so that it stands on the highest surface its footprint overlaps."""
    tops = [b[1][1] for b in surfaces if all(lo[i] < b[1][i] and b[0][i] < hi[i] for i in (0, 2))
            and b[1][1] > lo[1]]
    if not tops:
        return lo, hi
    dy = max(tops) - lo[1]
    return (lo[0], lo[1] + dy, lo[2]), (hi[0], hi[1] + dy, hi[2])


def _carve(lo, hi, blo, bhi) -> list[tuple[tuple, tuple]]:
    """A box with a basin's footprint removed: a slab above it gets a hole, a cabinet under it a lower top."""
    overlap_xz = all(lo[i] < bhi[i] and blo[i] < hi[i] for i in (0, 2))
    if not overlap_xz or hi[1] <= blo[1] + 1e-6 or lo[1] >= bhi[1] + SLAB:
        return [(lo, hi)]
    if hi[1] - lo[1] >= SLAB and lo[1] >= blo[1]:  # above the basin's floor: a tap, not a cabinet
        return [(lo, hi)]
    if hi[1] - lo[1] >= SLAB:  # a cabinet or drawer reaching into the basin: its top drops to the basin floor
        return [(lo, (hi[0], blo[1], hi[2]))] if blo[1] > lo[1] else []
    pieces = []
    x0, x1 = max(lo[0], blo[0]), min(hi[0], bhi[0])
    if lo[0] < x0:
        pieces.append((lo, (x0, hi[1], hi[2])))
    if x1 < hi[0]:
        pieces.append(((x1, lo[1], lo[2]), hi))
    if lo[2] < blo[2]:
        pieces.append(((x0, lo[1], lo[2]), (x1, hi[1], blo[2])))
    if bhi[2] < hi[2]:
        pieces.append(((x0, lo[1], bhi[2]), (x1, hi[1], hi[2])))
    return pieces
