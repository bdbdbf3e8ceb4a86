"""DTW of many pairs at once, one pair per SIMD lane.

A *lane group* is ``_LANES`` pairs whose DP grids have the same shape ``(n, m)`` (same
lengths, hence the same Sakoe-Chiba radius). The second series of the group are stored
*lane-major*: element ``(t, c)`` of lane ``k`` lies at ``B[c * m * L + t * L + k]``, so
the DP rows ``prev``/``curr`` (``(m + 1) * L`` floats, cell ``(j, k)`` at ``j * L + k``)
are swept by one flat loop in which lane ``k`` only depends on lane ``k`` one column to
the left (a dependence distance of exactly ``L`` elements). LLVM vectorises that loop
across lanes (one pair per SIMD slot) once the indices are unsigned: numba emits a
negative-index wrap-around for signed indices, which defeats the vectoriser.

The operations per cell are the scalar kernel's, in the same order (``min(diag, up)``,
then ``min(., left)``, then ``+ cost`` with the cost summed over channels in channel
order) and without fastmath, so every lane returns exactly (bit for bit) what
:func:`~sktsmtl.distances.dtw._dtw_flat` returns for that pair.

Two kernels:

* :func:`_lanes_uni`: one univariate query against ``L`` series (one-to-many: rows of a
  pairwise matrix, 1NN candidates); the cost is fused into the DP loop.
* :func:`_lanes_general`: any channel count, and either one query for all lanes or one
  first series per lane (paired DTW); the cost row is computed in a first pass.
"""

import numpy as np
from numba import njit, prange

from .dtw import _dtw_flat, _radius

_LANES = 16
# a group needs at least this many real pairs to take the lane kernel (the rest of the
# lanes repeat the last pair); below it, one lane group costs more than scalar DTWs
_MIN_FILL = 4
# early abandoning checks the minimum of the DP row every this many rows
_ABANDON_EVERY = 8

_U_LANES = np.uint64(_LANES)


@njit(cache=True, nogil=True, error_model="numpy")
def _row_min(row, jlo, jhi, mins):
    """Minimum of the DP row cells ``jlo..jhi`` (all lanes) of lane-major ``row``.

    Lane-wise minima first (``mins``, L floats): the inner loop over lanes vectorises
    without fastmath, unlike a plain reduction.
    """
    L = _LANES
    for k in range(L):
        mins[k] = np.inf
    for j in range(jlo, jhi + 1):
        base = np.uint64(j * L)
        for k in range(L):
            v = row[base + np.uint64(k)]
            mins[k] = min(mins[k], v)
    best = np.inf
    for k in range(L):
        if mins[k] < best:
            best = mins[k]
    return best


@njit(cache=True, nogil=True, error_model="numpy")
def _lanes_uni(a, B, m, r, cutoff, prev, curr, res):
    """DTW of univariate ``a`` (n,) against ``L`` series of length ``m`` in lanes.

    ``B`` is lane-major (m*L,); ``prev``/``curr`` hold ``(m + 1) * L`` floats; the L
    results go to ``res``. When ``cutoff`` is finite, stops (all results inf) once every
    lane's DP row minimum exceeds it. Returns False when abandoned.
    """
    L = _LANES
    n = a.shape[0]
    inf = np.inf
    for x in range((m + 1) * L):
        prev[x] = inf
        curr[x] = inf
    for k in range(L):
        prev[k] = 0.0
    check = cutoff < inf
    for i in range(n):
        jlo = i - r
        if jlo < 0:
            jlo = 0
        jhi = i + r
        if jhi > m - 1:
            jhi = m - 1
        ai = a[i]
        for k in range(L):
            curr[jlo * L + k] = inf  # D[i + 1, jlo]: outside the band or the left border
        for x in range(jlo * L, (jhi + 1) * L):
            ux = np.uint64(x)
            uy = ux + _U_LANES
            best = min(min(prev[ux], prev[uy]), curr[ux])
            d = ai - B[ux]
            curr[uy] = best + d * d
        if check and (i % _ABANDON_EVERY == _ABANDON_EVERY - 1):
            # row minima never decrease with i, so a row above the cut-off is final
            if _row_min(curr, jlo + 1, jhi + 1, res) > cutoff:
                for k in range(L):
                    res[k] = inf
                return False
        tmp = prev
        prev = curr
        curr = tmp
    for k in range(L):
        res[k] = prev[m * L + k]
    return True


