"""Cheap lower bounds of the DTW distance, used to prune nearest-neighbour search.

Both bounds are lower bounds of :func:`~sktsmtl.distances.dtw_distance` with the same
``window`` and in the same units (sum of squared differences by default):

* :func:`lb_kim` (first/last-point bound, O(C)): every warping path contains the cells
  ``(0, 0)`` and ``(L_a - 1, L_b - 1)``, so DTW is at least the cost of these two cells.
* :func:`lb_keogh` (Keogh & Ratanamahatana 2005, O(C L)): every time step ``i`` of ``a``
  is matched to some step ``j`` of ``b`` with ``|i - j| <= r``, so its cost is at least
  the squared distance of ``a[i]`` to the envelope ``[min, max]`` of ``b`` over that
  range. Valid for unequal lengths (the envelope is taken over ``b``'s valid indices)
  and for multivariate series (per-channel envelopes, costs summed over channels).
  It is asymmetric; the maximum of both directions is a lower bound too.
* :func:`lb_improved` (Lemire 2009, O(C L), equal lengths): LB_Keogh of ``a`` plus
  LB_Keogh of ``b`` against the envelope of ``h``, the projection of ``a`` onto ``b``'s
  envelope. Per channel and time step, ``h_i`` lies between ``a_i`` and every ``b_j`` of
  the band, so ``(a_i - b_j)**2 >= (a_i - h_i)**2 + (h_i - b_j)**2``; summed along the
  best path this gives ``DTW(a, b) >= LB_Keogh(a | b) + DTW(h, b) >=
  LB_Keogh(a | b) + LB_Keogh(b | h)``. It is never below LB_Keogh.
"""

import math

import numpy as np
from numba import njit

from .inputs import check_series, check_window
from .dtw import _flat, _prepare_pair, _radius, _check_squared

__all__ = ["keogh_envelope", "lb_improved", "lb_keogh", "lb_kim"]


@njit(cache=True, nogil=True)
def _envelope(x, m, n_channels, r, n_out, lo, hi, queue):
    """Running min/max of ``x`` over ``[i - r, i + r]`` for ``i < n_out``.

    ``x`` is flat time-major (m*C,), ``lo``/``hi`` receive (n_out*C,) values and
    ``queue`` is an int64 scratch of at least ``m`` entries. Monotone-deque algorithm
    (Lemire 2009), O(m + n_out) per channel. Requires ``n_out - 1 - r <= m - 1``.
    """
    C = n_channels
    for c in range(C):
        # upper envelope
        head = 0
        tail = 0
        nxt = 0
        for i in range(n_out):
            right = i + r
            if right > m - 1:
                right = m - 1
            while nxt <= right:
                v = x[nxt * C + c]
                while tail > head and x[queue[tail - 1] * C + c] <= v:
                    tail -= 1
                queue[tail] = nxt
                tail += 1
                nxt += 1
            left = i - r
            while queue[head] < left:
                head += 1
            hi[i * C + c] = x[queue[head] * C + c]
        # lower envelope
        head = 0
        tail = 0
        nxt = 0
        for i in range(n_out):
            right = i + r
            if right > m - 1:
                right = m - 1
            while nxt <= right:
                v = x[nxt * C + c]
                while tail > head and x[queue[tail - 1] * C + c] >= v:
                    tail -= 1
                queue[tail] = nxt
                tail += 1
                nxt += 1
            left = i - r
            while queue[head] < left:
                head += 1
            lo[i * C + c] = x[queue[head] * C + c]


@njit(cache=True, nogil=True)
def _lb_keogh_env(a, lo, hi, cutoff):
    """Sum of squared excess of flat ``a`` over the envelope ``[lo, hi]`` (same size).

    Stops as soon as the running sum exceeds ``cutoff`` (the partial sum returned is
    then already larger than ``cutoff``).
    """
    total = 0.0
    for k in range(a.shape[0]):
        v = a[k]
        if v > hi[k]:
            d = v - hi[k]
            total += d * d
        elif v < lo[k]:
            d = lo[k] - v
            total += d * d
        if total > cutoff:
            return total
    return total


