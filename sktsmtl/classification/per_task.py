"""``PerTaskClassifier``: one independent clone of any classifier per task."""

import numbers

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, clone
from sklearn.utils import get_tags
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ..data import (
    SINGLE_TASK,
    check_task_classes,
    check_task_data,
    check_task_input,
    format_like_input,
)
from .base import MultiTaskClassifierMixin, is_multitask_input

__all__ = ["PerTaskClassifier"]


def _fit_one(estimator, X_t, y_t, task):
    try:
        return clone(estimator).fit(X_t, y_t)
    except ValueError as exc:
        lengths = sorted({len(np.asarray(s).T) for s in X_t}) if isinstance(
            X_t, list) else []
        if len(lengths) < 2 or "inhomogeneous" not in str(exc):
            raise
        # numpy's message names neither the task nor the lengths
        raise ValueError(
            f"task {task!r}: its series have different lengths ({lengths[0]} to "
            f"{lengths[-1]}) and {type(estimator).__name__} needs one length; bring "
            "them to one length first (sktsmtl.preprocessing.Resampler), or use an "
            "estimator that takes series of any length (KNeighborsDTWClassifier, "
            "MultiTaskTimeSeriesClassifier).") from None


def _estimator_has(attr):
    def check(self):
        est = self.estimators_[next(iter(self.estimators_))] if hasattr(
            self, "estimators_") else self._base_estimator()
        return hasattr(est, attr)

    return check


