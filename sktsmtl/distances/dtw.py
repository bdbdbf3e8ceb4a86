"""Exact dynamic time warping between two series.

Conventions (shared by every function of :mod:`sktsmtl.distances`):

* **Cost.** The local cost of matching time step ``i`` of ``a`` with step ``j`` of ``b``
  is the squared Euclidean distance across channels, ``sum_c (a[c, i] - b[c, j])**2``.
  DTW is the minimum over warping paths of the *sum* of these costs, i.e. a **sum of
  squared differences** (as aeon returns it). ``squared=False`` returns its square
  root, which is what dtaidistance and tslearn return.
* **Window.** ``window`` is a Sakoe-Chiba band given as a fraction of the series length
  in ``[0, 1]``; None means unconstrained. The band radius is
  ``r = ceil(window * max(len_a, len_b))`` (computed with a 1e-9 tolerance so that a
  product such as ``0.3 * 10`` gives 3, not 4), widened to ``r = max(r, |len_a - len_b|)``
  so that the end cell stays reachable for series of unequal length. Cells with
  ``|i - j| <= r`` are allowed. ``window=0`` on equal lengths is the squared Euclidean
  distance. dtaidistance's integer ``window=w`` means ``|i - j| <= w - 1``, so our
  radius ``r`` corresponds to its ``window=r + 1`` (for equal lengths).

The numba kernels here compute the DP over the band only, with two rolling rows, and
support early abandoning (stop once a whole row exceeds a cut-off), which the 1NN
search uses. :func:`dtw_path` needs the whole matrix to trace the path back: it stores
only the band when a window makes that smaller (memory linear in the length), and
refuses clearly, before allocating, a matrix that the memory limits cannot hold.
"""

import math

import numpy as np
from numba import njit

from .inputs import check_series, check_window

__all__ = ["dtw_distance", "dtw_path", "sakoe_chiba_radius"]

_RADIUS_TOL = 1e-9


@njit(cache=True, nogil=True)
def _radius(n, m, window):
    """Sakoe-Chiba radius for lengths ``n``, ``m``; ``window < 0`` = unconstrained."""
    longest = max(n, m)
    if window < 0.0:
        return longest
    x = window * longest
    r = int(math.ceil(x - _RADIUS_TOL * max(1.0, x)))
    diff = abs(n - m)
    if r < diff:
        r = diff
    if r > longest:
        r = longest
    if r < 0:
        r = 0
    return r


@njit(cache=True, nogil=True)
def _dtw_uni(a, b, r, cutoff, work):
    """Banded DTW (sum of squares) of univariate ``a`` (n,) and ``b`` (m,).

    ``work`` holds at least ``2 * (m + 1)`` floats. Returns inf as soon as the minimum
    of a row exceeds ``cutoff`` (early abandoning; the result is exact whenever the true
    distance is ``<= cutoff``).
    """
    n = a.shape[0]
    m = b.shape[0]
    inf = np.inf
    prev = work[: m + 1]
    curr = work[m + 1: 2 * (m + 1)]
    for j in range(m + 1):
        prev[j] = inf
        curr[j] = inf
    prev[0] = 0.0
    for i in range(n):
        jlo = i - r
        if jlo < 0:
            jlo = 0
        jhi = i + r
        if jhi > m - 1:
            jhi = m - 1
        ai = a[i]
        curr[jlo] = inf  # D[i, jlo - 1]: outside the band or the left border
        left = inf
        diag = prev[jlo]
        rowmin = inf
        for j in range(jlo, jhi + 1):
            up = prev[j + 1]
            best = diag
            if up < best:
                best = up
            if left < best:
                best = left
            d = ai - b[j]
            v = best + d * d
            curr[j + 1] = v
            if v < rowmin:
                rowmin = v
            left = v
            diag = up
        if rowmin > cutoff:
            return inf
        tmp = prev
        prev = curr
        curr = tmp
    return prev[m]


@njit(cache=True, nogil=True)
def _dtw_multi(a, b, n_channels, r, cutoff, work):
    """Banded multivariate DTW of time-major flat ``a`` (n*C,) and ``b`` (m*C,)."""
    C = n_channels
    n = a.shape[0] // C
    m = b.shape[0] // C
    inf = np.inf
    prev = work[: m + 1]
    curr = work[m + 1: 2 * (m + 1)]
    for j in range(m + 1):
        prev[j] = inf
        curr[j] = inf
    prev[0] = 0.0
    for i in range(n):
        jlo = i - r
        if jlo < 0:
            jlo = 0
        jhi = i + r
        if jhi > m - 1:
            jhi = m - 1
        ia = i * C
        curr[jlo] = inf
        left = inf
        diag = prev[jlo]
        rowmin = inf
        for j in range(jlo, jhi + 1):
            up = prev[j + 1]
            best = diag
            if up < best:
                best = up
            if left < best:
                best = left
            jb = j * C
            cost = 0.0
            for c in range(C):
                d = a[ia + c] - b[jb + c]
                cost += d * d
            v = best + cost
            curr[j + 1] = v
            if v < rowmin:
                rowmin = v
            left = v
            diag = up
        if rowmin > cutoff:
            return inf
        tmp = prev
        prev = curr
        curr = tmp
    return prev[m]


