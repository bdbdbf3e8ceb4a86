"""Resampling of every series to a common length by linear interpolation."""

import numbers

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from .base import SeriesTransformer

__all__ = ["Resampler"]

_RULES = ("max", "min")


def _resample(series, length, task, index):
    """Linearly interpolate a ``(C, L)`` series onto ``length`` evenly spaced points.

    The first and last time steps map onto the first and last output points. NaN are
    skipped: the interpolation runs through the observed values of each channel.
    """
    n_steps = series.shape[1]
    old_grid = np.linspace(0.0, 1.0, n_steps)
    new_grid = np.linspace(0.0, 1.0, length)
    out = np.empty((series.shape[0], length))
    for c, channel in enumerate(series):
        observed = ~np.isnan(channel)
        if not observed.any():
            raise ValueError(
                f"task {task!r}: series {index}, channel {c} has no observed value to "
                "resample."
            )
        out[c] = np.interp(new_grid, old_grid[observed], channel[observed])
    return out


class Resampler(SeriesTransformer):
    """Resample every series to a common length by linear interpolation.

    The observed part of each series (trailing NaN padding removed) is stretched or
    shrunk onto ``length`` evenly spaced time steps, its first and last values kept at
    the ends. Missing values (NaN) inside a series are skipped: the interpolation runs
    through the observed values of each channel, which is the same as imputing them
    with :class:`MissingValueImputer` first. The output has no NaN; for array input it
    is a regular array without padding.

    Parameters
    ----------
    length : int, {"max", "min"} or None, default=None
        Output length. An int is one length for every task. ``"max"`` (or None) and
        ``"min"`` are decided at fit per task: the longest, or the shortest, observed
        length among the task's series. Tasks may then get different lengths; pass an
        int for one length across tasks.

    Attributes
    ----------
    length_ : dict
        ``{task: int}``: the output length of every task seen at fit.
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
    MissingValueImputer : filling of missing values.
    ZNormalizer : per-series z-normalisation.

    Notes
    -----
    ``X`` may be a dict ``{task: X_t}``, a :class:`~sktsmtl.data.TaskPanel`, an
    ``(n, L)`` or ``(n, C, L)`` array or a list of 1D/2D series; the output has the
    same form. A plain 2D array is one task whose time steps are the features, so, as
    for any scikit-learn transformer, ``transform`` needs the ``n_features_in_`` seen at
    fit; pass a list of series or a dict to resample series of other lengths.

    A channel with no observed value in a series cannot be resampled and raises a
    ``ValueError`` naming the task and the series.

    Examples
    --------
    >>> import numpy as np
    >>> from sktsmtl.preprocessing import Resampler
    >>> X = [np.array([0.0, 2.0, 4.0]), np.array([1.0, 2.0, 3.0, 4.0, 5.0])]
    >>> Resampler(length=5).fit_transform(X)
    [array([0., 1., 2., 3., 4.]), array([1., 2., 3., 4., 5.])]
    >>> Resampler().fit({"a": X, "b": np.zeros((2, 7))}).length_
    {'a': 5, 'b': 7}
    """

    _keeps_length = False

    _parameter_constraints = {
        "length": [Interval(numbers.Integral, 1, None, closed="left"),
                   StrOptions(set(_RULES)), None],
    }

    def __init__(self, length=None):
        self.length = length

    def _check_params(self):
        if isinstance(self.length, (bool, np.bool_)):  # an int to Python, not a length
            raise ValueError(f"The 'length' parameter of Resampler must be a positive int, "
                             f"'max', 'min' or None. Got {self.length!r} instead.")

    def _fit_panel(self, panel):
        lengths = panel.lengths()
        rule = "max" if self.length is None else self.length
        self.length_ = {}
        for task in panel.tasks:
            if isinstance(rule, str):
                task_lengths = lengths[panel.rows_of(task)]
                chosen = task_lengths.max() if rule == "max" else task_lengths.min()
            else:
                chosen = rule
            self.length_[task] = int(chosen)

    def _transform_series(self, series, task, index):
        return _resample(series, self.length_[task], task, index)