@njit(cache=True, nogil=True, error_model="numpy")
def _lanes_general(A, per_lane, n, B, m, C, r, cutoff, prev, curr, cost, res):
    """DTW of ``L`` pairs with ``C`` channels, in lanes.

    ``A`` is one time-major query (n*C,) shared by all lanes when ``per_lane`` is False,
    else lane-major first series (C*n*L,). ``B`` is lane-major (C*m*L,). ``cost`` holds
    ``m * L`` floats. Other arguments as in :func:`_lanes_uni`.
    """
    L = _LANES
    inf = np.inf
    mL = m * L
    nL = n * L
    for x in range((m + 1) * L):
        prev[x] = inf
        curr[x] = inf
    for k in range(L):
        prev[k] = 0.0
    check = cutoff < inf
    for i in range(n):
        jlo = i - r
        if jlo < 0:
            jlo = 0
        jhi = i + r
        if jhi > m - 1:
            jhi = m - 1
        xlo = jlo * L
        xhi = (jhi + 1) * L
        for x in range(xlo, xhi):
            cost[np.uint64(x)] = 0.0
        for c in range(C):
            base = c * mL
            if per_lane:
                abase = c * nL + i * L
                for j in range(jlo, jhi + 1):
                    for k in range(L):
                        uj = np.uint64(j * L + k)
                        d = A[np.uint64(abase + k)] - B[np.uint64(base) + uj]
                        cost[uj] += d * d
            else:
                ac = A[i * C + c]
                for x in range(xlo, xhi):
                    ux = np.uint64(x)
                    d = ac - B[np.uint64(base) + ux]
                    cost[ux] += d * d
        for k in range(L):
            curr[xlo + k] = inf
        for x in range(xlo, xhi):
            ux = np.uint64(x)
            uy = ux + _U_LANES
            best = min(min(prev[ux], prev[uy]), curr[ux])
            curr[uy] = best + cost[ux]
        if check and (i % _ABANDON_EVERY == _ABANDON_EVERY - 1):
            if _row_min(curr, jlo + 1, jhi + 1, res) > cutoff:
                for k in range(L):
                    res[k] = inf
                return False
        tmp = prev
        prev = curr
        curr = tmp
    for k in range(L):
        res[k] = prev[m * L + k]
    return True


@njit(cache=True, nogil=True)
def _gather(buf, offs, idx, count, m, C, out):
    """Lane-major copy of series ``idx[:count]`` (all of length ``m``) into ``out``.

    Lanes past ``count`` repeat the last series (their results are discarded).
    """
    L = _LANES
    mL = m * L
    for k in range(L):
        s = offs[idx[min(k, count - 1)]]
        for t in range(m):
            for c in range(C):
                out[c * mL + t * L + k] = buf[s + t * C + c]


@njit(cache=True, nogil=True)
def _one_to_many_items(row_of, cand_lens, n_rows, starts, ends, item_row, item_start,
                       item_count, count_only):
    """Cut each row's candidate range into work items of equal candidate length.

    Row ``p`` (query ``row_of[p]``) runs against the candidates at positions
    ``starts[p]:ends[p]`` of a length-sorted candidate list whose lengths are
    ``cand_lens``. Each maximal run of equal length is cut into chunks of ``L``; a
    chunk is one item. Returns the number of items (writes them unless
    ``count_only``).
    """
    L = _LANES
    n_items = 0
    for p in range(n_rows):
        s = starts[p]
        e = ends[p]
        while s < e:
            run_end = s + 1
            while run_end < e and cand_lens[run_end] == cand_lens[s]:
                run_end += 1
            while s < run_end:
                cnt = min(L, run_end - s)
                if not count_only:
                    item_row[n_items] = row_of[p]
                    item_start[n_items] = s
                    item_count[n_items] = cnt
                n_items += 1
                s += cnt
    return n_items


@njit(parallel=True, cache=True, nogil=True)
def _one_to_many_kernel(buf_a, offs_a, lens_a, buf_b, offs_b, lens_b, C, window, cand,
                        item_row, item_start, item_count, sym, out):
    """Every item: query ``item_row`` of A against ``cand[start:start+count]`` of B.

    Full items run in lanes, short ones pair by pair; ``out[p, q]`` (and ``out[q, p]``
    when ``sym``) receives each distance.
    """
    L = _LANES
    inf = np.inf
    for it in prange(item_row.shape[0]):
        p = item_row[it]
        s = item_start[it]
        cnt = item_count[it]
        n = lens_a[p]
        a = buf_a[offs_a[p]: offs_a[p] + n * C]
        m = lens_b[cand[s]]
        r = _radius(n, m, window)
        if cnt >= _MIN_FILL:
            Bl = np.empty(C * m * L)
            _gather(buf_b, offs_b, cand[s: s + cnt], cnt, m, C, Bl)
            prev = np.empty((m + 1) * L)
            curr = np.empty((m + 1) * L)
            res = np.empty(L)
            if C == 1:
                _lanes_uni(a, Bl, m, r, inf, prev, curr, res)
            else:
                cost = np.empty(m * L)
                _lanes_general(a, False, n, Bl, m, C, r, inf, prev, curr, cost, res)
            for k in range(cnt):
                q = cand[s + k]
                out[p, q] = res[k]
                if sym:
                    out[q, p] = res[k]
        else:
            work = np.empty(2 * (m + 1))
            for k in range(cnt):
                q = cand[s + k]
                b = buf_b[offs_b[q]: offs_b[q] + m * C]
                d = _dtw_flat(a, b, C, r, inf, work)
                out[p, q] = d
                if sym:
                    out[q, p] = d