@njit(cache=True, nogil=True)
def _dtw_flat(a, b, n_channels, r, cutoff, work):
    """Dispatch to the univariate or multivariate kernel (flat time-major inputs)."""
    if n_channels == 1:
        return _dtw_uni(a, b, r, cutoff, work)
    return _dtw_multi(a, b, n_channels, r, cutoff, work)


@njit(cache=True, nogil=True, inline="always")
def _cell(D, row, col, r, banded):
    """``D[row, col]`` of the accumulated-cost matrix stored full or as a band.

    A band stores a row from column ``row - r - 1`` on, in ``2r + 3`` slots: the cells
    with ``|i - j| <= r`` and their left and upper neighbours. Cells outside the
    storage are never reachable: inf.
    """
    k = col - row + r + 1 if banded else col
    if k < 0 or k >= D.shape[1]:
        return np.inf
    return D[row, k]


@njit(cache=True, nogil=True)
def _dtw_matrix(a, b, n_channels, r, banded):
    """Accumulated-cost matrix ``D`` (inf outside the band), full ``(n+1, m+1)`` or,
    with ``banded``, only its band ``(n+1, 2r+3)``: linear memory in the length for a
    fixed window."""
    C = n_channels
    n = a.shape[0] // C
    m = b.shape[0] // C
    width = 2 * r + 3 if banded else m + 1
    D = np.full((n + 1, width), np.inf)
    D[0, r + 1 if banded else 0] = 0.0
    for i in range(n):
        jlo = max(0, i - r)
        jhi = min(m - 1, i + r)
        for j in range(jlo, jhi + 1):
            cost = 0.0
            for c in range(C):
                d = a[i * C + c] - b[j * C + c]
                cost += d * d
            best = _cell(D, i, j, r, banded)
            up = _cell(D, i, j + 1, r, banded)
            if up < best:
                best = up
            left = _cell(D, i + 1, j, r, banded)
            if left < best:
                best = left
            D[i + 1, (j + 1) - (i + 1) + r + 1 if banded else j + 1] = best + cost
    return D


@njit(cache=True, nogil=True)
def _backtrack(D, m, r, banded):
    """Warping path from the accumulated-cost matrix; ties prefer the diagonal."""
    i = D.shape[0] - 2
    j = m - 1
    path = np.empty((i + j + 1, 2), dtype=np.int64)
    k = 0
    path[k, 0] = i
    path[k, 1] = j
    while i > 0 or j > 0:
        if i == 0:
            j -= 1
        elif j == 0:
            i -= 1
        else:
            diag = _cell(D, i, j, r, banded)
            up = _cell(D, i, j + 1, r, banded)
            left = _cell(D, i + 1, j, r, banded)
            if diag <= up and diag <= left:
                i -= 1
                j -= 1
            elif up <= left:
                i -= 1
            else:
                j -= 1
        k += 1
        path[k, 0] = i
        path[k, 1] = j
    return path[: k + 1][::-1].copy()