class PerTaskClassifier(MultiTaskClassifierMixin, BaseEstimator):
    """Fit an independent clone of a classifier on every task.

    The non-multi-task baseline of the papers: tasks share nothing. A task whose series
    all have the length seen at fit reaches the estimator as one array, ``(n, L)`` for
    univariate tasks and ``(n, C, L)`` otherwise; a task of varying lengths reaches it
    as a list of series (1D or ``(C, L_i)``), since padding to a width would tie it to
    the longest series of the fit. :class:`KNeighborsDTWClassifier` takes both forms.

    Parameters
    ----------
    estimator : classifier, default=None
        The classifier cloned per task. None means ``KNeighborsDTWClassifier()``
        (1NN-DTW, unconstrained).
    n_jobs : int, default=None
        Tasks fitted in parallel with joblib; None means 1 unless in a
        ``joblib.parallel_config`` context.

    Attributes
    ----------
    estimators_ : dict
        ``{task: fitted clone}``.
    tasks_ : list
        Task ids seen in ``fit``.
    classes_ : dict or ndarray
        ``{task: classes}``; on a plain array input (one task), the classes array.
    n_channels_ : dict
        ``{task: channel count}``.
    n_features_in_ : int
        Only on one task's array input: its second dimension (series length for 2D).
    heldout_accuracy_ : dict or float
        ``{task: estimate}`` where every task's estimator has a ``heldout_accuracy_``
        (:class:`~sktsmtl.RocketClassifier`'s leave-one-out accuracy); one float for
        one task's array.

    See Also
    --------
    KNeighborsDTWClassifier : 1NN-DTW, the usual estimator here.
    MultiTaskTimeSeriesClassifier : one network that learns the tasks together.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sktsmtl.classification import PerTaskClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = {"a": rng.normal(size=(20, 8)), "b": rng.normal(size=(10, 8))}
    >>> y = {"a": np.repeat([0, 1], 10), "b": np.repeat(["u", "v"], 5)}
    >>> clf = PerTaskClassifier(LogisticRegression()).fit(X, y)
    >>> sorted(clf.predict(X))
    ['a', 'b']
    >>> clf.classes_["b"]
    array(['u', 'v'], dtype='<U1')
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "n_jobs": [numbers.Integral, None],
    }

    def __init__(self, estimator=None, n_jobs=None):
        self.estimator = estimator
        self.n_jobs = n_jobs

    def _base_estimator(self):
        if self.estimator is None:
            from .knn import KNeighborsDTWClassifier

            return KNeighborsDTWClassifier()
        return self.estimator

    def fit(self, X, y):
        """Fit one clone of the estimator per task.

        Parameters
        ----------
        X : dict, TaskPanel, array-like or list
            ``{task: X_t}``, a ``TaskPanel``, or one task's ``(n, L)``/``(n, C, L)``
            array or list of series.
        y : dict, TaskLabels or array-like
            Labels in the matching form.

        Returns
        -------
        self : PerTaskClassifier
        """
        self._validate_params()
        base = self._base_estimator()
        self._forget_single_array_attributes()
        if not is_multitask_input(X):
            X, y = self._validate_single_array(X, y, reset=True)
        panel, labels, kind = check_task_data(X, y)
        classes = check_task_classes(labels)
        self._single_array = kind == "array"
        if self._single_array:
            # One task: hand the input over untouched so the estimator's own
            # validation (and sklearn's conventions) apply.
            jobs = [(X, y, panel.tasks[0])]
        else:
            jobs = [(self._task_input(panel, t, None), labels.task_labels(t), t)
                    for t in panel.tasks]
        fitted = Parallel(n_jobs=self.n_jobs)(
            delayed(_fit_one)(base, X_t, y_t, t) for X_t, y_t, t in jobs
        )
        self.tasks_ = panel.tasks
        self.estimators_ = dict(zip(self.tasks_, fitted))
        self.n_channels_ = panel.n_channels()
        self._fit_lengths = {t: self._common_length(panel, t) for t in panel.tasks}
        if self._single_array:
            self.classes_ = fitted[0].classes_
        else:
            self.classes_ = classes
        vars(self).pop("heldout_accuracy_", None)
        if all(hasattr(e, "heldout_accuracy_") for e in fitted):
            heldout = {t: e.heldout_accuracy_ for t, e in self.estimators_.items()}
            self.heldout_accuracy_ = (heldout[self.tasks_[0]] if self._single_array
                                      else heldout)
        return self

    @staticmethod
    def _common_length(panel, task):
        lengths = set(panel.lengths()[panel.rows_of(task)].tolist())
        return lengths.pop() if len(lengths) == 1 else None

    def _task_input(self, panel, task, fit_length):
        """One array when every series has the fit's common length, else a list."""
        length = self._common_length(panel, task)
        as_array = length is not None and (fit_length is None or length == fit_length)
        return panel.task_array(task, padded=as_array)

    def _per_task(self, X, method):
        check_is_fitted(self)
        if self._single_array and not is_multitask_input(X):
            X, _ = self._validate_single_array(X, reset=False)
            return getattr(self.estimators_[SINGLE_TASK], method)(X)
        panel, kind = check_task_input(X, tasks=self.tasks_, n_channels=self.n_channels_)
        out = {
            task: getattr(self.estimators_[task], method)(
                self._task_input(panel, task, self._fit_lengths[task]))
            for task in panel.tasks
        }
        return format_like_input(out, panel, kind)

    def predict(self, X):
        """Predict every task's labels with that task's estimator.

        Parameters
        ----------
        X : dict, TaskPanel, array-like or list
            Series of tasks seen in ``fit``.

        Returns
        -------
        dict, TaskLabels or ndarray
            Same form as ``X``.
        """
        return self._per_task(X, "predict")

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities per task, columns in ``classes_[task]`` order.

        Parameters
        ----------
        X : dict, TaskPanel, array-like or list
            Series of tasks seen in ``fit``.

        Returns
        -------
        dict or ndarray
            ``{task: (n_t, n_classes_t)}``, or one array for a plain array input.
        """
        return self._per_task(X, "predict_proba")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        base_tags = get_tags(self._base_estimator())
        tags.input_tags.allow_nan = base_tags.input_tags.allow_nan
        tags.non_deterministic = base_tags.non_deterministic
        return tags