@njit(cache=True, nogil=True)
def _lb_improved_rest(a, b, lo, hi, n, n_channels, r, cutoff, h, h_lo, h_hi, queue):
    """Second term of LB_Improved: LB_Keogh of ``b`` against the envelope of ``h``.

    ``a``, ``b`` are flat time-major (n*C,) of equal length, ``[lo, hi]`` is the envelope
    of ``b`` with radius ``r``; ``h``, ``h_lo``, ``h_hi`` (n*C,) and ``queue`` (n,) are
    scratch. Stops once the sum exceeds ``cutoff``.
    """
    for k in range(n * n_channels):
        v = a[k]
        if v > hi[k]:
            v = hi[k]
        elif v < lo[k]:
            v = lo[k]
        h[k] = v
    _envelope(h, n, n_channels, r, n, h_lo, h_hi, queue)
    return _lb_keogh_env(b, h_lo, h_hi, cutoff)


@njit(cache=True, nogil=True)
def _lb_kim(a, b, n_channels):
    """First/last-cell bound for flat time-major ``a`` and ``b``."""
    C = n_channels
    n = a.shape[0] // C
    m = b.shape[0] // C
    total = 0.0
    for c in range(C):
        d = a[c] - b[c]
        total += d * d
    if n > 1 or m > 1:
        ia = (n - 1) * C
        jb = (m - 1) * C
        for c in range(C):
            d = a[ia + c] - b[jb + c]
            total += d * d
    return total


def keogh_envelope(x, radius):
    """Lower and upper Keogh envelope of a series.

    Parameters
    ----------
    x : array-like of shape (L,) or (C, L)
        The series.
    radius : int
        Half-width ``r`` of the running window: ``upper[i] = max(x[i-r : i+r+1])``
        (clipped to the series), per channel.

    Returns
    -------
    lower, upper : ndarray of the shape of ``x``

    Examples
    --------
    >>> from sktsmtl.distances import keogh_envelope
    >>> lower, upper = keogh_envelope([0.0, 3.0, 1.0, 2.0], radius=1)
    >>> lower
    array([0., 0., 1., 1.])
    >>> upper
    array([3., 3., 3., 2.])
    """
    arr = check_series(x, "x")
    if isinstance(radius, bool) or not isinstance(radius, (int, np.integer)) or radius < 0:
        raise ValueError(f"radius must be a non-negative integer, got {radius!r}.")
    C, m = arr.shape
    lo = np.empty(m * C)
    hi = np.empty(m * C)
    queue = np.empty(m, dtype=np.int64)
    _envelope(_flat(arr), m, C, int(min(radius, m)), m, lo, hi, queue)
    lo = lo.reshape(m, C).T
    hi = hi.reshape(m, C).T
    if np.ndim(x) == 1:
        return lo[0].copy(), hi[0].copy()
    return np.ascontiguousarray(lo), np.ascontiguousarray(hi)


def lb_keogh(a, b, window=None, squared=True):
    """LB_Keogh lower bound of ``dtw_distance(a, b, window)``.

    The squared distance of every time step of ``a`` to the envelope of ``b`` over the
    Sakoe-Chiba band, summed (over time and channels). The band radius is the one
    :func:`~sktsmtl.distances.dtw_distance` uses, so unequal lengths are allowed.

    Parameters
    ----------
    a : array-like of shape (L_a,) or (C, L_a)
        The series compared to the envelope.
    b : array-like of shape (L_b,) or (C, L_b)
        The series whose envelope is taken.
    window : float or None, default=None
        Sakoe-Chiba band as a fraction of the length in ``[0, 1]``; None is
        unconstrained (the envelope is then ``b``'s global min and max).
    squared : bool, default=True
        Sum of squared differences (True, comparable with
        ``dtw_distance(..., squared=True)``) or its square root.

    Returns
    -------
    float
        A value ``<= dtw_distance(a, b, window, squared)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sktsmtl.distances import dtw_distance, lb_keogh
    >>> rng = np.random.default_rng(0)
    >>> a, b = rng.normal(size=50), rng.normal(size=50)
    >>> bool(lb_keogh(a, b, window=0.1) <= dtw_distance(a, b, window=0.1))
    True
    >>> lb_keogh([0.0, 5.0, 0.0], [0.0, 1.0, 0.0], window=0.0)
    16.0
    """
    _check_squared(squared)
    w = check_window(window)
    a, b = _prepare_pair(a, b)
    C = a.shape[0]
    n, m = a.shape[1], b.shape[1]
    r = _radius(n, m, w)
    lo = np.empty(n * C)
    hi = np.empty(n * C)
    queue = np.empty(m, dtype=np.int64)
    _envelope(_flat(b), m, C, r, n, lo, hi, queue)
    d = float(_lb_keogh_env(_flat(a), lo, hi, np.inf))
    return d if squared else math.sqrt(d)


