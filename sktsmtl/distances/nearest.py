"""Exact 1-nearest-neighbour search under DTW with lower-bound pruning.

For each query (queries run in parallel):

1. every reference gets the bound ``max(LB_Kim, LB_Keogh(query | envelope(ref)))``
   (O(C L) each, negligible next to one DTW);
2. references are visited in increasing order of that bound; as soon as the bound
   exceeds the best distance so far, all remaining references are pruned;
3. where the lengths agree, the reverse bound ``LB_Keogh(ref | envelope(query))`` is
   tried next, then (optionally) LB_Improved (Lemire 2009: LB_Keogh plus the bound of
   the reference against the envelope of the query projected onto the reference's
   envelope);
4. the survivors of the query's length are batched (up to 16, in bound order) and run
   together in SIMD lanes (:mod:`sktsmtl.distances._lanes`), abandoned as a batch once
   a DP row of every lane exceeds the best distance so far; survivors of another
   length run the scalar DTW, abandoned early once a whole row exceeds the best.
   The best distance is updated after each batch, and the bounds of step 2 and 3 are
   tested against it.

The result is identical to brute force ``argmin`` over :func:`pairwise_dtw`: distances
come from the same kernel, a reference is pruned only when its bound exceeds the best
distance by a relative margin of 1e-9 (a guard against rounding in the bounds), early
abandoning only drops references whose distance is strictly larger than the best, and
ties go to the lowest reference index.
"""

import numpy as np
from numba import njit, prange

from .inputs import check_collection, check_window, pack_series
from ._lanes import _LANES, _MIN_FILL, _gather, _lanes_general, _lanes_uni
from .threads import numba_threads
from .dtw import _check_squared, _dtw_flat, _radius
from .lower_bounds import _envelope, _lb_improved_rest, _lb_keogh_env, _lb_kim

__all__ = ["dtw_nearest_neighbor", "nearest_packed"]

_LB_MARGIN = 1e-9


@njit(cache=True, nogil=True)
def _self_envelopes(buf, offs, lens, n_channels, window, lo, hi):
    """Envelope of every packed series with the radius it has against its own length."""
    C = n_channels
    max_len = 0
    for i in range(lens.shape[0]):
        if lens[i] > max_len:
            max_len = lens[i]
    queue = np.empty(max_len, dtype=np.int64)
    for i in range(lens.shape[0]):
        m = lens[i]
        s = offs[i]
        e = s + m * C
        r = _radius(m, m, window)
        _envelope(buf[s:e], m, C, r, m, lo[s:e], hi[s:e], queue)


