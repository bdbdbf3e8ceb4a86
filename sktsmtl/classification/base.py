"""Behaviour shared by the multi-task classifiers: scoring over tasks."""

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.metrics import accuracy_score

from ..data import check_task_data

__all__ = ["MultiTaskClassifierMixin"]


class MultiTaskClassifierMixin(ClassifierMixin):
    """Mixin giving multi-task classifiers the papers' score.

    ``score`` is the mean over tasks of per-task accuracy (each task counts once,
    whatever its size); ``score_tasks`` gives the per-task figures. On a plain array
    (one task) it is ordinary accuracy, so scikit-learn's conventions hold.
    """

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
            ``{task: accuracy}``.
        """
        panel, labels, _ = check_task_data(X, y)
        pred = self.predict(panel)
        scores = {}
        for task in panel.tasks:
            rows = panel.rows_of(task)
            y_true = labels.labels[rows]
            y_pred = pred.labels[rows]
            scores[task] = float(np.mean([a == b for a, b in zip(y_true, y_pred)]))
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
            Only for a plain array input (one task): weighted accuracy.

        Returns
        -------
        float
        """
        if sample_weight is not None:
            if type(X) is dict or type(y) is dict:
                raise ValueError("sample_weight is supported for one-task array input only.")
            return float(accuracy_score(y, self.predict(X), sample_weight=sample_weight))
        scores = self.score_tasks(X, y)
        return float(np.mean(list(scores.values())))