def lb_kim(a, b, squared=True):
    """First-and-last-point lower bound of the DTW distance (LB_Kim style).

    Every warping path contains the first cell ``(0, 0)`` and the last cell
    ``(L_a - 1, L_b - 1)``; their costs bound DTW from below under any window.

    Parameters
    ----------
    a : array-like of shape (L_a,) or (C, L_a)
    b : array-like of shape (L_b,) or (C, L_b)
    squared : bool, default=True
        Sum of squared differences (True) or its square root.

    Returns
    -------
    float
        A value ``<= dtw_distance(a, b, window, squared)`` for every ``window``.

    Examples
    --------
    >>> from sktsmtl.distances import lb_kim
    >>> lb_kim([0.0, 2.0, 3.0], [1.0, 5.0, 5.0, 5.0])
    5.0
    """
    _check_squared(squared)
    a, b = _prepare_pair(a, b)
    d = float(_lb_kim(_flat(a), _flat(b), a.shape[0]))
    return d if squared else math.sqrt(d)


def lb_improved(a, b, window=None, squared=True):
    """LB_Improved lower bound (Lemire 2009) of ``dtw_distance(a, b, window)``.

    ``LB_Keogh(a | envelope(b)) + LB_Keogh(b | envelope(h))`` where ``h`` is ``a``
    clipped to ``b``'s envelope, per channel. At least :func:`lb_keogh` and at most the
    DTW distance.

    Parameters
    ----------
    a : array-like of shape (L,) or (C, L)
    b : array-like of shape (L,) or (C, L)
        Same length and channel count as ``a``.
    window : float or None, default=None
        Sakoe-Chiba band as a fraction of the length in ``[0, 1]``; None is
        unconstrained.
    squared : bool, default=True
        Sum of squared differences (True) or its square root.

    Returns
    -------
    float
        A value ``<= dtw_distance(a, b, window, squared)``.

    Raises
    ------
    ValueError
        If the lengths differ.

    Examples
    --------
    >>> from sktsmtl.distances import lb_keogh
    >>> from sktsmtl.distances.lower_bounds import lb_improved
    >>> from sktsmtl.distances import dtw_distance
    >>> a, b = [3.0, 2.0, 2.0, 1.0, 1.0], [0.0, 0.0, 0.0, 0.0, 3.0]
    >>> lb_keogh(a, b, 0.2), lb_improved(a, b, 0.2), dtw_distance(a, b, 0.2)
    (17.0, 21.0, 22.0)
    """
    _check_squared(squared)
    w = check_window(window)
    a, b = _prepare_pair(a, b)
    C, n = a.shape
    if b.shape[1] != n:
        raise ValueError(
            f"lb_improved needs series of equal length, got {n} and {b.shape[1]}."
        )
    r = _radius(n, n, w)
    lo, hi = np.empty(n * C), np.empty(n * C)
    queue = np.empty(n, dtype=np.int64)
    fa, fb = _flat(a), _flat(b)
    _envelope(fb, n, C, r, n, lo, hi, queue)
    first = float(_lb_keogh_env(fa, lo, hi, np.inf))
    rest = float(_lb_improved_rest(fa, fb, lo, hi, n, C, r, np.inf, np.empty(n * C),
                                   np.empty(n * C), np.empty(n * C), queue))
    d = first + rest
    return d if squared else math.sqrt(d)
