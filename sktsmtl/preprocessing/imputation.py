"""Filling of missing values (NaN) inside the observed length of every series."""

import numpy as np
from sklearn.utils._param_validation import StrOptions

from .base import SeriesTransformer

__all__ = ["MissingValueImputer"]

_METHODS = ("linear", "zero")


class MissingValueImputer(SeriesTransformer):
    """Fill missing values of every series, channel by channel, keeping padding.

    A series' *observed length* ends at its last time step where some channel is not
    NaN. NaN after it is padding of a series shorter than its neighbours (the UCR
    format) and is kept as is: the output has the length and padding of the input.
    NaN inside the observed length are missing values and are filled:

    - ``method="linear"``: linear interpolation between the nearest observed values of
      the channel; missing values before the first or after the last observed value of
      the channel are filled with that nearest observed value.
    - ``method="zero"``: missing values become 0.

    The transformer is stateless apart from the tasks and channel counts recorded at
    fit, which ``transform`` checks.

    Parameters
    ----------
    method : {"linear", "zero"}, default="linear"
        How to fill missing values.

    Attributes
    ----------
    tasks_ : list
        Tasks seen at fit, in order of first appearance.
    n_channels_ : dict
        ``{task: C}``: channel count of every task seen at fit.
    n_features_in_ : int
        Number of time steps, only when fitted on a plain 2D array.
    feature_names_in_ : ndarray of str
        Column names, only when fitted on a 2D array-like with string column names.

    See Also
    --------
    ZNormalizer : per-series z-normalisation.
    Resampler : resampling of every series to a common length.

    Notes
    -----
    ``X`` may be a dict ``{task: X_t}``, a :class:`~sktsmtl.data.TaskPanel`, an
    ``(n, L)`` or ``(n, C, L)`` array or a list of 1D/2D series; the output has the
    same form. A plain 2D array is one task whose time steps are the features, so, as
    for any scikit-learn transformer, ``transform`` needs the ``n_features_in_`` seen at
    fit; pass a list of series or a dict to transform series of other lengths.

    A channel with no observed value in a series cannot be interpolated: with
    ``method="linear"`` it raises a ``ValueError`` naming the task and the series.

    Examples
    --------
    >>> import numpy as np
    >>> from sktsmtl.preprocessing import MissingValueImputer
    >>> X = np.array([[1.0, np.nan, 3.0, np.nan, np.nan],
    ...               [np.nan, 2.0, np.nan, 6.0, 8.0]])
    >>> MissingValueImputer().fit_transform(X)
    array([[ 1.,  2.,  3., nan, nan],
           [ 2.,  2.,  4.,  6.,  8.]])
    >>> tasks_X = {"a": X, "b": [np.array([0.0, np.nan, 1.0])]}
    >>> MissingValueImputer().fit_transform(tasks_X)["b"]
    [array([0. , 0.5, 1. ])]
    """

    _parameter_constraints = {"method": [StrOptions(set(_METHODS))]}

    def __init__(self, method="linear"):
        self.method = method

    def _transform_series(self, series, task, index):
        if self.method == "zero":
            return np.where(np.isnan(series), 0.0, series)
        return interpolate_missing(series, task, index)


def interpolate_missing(series, task=None, index=None):
    """Fill the NaN of one series by linear interpolation, channel by channel.

    Missing values before the first or after the last observed value take the nearest
    observed value.

    Parameters
    ----------
    series : ndarray of shape (C, L)
        One series (trailing padding already removed).
    task : hashable, default=None
        Task id, for the error message.
    index : int, default=None
        Position of the series, for the error message.

    Returns
    -------
    ndarray of shape (C, L)
        A copy without NaN.

    Raises
    ------
    ValueError
        When a channel has no observed value.

    Examples
    --------
    >>> import numpy as np
    >>> from sktsmtl.preprocessing import interpolate_missing
    >>> interpolate_missing(np.array([[np.nan, 1.0, np.nan, 3.0]]))
    array([[1., 1., 2., 3.]])
    """
    out = np.array(series, dtype=np.float64, copy=True)
    missing = np.isnan(out)
    if not missing.any():
        return out
    steps = np.arange(out.shape[1])
    for c in range(out.shape[0]):
        miss = missing[c]
        if not miss.any():
            continue
        if miss.all():
            where = f"task {task!r}: " if task is not None else ""
            raise ValueError(
                f"{where}series {index}, channel {c} has no observed value to "
                "interpolate from."
            )
        observed = ~miss
        out[c, miss] = np.interp(steps[miss], steps[observed], out[c, observed])
    return out
