"""k-nearest-neighbour classification under dynamic time warping (1NN-DTW)."""

import numbers
from collections import OrderedDict

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils._param_validation import Interval
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ..data import TaskPanel, check_not_iterator
from ..distances import (
    check_collection,
    check_window,
    nearest_packed,
    pack_series,
    pairwise_packed,
    resolve_n_jobs,
)
from ..preprocessing import interpolate_missing

__all__ = ["KNeighborsDTWClassifier"]


def _is_ragged_list(X):
    """True for a list/tuple of series that numpy cannot stack into one array."""
    if not isinstance(X, (list, tuple)) or len(X) == 0:
        return False
    try:
        shapes = {np.shape(s) for s in X}
    except ValueError:  # an inhomogeneous nested list
        return True
    return len(shapes) > 1


class KNeighborsDTWClassifier(ClassifierMixin, BaseEstimator):
    """k-nearest-neighbour classifier with the exact DTW distance (1NN-DTW by default).

    Series may be univariate or multivariate and of varying length. Distances are the
    sum of squared differences along the best warping path (see
    :mod:`sktsmtl.distances`); the neighbour order is the same for the square root.

    With ``n_neighbors=1`` the search is pruned without changing the result:
    references are visited in increasing order of a lower bound (LB_Kim and LB_Keogh),
    skipped when a bound (LB_Keogh in both directions where lengths agree) exceeds the
    best distance so far, and the remaining DTWs abandon early once a row of the
    dynamic programme exceeds it. Predictions are identical to a brute-force search
    (ties go to the training series that comes first). ``pruning_stats_`` tells how
    much work was avoided. With ``n_neighbors > 1`` all distances are computed in
    parallel and the neighbours vote.

    Parameters
    ----------
    n_neighbors : int, default=1
        Number of neighbours that vote. A tie between classes goes to the tied class
        whose member is nearest.
    window : float or None, default=None
        Sakoe-Chiba band as a fraction of the series length in ``[0, 1]`` (radius
        ``ceil(window * max(L_a, L_b))``, at least ``|L_a - L_b|``); None is
        unconstrained.
    n_jobs : int or None, default=None
        Number of numba threads used by ``predict`` (None or -1: all cores).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Width of the 2D ``(n, L)`` array given to ``fit`` (not set for 3D arrays or
        lists). As for any scikit-learn estimator, a 2D array given to ``predict``
        must then have this many columns (shorter series NaN-padded); series of other
        lengths are classified when given as a list of series.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Column names, when ``fit`` receives a DataFrame with string column names.
    n_channels_ : int
        Number of channels of the training series.
    n_samples_fit_ : int
        Number of training series.
    pruning_stats_ : dict
        Work done by the last ``predict``/``predict_proba`` call, updated in place:
        ``n_pairs`` (queries x training series), ``n_pruned`` (pairs skipped by a lower
        bound), ``n_abandoned`` (DTWs stopped early) and ``n_dtw_computed`` (DTWs run to
        the end); the last three sum to ``n_pairs``.

    Notes
    -----
    Accepted inputs: ``(n, L)`` and ``(n, C, L)`` arrays, where trailing NaN (every
    channel NaN) are padding and give shorter series, and lists of 1D ``(L_i,)`` or 2D
    ``(C, L_i)`` arrays. NaN inside a series are missing values: they are filled by
    linear interpolation between the neighbouring observed values of the channel (the
    nearest observed value at the edges) before DTW. Infinite values raise a
    ``ValueError``.

    Examples
    --------
    >>> import numpy as np
    >>> from sktsmtl.classification import KNeighborsDTWClassifier
    >>> t = np.linspace(0, 2 * np.pi, 40)
    >>> X = np.array([np.sin(t + s) for s in (0.0, 0.2, 0.4)]
    ...              + [np.sign(np.sin(t + s)) for s in (0.0, 0.2, 0.4)])
    >>> y = np.array(["sine"] * 3 + ["square"] * 3)
    >>> clf = KNeighborsDTWClassifier(window=0.1).fit(X, y)
    >>> clf.predict([np.sin(t[:30] + 0.3), np.sign(np.sin(t + 0.1))])
    array(['sine', 'square'], dtype='<U6')
    >>> sorted(clf.pruning_stats_)
    ['n_abandoned', 'n_dtw_computed', 'n_pairs', 'n_pruned']
    """

    _parameter_constraints = {
        "n_neighbors": [Interval(numbers.Integral, 1, None, closed="left")],
        "window": [Interval(numbers.Real, 0, 1, closed="both"), None],
        "n_jobs": [numbers.Integral, None],
    }

    def __init__(self, n_neighbors=1, window=None, n_jobs=None):
        self.n_neighbors = n_neighbors
        self.window = window
        self.n_jobs = n_jobs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # trailing NaN mark shorter series, interior NaN are interpolated
        tags.input_tags.allow_nan = True
        return tags

    # -- input handling ------------------------------------------------------------
    def _series_from_input(self, X, fit, y=None):
        """Validate ``X`` (and ``y`` at fit); return (list of (C, L_i) series, y)."""
        if type(X) in (dict, OrderedDict) or isinstance(X, TaskPanel):
            raise TypeError(
                f"{type(self).__name__} classifies the series of one task; X is a "
                f"{type(X).__name__} of tasks. Wrap it for several tasks: "
                f"PerTaskClassifier({type(self).__name__}()) fits one per task."
            )
        check_not_iterator(X, "X")
        check_not_iterator(y, "y")
        if _is_ragged_list(X):
            if fit:
                y = validate_data(self, y=y)
                for attr in ("n_features_in_", "feature_names_in_"):
                    if hasattr(self, attr):
                        delattr(self, attr)
            series, _ = check_collection(X, "X", allow_missing=True)
        else:
            params = dict(
                ensure_2d=False,
                allow_nd=True,
                dtype=np.float64,
                ensure_all_finite="allow-nan",
            )
            if fit:
                X, y = validate_data(self, X, y, **params)
            else:
                X = validate_data(self, X, reset=False, **params)
            if X.ndim == 1:
                raise ValueError(
                    "X is 1D; expected a 2D array (n_series, length), a 3D array "
                    "(n_series, n_channels, length) or a list of series. Reshape your "
                    "data with X.reshape(1, -1) if it holds a single series."
                )
            if X.ndim > 3:
                raise ValueError(
                    f"X has {X.ndim} dimensions; expected (n_series, length) or "
                    "(n_series, n_channels, length)."
                )
            if fit:
                if X.ndim == 2:
                    self.n_features_in_ = X.shape[1]
                elif hasattr(self, "n_features_in_"):
                    del self.n_features_in_
            elif X.ndim == 2 and getattr(self, "n_features_in_", X.shape[1]) != X.shape[1]:
                raise ValueError(
                    f"X has {X.shape[1]} features, but {type(self).__name__} is expecting "
                    f"{self.n_features_in_} features as input (it was fitted on a 2D "
                    "array of that width). To classify series of other lengths, pass a "
                    "list of series or NaN-pad them to that width."
                )
            series, _ = check_collection(X, "X", allow_missing=True)
        series = [interpolate_missing(s, index=i) for i, s in enumerate(series)]
        if not fit and series[0].shape[0] != self.n_channels_:
            raise ValueError(
                f"X has {series[0].shape[0]} channels but {type(self).__name__} was "
                f"fitted on series with {self.n_channels_}."
            )
        return series, y

    def _check_params(self):
        resolve_n_jobs(self.n_jobs)  # n_jobs=0 means nothing
        return check_window(self.window)

    # -- sklearn API ---------------------------------------------------------------
    def fit(self, X, y):
        """Store the training series.

        Parameters
        ----------
        X : array-like of shape (n_series, L) or (n_series, C, L), or list of arrays
            Training series; NaN-padded arrays and lists of 1D/2D arrays of varying
            length are accepted.
        y : array-like of shape (n_series,)
            Class labels.

        Returns
        -------
        self : KNeighborsDTWClassifier
            The fitted classifier.

        Examples
        --------
        >>> import numpy as np
        >>> from sktsmtl.classification import KNeighborsDTWClassifier
        >>> X = [np.array([0.0, 1.0, 0.0]), np.array([5.0, 6.0, 5.0, 6.0])]
        >>> clf = KNeighborsDTWClassifier().fit(X, ["low", "high"])
        >>> clf.classes_
        array(['high', 'low'], dtype='<U4')
        """
        self._validate_params()
        self._check_params()
        series, y = self._series_from_input(X, fit=True, y=y)
        y = np.asarray(y)
        check_classification_targets(y)
        if len(y) != len(series):
            raise ValueError(f"X has {len(series)} series but y has {len(y)} labels.")
        if self.n_neighbors > len(series):
            raise ValueError(
                f"n_neighbors={self.n_neighbors} is larger than the {len(series)} "
                "training series."
            )
        self.classes_, self._y_encoded = np.unique(y, return_inverse=True)
        self._y_encoded = self._y_encoded.ravel()
        self._fit_pack = pack_series(series)
        self.n_channels_ = int(series[0].shape[0])
        self.n_samples_fit_ = len(series)
        self.pruning_stats_ = {
            "n_pairs": 0, "n_pruned": 0, "n_abandoned": 0, "n_dtw_computed": 0,
        }
        return self

    def _neighbours(self, X):
        """Indices (n, k) of the nearest training series, nearest first."""
        check_is_fitted(self)
        window = self._check_params()
        series, _ = self._series_from_input(X, fit=False)
        queries = pack_series(series)
        if self.n_neighbors == 1:
            idx, _, stats = nearest_packed(queries, self._fit_pack, window, self.n_jobs)
            neighbours = idx[:, np.newaxis]
        else:
            D = pairwise_packed(queries, self._fit_pack, window, self.n_jobs)
            neighbours = np.argsort(D, axis=1, kind="stable")[:, : self.n_neighbors]
            n_pairs = D.size
            stats = {"n_pairs": n_pairs, "n_pruned": 0, "n_abandoned": 0,
                     "n_dtw_computed": n_pairs}
        # updated in place: predict must not rebind the estimator's attributes
        self.pruning_stats_.update(stats)
        return neighbours

    def _votes(self, neighbours):
        labels = self._y_encoded[neighbours]
        counts = np.zeros((len(labels), len(self.classes_)), dtype=np.int64)
        rows = np.repeat(np.arange(len(labels)), labels.shape[1])
        np.add.at(counts, (rows, labels.ravel()), 1)
        return labels, counts

    def predict(self, X):
        """Predict the class of each series.

        Parameters
        ----------
        X : array-like of shape (n_series, L) or (n_series, C, L), or list of arrays
            Series to classify; lengths may differ from the training series.

        Returns
        -------
        ndarray of shape (n_series,)
            Predicted labels.

        Examples
        --------
        >>> import numpy as np
        >>> from sktsmtl.classification import KNeighborsDTWClassifier
        >>> X = np.array([[0.0, 1.0, 0.0, 1.0], [5.0, 6.0, 5.0, 6.0]])
        >>> clf = KNeighborsDTWClassifier(window=0.5).fit(X, [0, 1])
        >>> clf.predict([[0.0, 0.0, 1.0, 1.0], [6.0, 6.0, 5.0, 5.0]])
        array([0, 1])
        >>> clf.pruning_stats_["n_pairs"]
        4
        """
        neighbours = self._neighbours(X)
        labels, counts = self._votes(neighbours)
        winners = counts == counts.max(axis=1, keepdims=True)
        # the first neighbour (nearest first) whose class is among the most voted
        is_winner = np.take_along_axis(winners, labels, axis=1)
        first = np.argmax(is_winner, axis=1)
        return self.classes_[labels[np.arange(len(labels)), first]]

    def predict_proba(self, X):
        """Fraction of the ``n_neighbors`` nearest training series in each class.

        Parameters
        ----------
        X : array-like of shape (n_series, L) or (n_series, C, L), or list of arrays
            Series to classify.

        Returns
        -------
        ndarray of shape (n_series, n_classes)
            Columns in the order of ``classes_``.

        Examples
        --------
        >>> import numpy as np
        >>> from sktsmtl.classification import KNeighborsDTWClassifier
        >>> X = np.array([[0.0, 1.0], [0.0, 2.0], [5.0, 6.0], [5.0, 7.0]])
        >>> clf = KNeighborsDTWClassifier(n_neighbors=3).fit(X, ["a", "a", "b", "b"])
        >>> clf.predict_proba([[0.0, 1.5]])
        array([[0.66666667, 0.33333333]])
        """
        _, counts = self._votes(self._neighbours(X))
        return counts / float(self.n_neighbors)
