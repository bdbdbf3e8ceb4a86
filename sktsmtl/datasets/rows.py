"""Small array helpers shared by the readers, loaders and split helpers (private)."""

import math

import numpy as np

__all__ = ["parse_labels", "stack_padded", "take_rows", "concat_rows", "n_rows"]


def parse_labels(raw):
    """Turn label strings into an int64 array when all are integral, else a str array.

    ``"-1"``, ``"1"``, ``"2.0"`` and ``"1.0000000e+00"`` become ints; anything else
    (``"Standing"``, ``"0.5"``, ``"nan"``) keeps every label as a string.
    """
    raw = [str(v).strip() for v in raw]
    values = []
    for text in raw:
        try:
            value = float(text)
        except ValueError:
            return np.asarray(raw, dtype=str)
        if not math.isfinite(value) or value != int(value):
            return np.asarray(raw, dtype=str)
        values.append(int(value))
    return np.asarray(values, dtype=np.int64)


def stack_padded(rows, width=None):
    """Stack arrays that differ only in their last axis, NaN-padding that axis.

    Parameters
    ----------
    rows : list of ndarray of shape (L_i,) or (C, L_i)
    width : int, default=None
        Output length; None uses the longest row.
    """
    if not rows:
        raise ValueError("nothing to stack: no series were read.")
    lead = rows[0].shape[:-1]
    if width is None:
        width = max(r.shape[-1] for r in rows)
    out = np.full((len(rows),) + lead + (width,), np.nan, dtype=np.float64)
    for i, r in enumerate(rows):
        out[i, ..., : r.shape[-1]] = r
    return out


def n_rows(X):
    """Number of series in an array or list of series.

    Parameters
    ----------
    X : ndarray or list of series

    Returns
    -------
    int

    Examples
    --------
    >>> import numpy as np
    >>> from sktsmtl.datasets import n_rows
    >>> n_rows(np.zeros((3, 10))), n_rows([np.zeros(4), np.zeros(6)])
    (3, 2)
    """
    return X.shape[0] if isinstance(X, np.ndarray) else len(X)


def take_rows(X, idx):
    """Rows ``idx`` of an array (same type back) or of a list of series (list back)."""
    idx = np.asarray(idx, dtype=np.intp)
    if isinstance(X, np.ndarray):
        return X[idx]
    if isinstance(X, tuple):
        X = list(X)
    if isinstance(X, list):
        return [X[i] for i in idx]
    return np.asarray(X)[idx]


def concat_rows(a, b):
    """Concatenate two tasks' series: arrays are NaN-padded to the wider one.

    Parameters
    ----------
    a, b : ndarray or list of series
        Arrays must have the same channel axes.

    Returns
    -------
    ndarray or list
        An array when both are arrays, else a list of series.

    Examples
    --------
    >>> import numpy as np
    >>> from sktsmtl.datasets import concat_rows
    >>> concat_rows(np.ones((1, 2)), np.zeros((1, 3)))
    array([[ 1.,  1., nan],
           [ 0.,  0.,  0.]])
    """
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        if a.ndim != b.ndim or a.shape[1:-1] != b.shape[1:-1]:
            raise ValueError(
                f"cannot concatenate series of shapes {a.shape} and {b.shape}: their "
                "channel axes differ."
            )
        width = max(a.shape[-1], b.shape[-1])
        return np.concatenate([_pad_last(a, width), _pad_last(b, width)], axis=0)
    return list(a) + list(b)


def _pad_last(X, width):
    if X.shape[-1] == width:
        return X.astype(np.float64, copy=False)
    out = np.full(X.shape[:-1] + (width,), np.nan, dtype=np.float64)
    out[..., : X.shape[-1]] = X
    return out
