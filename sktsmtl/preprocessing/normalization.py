"""Per-series z-normalisation."""

import numpy as np

from .base import SeriesTransformer

__all__ = ["ZNormalizer"]

# A series whose standard deviation is below this many ulps of its mean's magnitude
# (and of 1) is taken as constant.
_CONSTANT_ULPS = 10


def _z_normalise(values):
    """Z-normalise a block of values ignoring NaN; NaN stay NaN."""
    observed = ~np.isnan(values)
    if not observed.any():
        return values.copy()
    mean = values[observed].mean()
    std = values[observed].std()
    if std <= _CONSTANT_ULPS * np.finfo(np.float64).eps * max(1.0, abs(mean)):
        return np.where(observed, 0.0, np.nan)
    return (values - mean) / std


class ZNormalizer(SeriesTransformer):
    """Z-normalise every series: zero mean and unit standard deviation.

    Each series is normalised by its own mean and (population) standard deviation,
    channel by channel or over all its channels. NaN (missing values or the padding of
    shorter series) are ignored by the statistics and stay NaN. A constant series (or
    channel) has no scale and becomes zeros; so does a series whose standard deviation
    is negligible, below ``10 * eps * max(1, |mean|)``.

    The transformer is stateless apart from the tasks and channel counts recorded at
    fit, which ``transform`` checks.

    Parameters
    ----------
    per_channel : bool, default=True
        True: every channel of a series gets its own mean and standard deviation.
        False: one mean and standard deviation over all channels of the series.

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
    MissingValueImputer : filling of missing values.
    Resampler : resampling of every series to a common length.

    Notes
    -----
    ``X`` may be a dict ``{task: X_t}``, a :class:`~sktsmtl.data.TaskPanel`, an
    ``(n, L)`` or ``(n, C, L)`` array or a list of 1D/2D series; the output has the
    same form. A plain 2D array is one task whose time steps are the features, so, as
    for any scikit-learn transformer, ``transform`` needs the ``n_features_in_`` seen at
    fit; pass a list of series or a dict to transform series of other lengths.

    Examples
    --------
    >>> import numpy as np
    >>> from sktsmtl.preprocessing import ZNormalizer
    >>> X = np.array([[1.0, 2.0, 3.0], [5.0, 5.0, 5.0], [0.0, 2.0, np.nan]])
    >>> ZNormalizer().fit_transform(X)
    array([[-1.22474487,  0.        ,  1.22474487],
           [ 0.        ,  0.        ,  0.        ],
           [-1.        ,  1.        ,         nan]])
    """

    _parameter_constraints = {"per_channel": ["boolean"]}

    def __init__(self, per_channel=True):
        self.per_channel = per_channel

    def _transform_series(self, series, task, index):
        if not self.per_channel:
            return _z_normalise(series)
        return np.vstack([_z_normalise(channel) for channel in series])