@njit(parallel=True, cache=True, nogil=True)
def _nn1_kernel(q_buf, q_offs, q_lens, t_buf, t_offs, t_lens, n_channels, window,
                t_lo, t_hi, margin, improved, out_idx, out_dist, stats):
    C = n_channels
    L = _LANES
    n_q = q_lens.shape[0]
    n_t = t_lens.shape[0]
    inf = np.inf
    max_t = 0
    for t in range(n_t):
        if t_lens[t] > max_t:
            max_t = t_lens[t]
    for q in prange(n_q):
        n = q_lens[q]
        a = q_buf[q_offs[q]: q_offs[q] + n * C]
        queue = np.empty(max(max_t, n), dtype=np.int64)
        work = np.empty(2 * (max_t + 1))
        env_lo = np.empty(n * C)
        env_hi = np.empty(n * C)
        q_lo = np.empty(n * C)
        q_hi = np.empty(n * C)
        # lane buffers for batches of candidates of the query's length
        Bl = np.empty(C * n * L)
        prev = np.empty((n + 1) * L)
        curr = np.empty((n + 1) * L)
        cost = np.empty(n * L)
        res = np.empty(L)
        batch = np.empty(L, dtype=np.int64)
        h = np.empty(n * C)
        h_lo = np.empty(n * C)
        h_hi = np.empty(n * C)
        r_nn = _radius(n, n, window)
        _envelope(a, n, C, _radius(n, n, window), n, q_lo, q_hi, queue)
        lb = np.empty(n_t)
        keogh_ab = np.zeros(n_t)
        for t in range(n_t):
            m = t_lens[t]
            s = t_offs[t]
            e = s + m * C
            b = t_buf[s:e]
            kim = _lb_kim(a, b, C)
            if m == n:
                keogh = _lb_keogh_env(a, t_lo[s:e], t_hi[s:e], inf)
                keogh_ab[t] = keogh
            else:
                _envelope(b, m, C, _radius(n, m, window), n, env_lo, env_hi, queue)
                keogh = _lb_keogh_env(a, env_lo, env_hi, inf)
            lb[t] = kim if kim > keogh else keogh
        order = np.argsort(lb, kind="mergesort")
        best = inf
        best_idx = -1
        n_pruned = 0
        n_abandoned = 0
        n_full = 0
        n_improved = 0
        cap = 0
        k = 0
        while k < n_t:
            # collect the next candidates (in bound order) that survive the bounds;
            # those of the query's length form a batch for the lane kernel
            thr = best + best * margin
            n_batch = 0
            stop = False
            # batches grow (1, 4, then L candidates): the best distance tightens
            # quickly at first, so that the bounds prune nearly as much as in a
            # one-by-one search
            cap = max(1, min(L, cap * 4))
            while k < n_t and n_batch < cap:
                t = order[k]
                if lb[t] > thr:
                    n_pruned += n_t - k
                    k = n_t
                    stop = True
                    break
                k += 1
                m = t_lens[t]
                s = t_offs[t]
                b = t_buf[s: s + m * C]
                if m == n:
                    if _lb_keogh_env(b, q_lo, q_hi, thr) > thr:
                        n_pruned += 1
                        continue
                    if improved:
                        e = s + m * C
                        rest = _lb_improved_rest(a, b, t_lo[s:e], t_hi[s:e], n, C, r_nn,
                                                 thr - keogh_ab[t], h, h_lo, h_hi, queue)
                        if keogh_ab[t] + rest > thr:
                            n_pruned += 1
                            n_improved += 1
                            continue
                    batch[n_batch] = t
                    n_batch += 1
                    continue
                # another length: scalar DTW with early abandoning, right away
                d = _dtw_flat(a, b, C, _radius(n, m, window), best, work)
                if d == inf and best < inf:
                    n_abandoned += 1
                    continue
                n_full += 1
                if d < best or (d == best and (best_idx < 0 or t < best_idx)):
                    best = d
                    best_idx = t
                    thr = best + best * margin
            if n_batch == 0:
                if stop:
                    break
                continue
            r = _radius(n, n, window)
            if n_batch >= _MIN_FILL:
                _gather(t_buf, t_offs, batch, n_batch, n, C, Bl)
                if C == 1:
                    done = _lanes_uni(a, Bl, n, r, best, prev, curr, res)
                else:
                    done = _lanes_general(a, False, n, Bl, n, C, r, best, prev, curr,
                                          cost, res)
                if not done:
                    n_abandoned += n_batch
                    continue
            else:
                for x in range(n_batch):
                    t = batch[x]
                    s = t_offs[t]
                    res[x] = _dtw_flat(a, t_buf[s: s + n * C], C, r, best, work)
            for x in range(n_batch):
                t = batch[x]
                d = res[x]
                if d == inf and best < inf:
                    n_abandoned += 1
                    continue
                n_full += 1
                if d < best or (d == best and (best_idx < 0 or t < best_idx)):
                    best = d
                    best_idx = t
        out_idx[q] = best_idx
        out_dist[q] = best
        stats[q, 0] = n_pruned
        stats[q, 1] = n_abandoned
        stats[q, 2] = n_full
        stats[q, 3] = n_improved


