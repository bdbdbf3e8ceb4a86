"""Conversion of one task's raw series into a list of ``(C, L_i)`` float arrays.

Every input form (2D/3D arrays, NaN-padded UCR arrays, lists of 1D or 2D arrays of
varying length) is reduced to the same canonical form here, with the checks that need
to look at the values (dimensions, numeric dtype, inf, empty or all-NaN series,
channel counts). Errors name the task so that a user with ten tasks knows where to look.
"""

import numbers
from collections.abc import Iterator

import numpy as np

__all__ = ["series_from_task_input", "strip_trailing_nan", "pad_series"]


def _task_label(task):
    return f"task {task!r}"


def strip_trailing_nan(series):
    """Drop the trailing time steps where every channel is NaN.

    UCR files pad shorter series with NaN at the end; interior NaN are missing values
    and stay.

    Parameters
    ----------
    series : ndarray of shape (C, L)
        One series.

    Returns
    -------
    ndarray of shape (C, L')
        The series without its trailing all-NaN time steps (``L' <= L``).
    """
    observed = ~np.all(np.isnan(series), axis=0)
    if not observed.any():
        return series[:, :0]
    last = len(observed) - int(np.argmax(observed[::-1]))
    return series[:, :last]


def _as_float(values, task, what):
    arr = np.asarray(values)
    if arr.dtype == object:
        # float(None) would pass as NaN and silently hide a hole in the data
        if any(v is None for v in arr.ravel().tolist()):
            raise ValueError(
                f"{_task_label(task)}: {what} contains None; mark missing values with "
                "np.nan."
            )
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError):
            raise TypeError(
                f"{_task_label(task)}: {what} contains non-numeric values; "
                "series must hold numbers."
            ) from None
    elif not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(
            f"{_task_label(task)}: {what} has dtype {arr.dtype}; series must hold numbers."
        )
    if np.iscomplexobj(arr):
        raise TypeError(
            f"{_task_label(task)}: {what} holds complex numbers; series must be real "
            "(take np.abs or np.real, or split real and imaginary parts into channels)."
        )
    return arr.astype(np.float64, copy=False)


def _check_values(series, task, index):
    if np.isinf(series).any():
        raise ValueError(
            f"{_task_label(task)}: series {index} contains inf; only finite values and "
            "NaN (missing or padding) are allowed."
        )


def _series_from_array(arr, task):
    """The rows of a ``(n, C, L)`` float array as series, checked in whole-array passes.

    One pass over the values decides everything when they are all finite (the common
    case): no inf, no padding, every row a view of full length. Otherwise the NaN
    pattern gives every row's length at once; only rows are sliced in Python.
    """
    if arr.shape[1] == 0:
        raise ValueError(f"{_task_label(task)}: series 0 has no channels.")
    if arr.shape[2] == 0:
        raise ValueError(f"{_task_label(task)}: series 0 is empty or all NaN.")
    arr = np.ascontiguousarray(arr)
    if np.isfinite(arr).all():
        return list(arr)
    inf_rows = np.flatnonzero(np.isinf(arr).any(axis=(1, 2)))
    if len(inf_rows):
        _check_values(arr[inf_rows[0]], task, int(inf_rows[0]))
    observed = ~np.isnan(arr).all(axis=1)  # (n, L): some channel observed at step t
    lengths = arr.shape[2] - np.argmax(observed[:, ::-1], axis=1)
    empty = np.flatnonzero(~observed.any(axis=1))
    if len(empty):
        raise ValueError(f"{_task_label(task)}: series {int(empty[0])} is empty or all NaN.")
    full = arr.shape[2]
    return [row if n == full else np.ascontiguousarray(row[:, :n])
            for row, n in zip(arr, lengths.tolist())]


