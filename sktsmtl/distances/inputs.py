"""Input checks and packing shared by the distance functions.

Series are handled internally in one canonical form: a float64 array of shape
``(C, L)``. Collections of series (possibly of varying length) are packed into one
contiguous float64 buffer, *time-major* (element ``(t, c)`` of series ``i`` lies at
``buffer[offsets[i] + t * C + c]``), which is what the numba kernels read.
"""

import numbers

import numpy as np

__all__ = [
    "check_series",
    "check_collection",
    "check_window",
    "pack_series",
]


def _as_float_array(values, what):
    if isinstance(values, (str, bytes)) or values is None:
        raise TypeError(f"{what} must be an array of numbers, got {type(values).__name__}.")
    if hasattr(values, "toarray") or hasattr(values, "tocsr"):
        raise TypeError(f"{what} is a sparse matrix; DTW needs dense arrays.")
    arr = np.asarray(values)
    if arr.dtype == object:
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"{what} contains non-numeric values.") from None
    elif not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"{what} has dtype {arr.dtype}; expected numbers.")
    if np.iscomplexobj(arr):
        raise TypeError(f"{what} holds complex numbers; DTW needs real values.")
    return arr.astype(np.float64, copy=False)


def check_series(x, name="x"):
    """Validate one series and return it as a float64 ``(C, L)`` array.

    Parameters
    ----------
    x : array-like of shape (L,) or (C, L)
        The series; a 1D array is one channel.
    name : str, default="x"
        Name used in error messages.

    Returns
    -------
    ndarray of shape (C, L)

    Raises
    ------
    ValueError
        If the series is empty, has NaN or inf, or is not 1D/2D.
    TypeError
        If it does not hold real numbers.
    """
    arr = _as_float_array(x, name)
    if arr.ndim == 1:
        arr = arr[np.newaxis, :]
    elif arr.ndim != 2:
        raise ValueError(
            f"{name} has {arr.ndim} dimensions; a series is 1D (L,) or 2D (C, L)."
        )
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); a series needs values.")
    if not np.isfinite(arr).all():
        what = "NaN" if np.isnan(arr).any() else "inf"
        raise ValueError(
            f"{name} contains {what}; DTW needs finite values (interpolate missing values "
            "and strip padding first)."
        )
    return np.ascontiguousarray(arr)


def _strip_trailing_nan(series):
    observed = ~np.all(np.isnan(series), axis=0)
    if not observed.any():
        return series[:, :0]
    last = len(observed) - int(np.argmax(observed[::-1]))
    return series[:, :last]


def check_collection(X, name="X", allow_missing=False):
    """Validate a collection of series and return a list of ``(C, L_i)`` arrays.

    Parameters
    ----------
    X : array-like or list
        ``(n, L)`` univariate or ``(n, C, L)`` multivariate array, possibly NaN-padded
        at the end (trailing time steps where every channel is NaN are dropped, which
        gives series of varying length), or a list of 1D ``(L_i,)`` / 2D ``(C, L_i)``
        arrays.
    name : str, default="X"
        Name used in error messages.
    allow_missing : bool, default=False
        Whether NaN inside a series (missing values, not padding) are allowed. When
        False they raise a ``ValueError``.

    Returns
    -------
    series : list of ndarray of shape (C, L_i)
        float64 arrays, trailing padding removed.
    univariate : bool
        True when ``X`` had no channel axis.
    """
    if isinstance(X, numbers.Number) or isinstance(X, (str, bytes)) or X is None:
        raise TypeError(
            f"{name} must be an array (n, L) / (n, C, L) or a list of series, got "
            f"{type(X).__name__}."
        )
    if isinstance(X, (list, tuple)):
        if len(X) == 0:
            raise ValueError(f"{name} holds no series.")
        raw = []
        univariate = None
        for i, s in enumerate(X):
            arr = _as_float_array(s, f"{name}[{i}]")
            if arr.ndim == 1:
                arr = arr[np.newaxis, :]
                uni = True
            elif arr.ndim == 2:
                uni = False
            else:
                raise ValueError(
                    f"{name}[{i}] has {arr.ndim} dimensions; a series in a list must be "
                    "1D (L,) or 2D (C, L)."
                )
            univariate = uni if univariate is None else univariate
            raw.append(arr)
    else:
        arr = _as_float_array(X, name)
        if arr.ndim == 2:
            arr = arr[:, np.newaxis, :]
            univariate = True
        elif arr.ndim == 3:
            univariate = False
        else:
            raise ValueError(
                f"{name} has {arr.ndim} dimension(s); expected a 2D (n, L) or 3D "
                "(n, C, L) array or a list of series (reshape one series to (1, L))."
            )
        if arr.shape[0] == 0:
            raise ValueError(f"{name} holds no series.")
        raw = list(arr)

    n_channels = raw[0].shape[0]
    out = []
    for i, s in enumerate(raw):
        if s.shape[0] == 0:
            raise ValueError(f"{name}[{i}] has no channels.")
        if s.shape[0] != n_channels:
            raise ValueError(
                f"{name}[{i}] has {s.shape[0]} channels but {name}[0] has {n_channels}; "
                "all series of a collection need the same channel count."
            )
        if np.isinf(s).any():
            raise ValueError(f"{name}[{i}] contains inf; DTW needs finite values.")
        s = _strip_trailing_nan(s)
        if s.shape[1] == 0:
            raise ValueError(f"{name}[{i}] is empty or all NaN.")
        if not allow_missing and np.isnan(s).any():
            raise ValueError(
                f"{name}[{i}] contains NaN inside the series (missing values; only "
                "trailing NaN padding is allowed). Interpolate missing values first."
            )
        out.append(s)
    return out, bool(univariate)


def check_window(window):
    """Validate a Sakoe-Chiba window fraction; return it as a float, -1.0 for None.

    Parameters
    ----------
    window : float or None
        Fraction of the series length in ``[0, 1]``; None means unconstrained.

    Returns
    -------
    float
    """
    if window is None:
        return -1.0
    if isinstance(window, bool) or not isinstance(window, numbers.Real):
        raise TypeError(
            f"window must be a float in [0, 1] or None, got {type(window).__name__}."
        )
    window = float(window)
    if not (0.0 <= window <= 1.0):  # also rejects NaN
        raise ValueError(
            f"window must be a fraction of the series length in [0, 1] or None, got "
            f"{window!r}."
        )
    return window


def pack_series(series):
    """Pack ``(C, L_i)`` series into one contiguous time-major float64 buffer.

    Parameters
    ----------
    series : list of ndarray of shape (C, L_i)

    Returns
    -------
    buffer : ndarray of shape (sum_i C * L_i,)
    offsets : ndarray of int64 of shape (n,)
        Start of each series in ``buffer``.
    lengths : ndarray of int64 of shape (n,)
    n_channels : int
    """
    n_channels = series[0].shape[0]
    lengths = np.array([s.shape[1] for s in series], dtype=np.int64)
    offsets = np.zeros(len(series), dtype=np.int64)
    if len(series) > 1:
        offsets[1:] = np.cumsum(lengths[:-1] * n_channels)
    buffer = np.empty(int(lengths.sum()) * n_channels, dtype=np.float64)
    for s, o, n in zip(series, offsets, lengths):
        buffer[o:o + n * n_channels] = s.T.ravel()
    return buffer, offsets, lengths, int(n_channels)