def one_to_many_plan(pack_a, pack_b, window, sym):
    """Arguments of :func:`_one_to_many_kernel` (less ``out``) for two packed collections.

    ``pack_b`` is ignored when ``sym`` (A against itself, upper triangle only). The
    candidates are sorted by length so that equal lengths form runs, cut into items.
    """
    buf_a, offs_a, lens_a, C = pack_a
    n_a = len(lens_a)
    if sym:
        buf_b, offs_b, lens_b = buf_a, offs_a, lens_a
    else:
        buf_b, offs_b, lens_b, _ = pack_b
    cand = np.argsort(lens_b, kind="stable").astype(np.int64)
    cand_lens = np.ascontiguousarray(lens_b[cand])
    if sym:
        # row p' of the length-sorted order runs against the later positions only;
        # DTW is symmetric bit for bit, so each unordered pair is computed once
        row_of = cand
        starts = np.arange(1, n_a + 1, dtype=np.int64)
        ends = np.full(n_a, n_a, dtype=np.int64)
        n_rows = n_a
    else:
        row_of = np.arange(n_a, dtype=np.int64)
        starts = np.zeros(n_a, dtype=np.int64)
        ends = np.full(n_a, len(lens_b), dtype=np.int64)
        n_rows = n_a
    empty = np.empty(0, dtype=np.int64)
    n_items = _one_to_many_items(row_of, cand_lens, n_rows, starts, ends, empty, empty,
                                 empty, True)
    item_row = np.empty(n_items, dtype=np.int64)
    item_start = np.empty(n_items, dtype=np.int64)
    item_count = np.empty(n_items, dtype=np.int64)
    _one_to_many_items(row_of, cand_lens, n_rows, starts, ends, item_row, item_start,
                       item_count, False)
    return (buf_a, offs_a, lens_a, buf_b, offs_b, lens_b, C, window, cand, item_row,
            item_start, item_count, sym)


@njit(parallel=True, cache=True, nogil=True)
def _paired_kernel(buf_a, offs_a, lens_a, buf_b, offs_b, lens_b, C, window, order,
                   g_start, g_count, out):
    """Paired DTW ``out[k] = DTW(A[k], B[k])``; groups of pairs with equal ``(n, m)``."""
    L = _LANES
    inf = np.inf
    for g in prange(g_start.shape[0]):
        s = g_start[g]
        cnt = g_count[g]
        k0 = order[s]
        n = lens_a[k0]
        m = lens_b[k0]
        r = _radius(n, m, window)
        if cnt >= _MIN_FILL:
            idx = order[s: s + cnt]
            Al = np.empty(C * n * L)
            Bl = np.empty(C * m * L)
            _gather(buf_a, offs_a, idx, cnt, n, C, Al)
            _gather(buf_b, offs_b, idx, cnt, m, C, Bl)
            prev = np.empty((m + 1) * L)
            curr = np.empty((m + 1) * L)
            cost = np.empty(m * L)
            res = np.empty(L)
            _lanes_general(Al, True, n, Bl, m, C, r, inf, prev, curr, cost, res)
            for k in range(cnt):
                out[idx[k]] = res[k]
        else:
            work = np.empty(2 * (m + 1))
            for t in range(cnt):
                k = order[s + t]
                a = buf_a[offs_a[k]: offs_a[k] + n * C]
                b = buf_b[offs_b[k]: offs_b[k] + m * C]
                out[k] = _dtw_flat(a, b, C, r, inf, work)


def paired_groups(lens_a, lens_b):
    """Order of the pairs by ``(n, m)`` and their groups of at most ``L`` pairs."""
    key = lens_a.astype(np.int64) * (int(lens_b.max()) + 1) + lens_b
    order = np.argsort(key, kind="stable").astype(np.int64)
    sk = key[order]
    run_starts = np.flatnonzero(np.r_[True, sk[1:] != sk[:-1]])
    run_ends = np.r_[run_starts[1:], len(sk)]
    g_start, g_count = [], []
    for s, e in zip(run_starts, run_ends):
        for t in range(s, e, _LANES):
            g_start.append(t)
            g_count.append(min(_LANES, e - t))
    return order, np.array(g_start, dtype=np.int64), np.array(g_count, dtype=np.int64)
