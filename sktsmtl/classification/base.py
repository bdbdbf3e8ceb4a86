"""Behaviour shared by the multi-task classifiers: input modes and scoring over tasks."""

from collections import OrderedDict

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.metrics import accuracy_score
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from ..data import TaskLabels, TaskPanel, check_not_iterator, check_task_data

__all__ = ["MultiTaskClassifierMixin", "is_multitask_input"]


def is_multitask_input(X):
    """True for a dict of tasks or a ``TaskPanel``; False for one task's array or list."""
    return type(X) in (dict, OrderedDict) or isinstance(X, TaskPanel)


class MultiTaskClassifierMixin(ClassifierMixin):
    """Mixin giving multi-task classifiers their two input modes and the papers' score.

    Multi-task input (a dict of tasks or a ``TaskPanel``) is validated by
    :mod:`sktsmtl.data`. One task's plain array goes first through scikit-learn's own
    ``validate_data``, so that the single-array mode follows scikit-learn's conventions
    to the message (sparse, complex, empty input, ``n_features_in_``); a list of series
    of varying length is one task too and skips it.

    ``score`` is the mean over tasks of per-task accuracy (each task counts once,
    whatever its size); ``score_tasks`` gives the per-task figures. On one task's
    array it is ordinary accuracy.
    """

    def _forget_single_array_attributes(self):
        # set by validate_data for one task's array only: a later fit on a dict of
        # tasks (or a list of series) must not keep the previous fit's values
        for attr in ("n_features_in_", "feature_names_in_"):
            if attr in vars(self):
                delattr(self, attr)

    def _validate_single_array(self, X, y=None, reset=True):
        check_not_iterator(X, "X")
        check_not_iterator(y, "y")
        if type(y) in (dict, OrderedDict) or isinstance(y, TaskLabels):
            raise TypeError(
                f"y is a {type(y).__name__} of tasks but X is one task's "
                f"{type(X).__name__}; give X in the same form: a dict {{task: X_t}} with "
                "the tasks of y, or a TaskPanel."
            )
        if type(X) in (list, tuple) and len({np.shape(s) for s in X}) != 1:
            return X, y  # series of different lengths: one task's list, not an array
        kwargs = dict(reset=reset, ensure_all_finite="allow-nan", allow_nd=True,
                      dtype=np.float64)
        if not reset:
            return validate_data(self, X, **kwargs), None
        X, y = validate_data(self, X, y, **kwargs)
        check_classification_targets(y)
        return X, y

    def score_tasks(self, X, y):
        """Accuracy of every task.

        Parameters
        ----------
        X : dict, TaskPanel, array-like or list
            Series of any accepted form.
        y : dict, TaskLabels or array-like
            True labels in the matching form.

        Returns
        -------
        dict
            ``{task: accuracy}``; after a fit on label columns, each task's accuracy
            on the series that have its label.
        """
        if getattr(self, "_shared_input", None):
            return self._shared_score_tasks(X, y)
        panel, labels, _ = check_task_data(X, y)
        pred = self.predict(panel)
        scores = {}
        for task in panel.tasks:
            rows = panel.rows_of(task)
            hits = [a == b for a, b in zip(labels.labels[rows], pred.labels[rows])]
            scores[task] = float(np.mean(hits))
        return scores

    def score(self, X, y, sample_weight=None):
        """Mean over tasks of per-task accuracy.

        Parameters
        ----------
        X : dict, TaskPanel, array-like or list
            Series of any accepted form.
        y : dict, TaskLabels or array-like
            True labels in the matching form.
        sample_weight : array-like of shape (n_samples,), default=None
            Only for one task's array: weighted accuracy.

        Returns
        -------
        float
        """
        if getattr(self, "_shared_input", None):  # tasks over one X: per-task mean
            if sample_weight is not None:
                raise ValueError("sample_weight is not supported for label columns.")
            return float(np.mean(list(self._shared_score_tasks(X, y).values())))
        if not is_multitask_input(X):
            return float(accuracy_score(y, self.predict(X), sample_weight=sample_weight))
        if sample_weight is not None:
            raise ValueError("sample_weight is supported for one task's array input only.")
        scores = self.score_tasks(X, y)
        return float(np.mean(list(scores.values())))
