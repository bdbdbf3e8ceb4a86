"""All-pairs DTW between two collections of series, in parallel with numba.

Both collections are packed into one contiguous time-major float64 buffer with offsets
(series of varying length need no padding), the pairs are cut into blocks that numba's
threads take dynamically, and every pair runs the banded two-row kernel of
:mod:`sktsmtl.distances.dtw`. With ``B=None`` only the upper triangle is computed.
"""

import math

import numpy as np
from numba import njit, prange

from ._inputs import check_collection, check_window, pack_series
from ._threads import numba_threads
from .dtw import _dtw_flat, _radius, _check_squared

__all__ = ["pairwise_dtw"]

_BLOCKS_PER_THREAD = 16


@njit(cache=True, nogil=True)
def _tri_start(n, i):
    """Number of pairs (p, q), p < q, with p < i."""
    return i * (2 * n - i - 1) // 2


@njit(cache=True, nogil=True)
def _tri_pair(k, n):
    """Row-major upper-triangle pair number ``k`` -> ``(i, j)`` with ``i < j``."""
    h = n - 0.5
    disc = h * h - 2.0 * k
    if disc < 0.0:
        disc = 0.0
    i = int(h - math.sqrt(disc))
    if i < 0:
        i = 0
    if i > n - 2:
        i = n - 2
    while i > 0 and _tri_start(n, i) > k:
        i -= 1
    while i < n - 2 and _tri_start(n, i + 1) <= k:
        i += 1
    j = k - _tri_start(n, i) + i + 1
    return i, j


@njit(parallel=True, cache=True, nogil=True)
def _pairwise_sym_kernel(buf, offs, lens, n_channels, window, n_blocks, out):
    n = lens.shape[0]
    n_pairs = n * (n - 1) // 2
    C = n_channels
    max_len = 0
    for i in range(n):
        if lens[i] > max_len:
            max_len = lens[i]
    block = (n_pairs + n_blocks - 1) // n_blocks
    for blk in prange(n_blocks):
        start = blk * block
        stop = start + block
        if stop > n_pairs:
            stop = n_pairs
        if start < stop:
            work = np.empty(2 * (max_len + 1))
            i, j = _tri_pair(start, n)
            for _ in range(start, stop):
                n_i = lens[i]
                n_j = lens[j]
                a = buf[offs[i]: offs[i] + n_i * C]
                b = buf[offs[j]: offs[j] + n_j * C]
                r = _radius(n_i, n_j, window)
                d = _dtw_flat(a, b, C, r, np.inf, work)
                out[i, j] = d
                out[j, i] = d
                j += 1
                if j == n:
                    i += 1
                    j = i + 1
    for i in range(n):
        out[i, i] = 0.0


@njit(parallel=True, cache=True, nogil=True)
def _pairwise_cross_kernel(buf_a, offs_a, lens_a, buf_b, offs_b, lens_b, n_channels,
                           window, n_blocks, out):
    n_a = lens_a.shape[0]
    n_b = lens_b.shape[0]
    n_pairs = n_a * n_b
    C = n_channels
    max_len = 0
    for j in range(n_b):
        if lens_b[j] > max_len:
            max_len = lens_b[j]
    block = (n_pairs + n_blocks - 1) // n_blocks
    for blk in prange(n_blocks):
        start = blk * block
        stop = start + block
        if stop > n_pairs:
            stop = n_pairs
        if start < stop:
            work = np.empty(2 * (max_len + 1))
            for k in range(start, stop):
                i = k // n_b
                j = k - i * n_b
                n_i = lens_a[i]
                n_j = lens_b[j]
                a = buf_a[offs_a[i]: offs_a[i] + n_i * C]
                b = buf_b[offs_b[j]: offs_b[j] + n_j * C]
                r = _radius(n_i, n_j, window)
                out[i, j] = _dtw_flat(a, b, C, r, np.inf, work)


def _n_blocks(n_pairs, n_threads):
    return int(max(1, min(n_pairs, n_threads * _BLOCKS_PER_THREAD)))


def pairwise_dtw(A, B=None, window=None, n_jobs=None, squared=True):
    """DTW distance between every pair of two collections of series.

    Parameters
    ----------
    A : array-like or list
        ``(n_a, L)`` univariate or ``(n_a, C, L)`` multivariate array, possibly
        NaN-padded at the end for series of varying length, or a list of 1D ``(L_i,)``
        / 2D ``(C, L_i)`` arrays. NaN inside a series (missing values) raise a
        ``ValueError``: interpolate them first.
    B : array-like or list, default=None
        Second collection in the same forms, with the channel count of ``A``. None
        computes ``A`` against itself, exploiting symmetry (only ``n_a (n_a - 1) / 2``
        distances are computed; the diagonal is 0).
    window : float or None, default=None
        Sakoe-Chiba band as a fraction of the length in ``[0, 1]``, per pair exactly as
        in :func:`~sktsmtl.distances.dtw_distance`; None is unconstrained.
    n_jobs : int or None, default=None
        Number of numba threads for this call (None or -1: all; negative values count
        back from all, as in scikit-learn). The previous setting is restored afterwards.
    squared : bool, default=True
        True gives sums of squared differences along the best path, False their
        square roots (dtaidistance's convention).

    Returns
    -------
    ndarray of shape (n_a, n_b)
        ``D[i, j] = dtw_distance(A[i], B[j], window, squared)``; ``(n_a, n_a)`` and
        symmetric when ``B`` is None.

    Examples
    --------
    >>> import numpy as np
    >>> from sktsmtl.distances import pairwise_dtw
    >>> A = np.array([[0.0, 1.0, 2.0, np.nan], [0.0, 1.0, 1.0, 2.0]])  # 2nd is longer
    >>> pairwise_dtw(A)
    array([[0., 0.],
           [0., 0.]])
    >>> pairwise_dtw([np.zeros(3), np.ones(5)], [np.zeros(4)], window=0.5)
    array([[0.],
           [5.]])
    """
    _check_squared(squared)
    w = check_window(window)
    series_a, _ = check_collection(A, "A")
    pack_a = pack_series(series_a)
    pack_b = None
    if B is not None:
        series_b, _ = check_collection(B, "B")
        pack_b = pack_series(series_b)
        if pack_b[3] != pack_a[3]:
            raise ValueError(
                f"A has {pack_a[3]} channels but B has {pack_b[3]}; multivariate DTW "
                "needs the same channel count."
            )
    out = _pairwise_packed(pack_a, pack_b, w, n_jobs)
    if not squared:
        np.sqrt(out, out=out)
    return out


def _pairwise_packed(pack_a, pack_b, window, n_jobs):
    """Pairwise DTW on packed collections ``(buf, offs, lens, C)`` (``pack_b`` may be
    None for the symmetric case); ``window`` already checked (-1.0 = unconstrained)."""
    buf_a, offs_a, lens_a, n_channels = pack_a
    n_a = len(lens_a)
    if pack_b is None:
        out = np.empty((n_a, n_a))
        n_pairs = n_a * (n_a - 1) // 2
        with numba_threads(n_jobs) as n_threads:
            _pairwise_sym_kernel(buf_a, offs_a, lens_a, n_channels, window,
                                 _n_blocks(n_pairs, n_threads), out)
    else:
        buf_b, offs_b, lens_b, _ = pack_b
        out = np.empty((n_a, len(lens_b)))
        n_pairs = n_a * len(lens_b)
        with numba_threads(n_jobs) as n_threads:
            _pairwise_cross_kernel(buf_a, offs_a, lens_a, buf_b, offs_b, lens_b,
                                   n_channels, window, _n_blocks(n_pairs, n_threads), out)
    return out