def sakoe_chiba_radius(len_a, len_b, window=None):
    """Integer Sakoe-Chiba radius used for two series of the given lengths.

    Parameters
    ----------
    len_a, len_b : int
        Lengths of the two series.
    window : float or None, default=None
        Band width as a fraction of the length in ``[0, 1]``; None is unconstrained.

    Returns
    -------
    int
        ``r = max(ceil(window * max(len_a, len_b)), |len_a - len_b|)`` (at most the
        longer length); cells with ``|i - j| <= r`` are allowed. Unconstrained gives
        ``max(len_a, len_b)``.

    Examples
    --------
    >>> from sktsmtl.distances import sakoe_chiba_radius
    >>> sakoe_chiba_radius(300, 300, 0.1)
    30
    >>> sakoe_chiba_radius(100, 120, 0.1)
    20
    """
    for name, value in (("len_a", len_a), ("len_b", len_b)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(_radius(int(len_a), int(len_b), check_window(window)))


def _prepare_pair(a, b):
    a = check_series(a, "a")
    b = check_series(b, "b")
    if a.shape[0] != b.shape[0]:
        raise ValueError(
            f"a has {a.shape[0]} channels but b has {b.shape[0]}; multivariate DTW needs "
            "the same channel count."
        )
    return a, b


def _flat(series):
    """(C, L) -> contiguous time-major flat array."""
    return np.ascontiguousarray(series.T).ravel()


def _check_squared(squared):
    if not isinstance(squared, (bool, np.bool_)):
        raise TypeError(f"squared must be a bool, got {type(squared).__name__}.")


def dtw_distance(a, b, window=None, squared=True):
    """Exact dynamic time warping distance between two series.

    Parameters
    ----------
    a : array-like of shape (L_a,) or (C, L_a)
        First series (1D univariate or 2D ``(channels, length)``).
    b : array-like of shape (L_b,) or (C, L_b)
        Second series, same channel count; the lengths may differ.
    window : float or None, default=None
        Sakoe-Chiba band as a fraction of the length in ``[0, 1]``. The radius is
        ``r = ceil(window * max(L_a, L_b))``, widened to ``|L_a - L_b|`` so that the end
        cell is reachable; cells with ``|i - j| <= r`` are allowed. None means no
        constraint.
    squared : bool, default=True
        True returns the **sum of squared differences** along the best warping path
        (aeon's convention). False returns its square root (dtaidistance's and
        tslearn's convention).

    Returns
    -------
    float
        The DTW distance.

    Raises
    ------
    ValueError
        If ``window`` is outside ``[0, 1]``, a series contains NaN or inf or is empty,
        or the channel counts differ.

    See Also
    --------
    dtw_path : the optimal warping path as well.
    pairwise_dtw : all pairs of two collections, in parallel.

    Examples
    --------
    >>> import numpy as np
    >>> from sktsmtl.distances import dtw_distance
    >>> dtw_distance([0.0, 1.0, 2.0], [0.0, 1.0, 1.0, 2.0])
    0.0
    >>> dtw_distance([0.0, 0.0, 1.0], [0.0, 1.0, 1.0], window=0.3)
    0.0
    >>> dtw_distance([0.0, 0.0, 1.0], [0.0, 1.0, 1.0], window=0.0)
    1.0
    >>> dtw_distance(np.zeros((2, 4)), np.ones((2, 4)), squared=False)
    2.8284271247461903
    """
    _check_squared(squared)
    w = check_window(window)
    a, b = _prepare_pair(a, b)
    n, m = a.shape[1], b.shape[1]
    r = _radius(n, m, w)
    work = np.empty(2 * (m + 1))
    d = float(_dtw_flat(_flat(a), _flat(b), a.shape[0], r, np.inf, work))
    return d if squared else math.sqrt(d)


def dtw_path(a, b, window=None, squared=True):
    """Optimal DTW warping path and its cost.

    Parameters
    ----------
    a : array-like of shape (L_a,) or (C, L_a)
        First series.
    b : array-like of shape (L_b,) or (C, L_b)
        Second series, same channel count.
    window : float or None, default=None
        Sakoe-Chiba band as a fraction of the length, as in :func:`dtw_distance`.
    squared : bool, default=True
        Whether the returned cost is the sum of squared differences (True) or its
        square root.

    Returns
    -------
    path : list of tuple of int
        ``(i, j)`` pairs from ``(0, 0)`` to ``(L_a - 1, L_b - 1)``; each step moves by
        one in ``i``, ``j`` or both. Among equally cheap predecessors the diagonal is
        preferred, then ``(i - 1, j)``, then ``(i, j - 1)``.
    cost : float
        Equal to ``dtw_distance(a, b, window, squared)``.

    Examples
    --------
    >>> from sktsmtl.distances import dtw_path
    >>> path, cost = dtw_path([0.0, 1.0, 2.0], [0.0, 1.0, 1.0, 2.0])
    >>> path
    [(0, 0), (1, 1), (1, 2), (2, 3)]
    >>> cost
    0.0
    """
    _check_squared(squared)
    w = check_window(window)
    a, b = _prepare_pair(a, b)
    n, m = a.shape[1], b.shape[1]
    r = _radius(n, m, w)
    banded = 2 * r + 3 < m + 1
    width = 2 * r + 3 if banded else m + 1
    _check_path_memory(n, m, width, window)
    D = _dtw_matrix(_flat(a), _flat(b), a.shape[0], r, banded)
    path = [(int(i), int(j)) for i, j in _backtrack(D, m, r, banded)]
    d = float(D[n, (m - n + r + 1) if banded else m])
    return path, (d if squared else math.sqrt(d))


def _check_path_memory(n, m, width, window):
    """Refuse a cost matrix that cannot be allocated, before numba tries."""
    from .._memory import limiting_memory

    need = 8 * (n + 1) * width + 16 * (n + m)
    free, limit = limiting_memory("cpu")
    if free is None or need <= 0.8 * free:
        return
    hint = ("a window (window=0.1 keeps a band of 10% of the length, in memory linear "
            "in the length)" if window is None else "a narrower window")
    raise MemoryError(
        f"dtw_path on series of lengths {n} and {m} needs a cost matrix of about "
        f"{need / 1e9:.1f} GB, more than the {0.8 * free / 1e9:.1f} GB that can be used "
        f"here ({free / 1e9:.1f} GB free under the {limit}). Use {hint}, or shorten "
        "the series (sktsmtl.preprocessing.Resampler).")