def nearest_packed(queries, references, window, n_jobs, improved=False):
    """1NN on packed collections ``(buf, offs, lens, C)``; window already checked.

    ``improved`` adds LB_Improved (equal lengths) after the two LB_Keogh bounds.
    """
    q_buf, q_offs, q_lens, C = queries
    t_buf, t_offs, t_lens, _ = references
    t_lo = np.empty_like(t_buf)
    t_hi = np.empty_like(t_buf)
    _self_envelopes(t_buf, t_offs, t_lens, C, window, t_lo, t_hi)
    n_q = len(q_lens)
    idx = np.empty(n_q, dtype=np.int64)
    dist = np.empty(n_q)
    stats = np.zeros((n_q, 4), dtype=np.int64)
    with numba_threads(n_jobs):
        _nn1_kernel(q_buf, q_offs, q_lens, t_buf, t_offs, t_lens, C, window, t_lo, t_hi,
                    _LB_MARGIN, bool(improved), idx, dist, stats)
    totals = stats.sum(axis=0)
    info = {
        "n_pairs": int(n_q * len(t_lens)),
        "n_pruned": int(totals[0]),
        "n_abandoned": int(totals[1]),
        "n_dtw_computed": int(totals[2]),
    }
    return idx, dist, info


def dtw_nearest_neighbor(X, Y, window=None, n_jobs=None, squared=True, lb_improved=False):
    """Exact nearest neighbour in ``Y`` of every series of ``X`` under DTW, with pruning.

    Gives the same result as ``pairwise_dtw(X, Y, window).argmin(axis=1)`` (ties to the
    lowest index) while skipping most DTW computations: references are visited in order
    of a lower bound (LB_Kim and LB_Keogh, optionally LB_Improved), pruned when a bound
    exceeds the best distance so far, and the remaining DTWs run in SIMD lanes and
    abandon early once a row of the dynamic programme exceeds it.

    Parameters
    ----------
    X : array-like or list
        Query series: ``(n_x, L)``, ``(n_x, C, L)`` (NaN-padded allowed) or a list of
        1D/2D arrays.
    Y : array-like or list
        Reference series, same forms and channel count.
    window : float or None, default=None
        Sakoe-Chiba band as a fraction of the length in ``[0, 1]``, as in
        :func:`~sktsmtl.distances.dtw_distance`.
    n_jobs : int or None, default=None
        Number of numba threads (queries are processed in parallel).
    squared : bool, default=True
        Whether the returned distances are sums of squared differences or their roots.
    lb_improved : bool, default=False
        Also try LB_Improved (:func:`~sktsmtl.distances.lower_bounds.lb_improved`) on references of
        the query's length before running DTW. It prunes more, but costs about as much
        as one DTW in SIMD lanes for short bands, so it pays off only for wide bands
        on long series.

    Returns
    -------
    indices : ndarray of int64 of shape (n_x,)
        Index in ``Y`` of each query's nearest neighbour.
    distances : ndarray of shape (n_x,)
        The DTW distance to it.
    stats : dict
        ``n_pairs`` (``n_x * n_y``), ``n_pruned`` (pairs skipped by a lower bound),
        ``n_abandoned`` (DTWs stopped early) and ``n_dtw_computed`` (DTWs run to the
        end); the last three sum to ``n_pairs``.

    Examples
    --------
    >>> import numpy as np
    >>> from sktsmtl.distances import dtw_nearest_neighbor
    >>> Y = np.array([[0.0, 0.0, 1.0, 1.0], [5.0, 5.0, 4.0, 4.0]])
    >>> idx, dist, stats = dtw_nearest_neighbor([[0.0, 1.0, 1.0, 1.0]], Y, window=0.5)
    >>> idx, dist
    (array([0]), array([0.]))
    >>> stats["n_pairs"], stats["n_pruned"]
    (2, 1)
    """
    _check_squared(squared)
    w = check_window(window)
    series_x, _ = check_collection(X, "X")
    series_y, _ = check_collection(Y, "Y")
    if series_x[0].shape[0] != series_y[0].shape[0]:
        raise ValueError(
            f"X has {series_x[0].shape[0]} channels but Y has {series_y[0].shape[0]}; "
            "multivariate DTW needs the same channel count."
        )
    idx, dist, stats = nearest_packed(pack_series(series_x), pack_series(series_y), w,
                                      n_jobs, bool(lb_improved))
    if not squared:
        dist = np.sqrt(dist)
    return idx, dist, stats
