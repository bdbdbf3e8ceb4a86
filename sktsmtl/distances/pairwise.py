"""All-pairs and paired DTW between collections of series, in parallel with numba.

Both collections are packed into one contiguous time-major float64 buffer with offsets
(series of varying length need no padding). Pairs are computed in SIMD lanes (see
:mod:`sktsmtl.distances._lanes`): each series of ``A`` runs against groups of 16 series
of ``B`` of equal length at once, one pair per lane; groups too small to fill the
lanes, and lengths that occur too rarely, take the scalar banded kernel of
:mod:`sktsmtl.distances.dtw`. Every distance is bit for bit the scalar kernel's. The
work items are taken dynamically by numba's threads. With ``B=None`` only the upper
triangle is computed.
"""

import numpy as np

from .inputs import check_collection, check_window, pack_series
from ._lanes import _one_to_many_kernel, _paired_kernel, one_to_many_plan, paired_groups
from .threads import numba_threads
from .dtw import _check_squared

__all__ = ["pairwise_dtw", "paired_dtw", "pairwise_packed"]


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
    out = pairwise_packed(pack_a, pack_b, w, n_jobs)
    if not squared:
        np.sqrt(out, out=out)
    return out


def pairwise_packed(pack_a, pack_b, window, n_jobs):
    """Pairwise DTW on packed collections ``(buf, offs, lens, C)`` (``pack_b`` may be
    None for the symmetric case); ``window`` already checked (-1.0 = unconstrained)."""
    n_a = len(pack_a[2])
    sym = pack_b is None
    out = np.empty((n_a, n_a if sym else len(pack_b[2])))
    args = one_to_many_plan(pack_a, pack_b, window, sym)
    with numba_threads(n_jobs):
        _one_to_many_kernel(*args, out)
    if sym:
        np.fill_diagonal(out, 0.0)
    return out


def paired_dtw(A, B, window=None, n_jobs=None, squared=True):
    """DTW distance between corresponding series of two collections.

    Parameters
    ----------
    A : array-like or list
        ``(n, L)`` univariate or ``(n, C, L)`` multivariate array, possibly NaN-padded
        at the end, or a list of 1D ``(L_i,)`` / 2D ``(C, L_i)`` arrays.
    B : array-like or list
        As many series, same channel count; ``B[k]`` is compared with ``A[k]``.
    window : float or None, default=None
        Sakoe-Chiba band as a fraction of the length in ``[0, 1]``, per pair exactly as
        in :func:`~sktsmtl.distances.dtw_distance`; None is unconstrained.
    n_jobs : int or None, default=None
        Number of numba threads for this call (None or -1: all).
    squared : bool, default=True
        True gives sums of squared differences along the best path, False their
        square roots.

    Returns
    -------
    ndarray of shape (n,)
        ``d[k] = dtw_distance(A[k], B[k], window, squared)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sktsmtl.distances.pairwise import paired_dtw
    >>> paired_dtw([[0.0, 1.0, 2.0], [0.0, 0.0, 0.0]], [[0.0, 2.0, 2.0], [1.0, 1.0, 1.0]])
    array([1., 3.])
    """
    _check_squared(squared)
    w = check_window(window)
    series_a, _ = check_collection(A, "A")
    series_b, _ = check_collection(B, "B")
    if len(series_a) != len(series_b):
        raise ValueError(
            f"A holds {len(series_a)} series but B holds {len(series_b)}; paired DTW "
            "compares A[k] with B[k]."
        )
    pack_a = pack_series(series_a)
    pack_b = pack_series(series_b)
    if pack_b[3] != pack_a[3]:
        raise ValueError(
            f"A has {pack_a[3]} channels but B has {pack_b[3]}; multivariate DTW needs "
            "the same channel count."
        )
    out = _paired_packed(pack_a, pack_b, w, n_jobs)
    if not squared:
        np.sqrt(out, out=out)
    return out


def _paired_packed(pack_a, pack_b, window, n_jobs):
    """Paired DTW on packed collections of equal size; ``window`` already checked."""
    buf_a, offs_a, lens_a, C = pack_a
    buf_b, offs_b, lens_b, _ = pack_b
    order, g_start, g_count = paired_groups(lens_a, lens_b)
    out = np.empty(len(lens_a))
    with numba_threads(n_jobs):
        _paired_kernel(buf_a, offs_a, lens_a, buf_b, offs_b, lens_b, C, window, order,
                       g_start, g_count, out)
    return out
