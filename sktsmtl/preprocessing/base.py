"""Shared machinery of the series-by-series transformers of this subpackage.

A subclass says how one series is transformed (:meth:`_transform_series`) and, if it
needs any, what it learns per task at fit (:meth:`_fit_panel`). The base class validates
every input form, keeps scikit-learn's feature-count contract for plain 2D arrays and
gives the output back in the form of the input.
"""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from sktsmtl.data import SINGLE_TASK, TaskPanel

from ._forms import read_input

__all__ = ["SeriesTransformer"]


def _array_ndim(X):
    """Dimensions of X when it is one task given as an array-like, else None."""
    if isinstance(X, (dict, list, tuple, TaskPanel)) or not hasattr(X, "__array__"):
        return None
    return np.asarray(X).ndim


class SeriesTransformer(TransformerMixin, BaseEstimator):
    """Base class of the task-aware series transformers (public so that other layers
    derive from it by name; it transforms nothing itself).

    Subclasses set ``_keeps_length`` (whether an output series keeps the length, and the
    trailing NaN padding, of its input series) and implement ``_transform_series``.
    """

    _keeps_length = True
    #: scikit-learn's parameter constraints (checked by ``fit``).
    _parameter_constraints: dict = {}

    # -- to implement ----------------------------------------------------------------
    def _check_params(self):
        """Checks beyond ``_parameter_constraints`` (called by fit after them)."""

    def _fit_panel(self, panel):
        """Learn whatever the transformer needs from the validated panel."""

    def _transform_series(self, series, task, index):
        """Transform one ``(C, L)`` series (padding removed) of ``task``."""
        raise NotImplementedError

    # -- sklearn API -----------------------------------------------------------------
    def fit(self, X, y=None):
        """Validate ``X`` and record its tasks and channel counts.

        Parameters
        ----------
        X : dict, TaskPanel, array-like or list
            ``{task: X_t}``, a ``TaskPanel``, an ``(n, L)`` or ``(n, C, L)`` array
            (NaN-padded or not) or a list of 1D/2D series of varying length.
        y : None
            Ignored; present for API consistency (labels of any form are accepted).

        Returns
        -------
        self : object
            The fitted transformer.
        """
        self._validate_params()
        self._check_params()
        for attr in ("n_features_in_", "feature_names_in_"):
            if hasattr(self, attr):
                delattr(self, attr)
        panel, _ = self._read(X, reset=True)
        self.tasks_ = panel.tasks
        self.n_channels_ = panel.n_channels()
        self._fit_panel(panel)
        return self

    def transform(self, X):
        """Transform every series of ``X`` and return the result in the form of ``X``.

        Parameters
        ----------
        X : dict, TaskPanel, array-like or list
            Input of any form accepted by :meth:`fit`, with tasks seen at fit and their
            channel counts.

        Returns
        -------
        X_new : dict, TaskPanel, ndarray or list
            Of the same form as ``X``: a dict of per-task arrays (or lists) for a dict,
            a ``TaskPanel`` for a ``TaskPanel``, an array for an array, a list for a
            list.
        """
        check_is_fitted(self)
        panel, form = self._read(X, reset=False)
        out = [None] * len(panel)
        for task in panel.tasks:
            for index, row in enumerate(panel.rows_of(task)):
                out[row] = self._transform_series(panel.series[row], task, index)
        return form.restore(out, keep_length=self._keeps_length)

    def _read(self, X, reset):
        ndim = _array_ndim(X)
        if ndim is not None and ndim < 2:
            raise ValueError(
                f"task {SINGLE_TASK!r}: X has {ndim} dimension(s); expected (n, L) or "
                "(n, C, L). Reshape your data: X.reshape(1, -1) for a single series."
            )
        if ndim == 2:
            # scikit-learn's single-array mode: one task, features = time steps.
            try:
                X = validate_data(
                    self, X, reset=reset, dtype=np.float64, ensure_all_finite="allow-nan"
                )
            except TypeError as exc:
                raise TypeError(f"task {SINGLE_TASK!r}: {exc}") from exc
            except ValueError as exc:
                raise ValueError(f"task {SINGLE_TASK!r}: {exc}") from exc
        if reset:
            return read_input(X)
        return read_input(X, tasks=self.tasks_, n_channels=self.n_channels_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.dict = True
        tags.input_tags.allow_nan = True
        return tags