def series_from_task_input(X_t, task):
    """Convert one task's input into a list of float64 arrays of shape ``(C, L_i)``.

    Parameters
    ----------
    X_t : array-like
        ``(n, L)`` univariate or ``(n, C, L)`` multivariate array, NaN-padded or not,
        or a list of 1D ``(L_i,)`` or 2D ``(C, L_i)`` arrays of varying length.
    task : hashable
        The task id, used in error messages.

    Returns
    -------
    series : list of ndarray of shape (C, L_i)
        One array per series, trailing all-NaN time steps removed.
    univariate : bool
        True when the task was given without a channel axis, so that it can be given
        back in the same form.

    Raises
    ------
    ValueError, TypeError
        On empty tasks, empty or all-NaN series, inf, non-numeric values, arrays of
        four or more dimensions and channel counts that differ within the task.
    """
    if isinstance(X_t, (str, bytes)) or isinstance(X_t, numbers.Number) or X_t is None:
        raise TypeError(
            f"{_task_label(task)}: expected an array of series or a list of series, "
            f"got {type(X_t).__name__}."
        )
    if isinstance(X_t, Iterator):
        raise TypeError(
            f"{_task_label(task)}: got a {type(X_t).__name__}, which can be read only "
            "once; pass a list or an array of series (list(...) of it)."
        )
    if isinstance(X_t, (list, tuple)):
        raw = list(X_t)
        if not raw:
            raise ValueError(f"{_task_label(task)}: the task holds no series.")
        series = []
        univariate = None
        for i, s in enumerate(raw):
            arr = _as_float(s, task, f"series {i}")
            if arr.ndim == 1:
                arr_univariate = True
                arr = arr[np.newaxis, :]
            elif arr.ndim == 2:
                arr_univariate = False
            else:
                raise ValueError(
                    f"{_task_label(task)}: series {i} has {arr.ndim} dimensions; a series "
                    "in a list must be 1D (L,) or 2D (C, L)."
                )
            if univariate is None:
                univariate = arr_univariate
            series.append(arr)
    else:
        arr = _as_float(X_t, task, "X")
        if arr.ndim == 2:
            univariate = True
            arr = arr[:, np.newaxis, :]
        elif arr.ndim == 3:
            univariate = False
        elif arr.ndim >= 4:
            raise ValueError(
                f"{_task_label(task)}: X has {arr.ndim} dimensions; expected (n, L) or "
                "(n, C, L)."
            )
        else:
            raise ValueError(
                f"{_task_label(task)}: X has {arr.ndim} dimension(s); expected (n, L) "
                "or (n, C, L). Reshape your data: a single series is (1, L)."
            )
        if arr.shape[0] == 0:
            raise ValueError(f"{_task_label(task)}: the task holds no series.")
        return _series_from_array(arr, task), univariate

    out = []
    n_channels = series[0].shape[0]
    for i, s in enumerate(series):
        if s.shape[0] != n_channels:
            raise ValueError(
                f"{_task_label(task)}: series {i} has {s.shape[0]} channels but series 0 "
                f"has {n_channels}; channel counts must agree within a task."
            )
        if s.shape[0] == 0:
            raise ValueError(f"{_task_label(task)}: series {i} has no channels.")
        _check_values(s, task, i)
        s = strip_trailing_nan(s)
        if s.shape[1] == 0:
            raise ValueError(
                f"{_task_label(task)}: series {i} is empty or all NaN."
            )
        out.append(np.ascontiguousarray(s))
    return out, bool(univariate)


def pad_series(series, length=None, fill_value=np.nan, dtype=np.float64):
    """Stack series of varying length into one ``(n, C, L)`` array.

    Parameters
    ----------
    series : list of ndarray of shape (C, L_i)
        Series with a common channel count.
    length : int, default=None
        Output length; None uses the longest series. Longer series are truncated.
    fill_value : float, default=nan
        Value for the padded tail.
    dtype : numpy dtype, default=float64
        Output dtype.

    Returns
    -------
    ndarray of shape (n, C, length)
    """
    if not series:
        raise ValueError("pad_series needs at least one series.")
    n_channels = series[0].shape[0]
    if length is None:
        length = max(s.shape[1] for s in series)
    out = np.full((len(series), n_channels, length), fill_value, dtype=dtype)
    for i, s in enumerate(series):
        n = min(length, s.shape[1])
        out[i, :, :n] = s[:, :n]
    return out
