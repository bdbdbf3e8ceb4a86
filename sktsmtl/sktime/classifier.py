"""``MultiTaskSktimeClassifier``: an sktsmtl estimator as an sktime classifier."""

import numpy as np
from sklearn.base import BaseEstimator, clone, is_classifier
from sklearn.utils import get_tags
from skbase.base import BaseObject
from sktime.classification.base import BaseClassifier

from ..classification import (
    KNeighborsDTWClassifier,
    MultiTaskClassifierMixin,
    MultiTaskTimeSeriesClassifier,
    PerTaskClassifier,
)
from ..data import SINGLE_TASK, TaskLabels, TaskPanel, check_task_data
from .panel import TASK_SEPARATOR, _split_instances

__all__ = ["MultiTaskSktimeClassifier"]


def _is_sktsmtl(estimator):
    return type(estimator).__module__.split(".")[0] == "sktsmtl"


def _has_unseeded_randomness(estimator):
    """True when some ``random_state`` of the estimator (nested ones too) is None."""
    try:
        params = estimator.get_params(deep=True)
    except Exception:  # not an estimator: _fit reports it
        return False
    return any(k.split("__")[-1] == "random_state" and v is None for k, v in params.items())


class MultiTaskSktimeClassifier(BaseClassifier):
    """sktime classifier that runs an sktsmtl (or scikit-learn) estimator on task panels.

    sktime's harness (``evaluate``, ``ClassificationBenchmark``) takes sktime
    classifiers only, and sktsmtl's estimators are scikit-learn estimators. This adapter
    is the bridge: it holds one of them, clones it at ``fit`` and hands it the data as a
    :class:`~sktsmtl.data.TaskPanel`.

    **Task routing.** The task of a series is read from its instance id in a
    ``pd-multiindex`` panel: ``"accel_x::12"`` is series 12 of task ``accel_x`` (see
    :func:`~sktsmtl.sktime.to_sktime_panel`). A panel whose ids name no task (integer
    ids, numpy arrays) is one task. One fit may hold several tasks; ``predict`` answers
    each row with its task's model and returns labels in row order.

    **Auxiliary tasks.** sktime's harness fits one data set at a time. For a multi-task
    method to learn from the other tasks of a group there, give them as
    ``auxiliary_X``/``auxiliary_y``: ``fit`` trains the estimator on the tasks of ``X``
    together with the auxiliary tasks, and ``predict`` answers the tasks of ``X`` only.
    An auxiliary task that is also a task of ``X`` is left out at that fit, so the rows
    the harness holds out of a task never reach training through the auxiliary data.
    One adapter holding a whole group's training data thus serves every data set of the
    group.

    Parameters
    ----------
    estimator : classifier, default=None
        A multi-task sktsmtl estimator (:class:`~sktsmtl.MultiTaskTimeSeriesClassifier`,
        :class:`~sktsmtl.PerTaskClassifier`), used as is; or any single-task
        scikit-learn classifier (:class:`~sktsmtl.KNeighborsDTWClassifier`, ...), which
        is fitted once per task through :class:`~sktsmtl.PerTaskClassifier`. Cloned at
        ``fit``. None means ``MultiTaskTimeSeriesClassifier()``.
    auxiliary_X : dict or TaskPanel, default=None
        Further tasks trained with the tasks of ``X``, ``{task: X_t}`` in any form
        :mod:`sktsmtl.data` accepts. Task names are compared as strings with the tasks
        of ``X``.
    auxiliary_y : dict or TaskLabels, default=None
        Their labels; given exactly when ``auxiliary_X`` is.

    Attributes
    ----------
    estimator_ : estimator
        The fitted clone (wrapped in ``PerTaskClassifier`` for a single-task one).
    tasks_ : list of str
        Tasks of ``X`` seen at fit, the tasks ``predict`` answers.
    auxiliary_tasks_ : list of str
        Auxiliary tasks trained alongside them.
    classes_ : ndarray
        Labels of ``y`` over all tasks (sktime's convention); ``predict_proba`` columns
        follow it, with zeros for classes a row's task does not have.

    Notes
    -----
    Capability tags follow the wrapped estimator: sktsmtl estimators take multivariate
    and unequal-length panels; missing values are accepted when the estimator accepts
    NaN (sktsmtl's estimators interpolate them). Other scikit-learn classifiers see one
    ``(n, L)`` table per task, so they are declared univariate and equal-length.

    Examples
    --------
    >>> import numpy as np
    >>> from sktsmtl import KNeighborsDTWClassifier
    >>> from sktsmtl.sktime import MultiTaskSktimeClassifier, to_sktime_panel
    >>> rng = np.random.default_rng(0)
    >>> X, y = to_sktime_panel({"a": rng.normal(size=(6, 12)), "b": rng.normal(size=(4, 9))},
    ...                        {"a": [0, 1] * 3, "b": [0, 1] * 2})
    >>> clf = MultiTaskSktimeClassifier(KNeighborsDTWClassifier()).fit(X, y)
    >>> clf.tasks_
    ['a', 'b']
    >>> clf.predict(X).tolist() == y.tolist()
    True
    """

    _tags = {
        "authors": "sktsmtl developers",
        "maintainers": "sktsmtl developers",
        "X_inner_mtype": ["pd-multiindex", "numpy3D"],
        "y_inner_mtype": "numpy1D",
        "capability:multivariate": True,
        "capability:unequal_length": True,
        "capability:missing_values": True,
        "capability:predict_proba": True,
        "capability:categorical_in_X": False,
        "property:randomness": "deterministic",
    }

    def __init__(self, estimator=None, auxiliary_X=None, auxiliary_y=None):
        self.estimator = estimator
        self.auxiliary_X = auxiliary_X
        self.auxiliary_y = auxiliary_y
        super().__init__()
        self._set_tags_from_estimator()

    def _set_tags_from_estimator(self):
        est = self._base_estimator_or_none()
        if est is None:  # reported at fit
            return
        native = _is_sktsmtl(est)
        try:
            allow_nan = get_tags(est).input_tags.allow_nan
        except Exception:
            allow_nan = False
        self.set_tags(**{
            "capability:multivariate": native,
            "capability:unequal_length": native,
            "capability:missing_values": bool(allow_nan),
            "property:randomness": (
                "stochastic" if _has_unseeded_randomness(est) else "deterministic"),
        })

    def _base_estimator_or_none(self):
        est = self.estimator if self.estimator is not None else (
            MultiTaskTimeSeriesClassifier())
        valid = (isinstance(est, BaseEstimator) and not isinstance(est, BaseObject)
                 and is_classifier(est))
        return est if valid else None

    def _checked_estimator(self):
        """A fresh clone of the estimator, as a multi-task estimator."""
        est = self.estimator
        if isinstance(est, type):
            raise TypeError(
                f"estimator must be an estimator instance, not the class {est.__name__}; "
                f"use {est.__name__}()."
            )
        if isinstance(est, BaseObject):
            raise TypeError(
                f"estimator is the sktime object {type(est).__name__}; sktime classifiers "
                "go into sktime's harness as they are. This adapter wraps sktsmtl or "
                "scikit-learn classifiers."
            )
        base = self._base_estimator_or_none()
        if base is None:
            raise TypeError(
                "estimator must be an sktsmtl or scikit-learn classifier (a "
                "scikit-learn BaseEstimator whose estimator type is 'classifier'); got "
                f"{type(est).__name__}."
            )
        base = clone(base)
        if isinstance(base, MultiTaskClassifierMixin):
            return base
        return PerTaskClassifier(base)

    def _auxiliary_data(self, exclude):
        """Series, task ids, labels and label dtypes of the auxiliary tasks."""
        if (self.auxiliary_X is None) != (self.auxiliary_y is None):
            raise ValueError("auxiliary_X and auxiliary_y must be given together.")
        if self.auxiliary_X is None:
            return [], [], [], {}
        if type(self.auxiliary_X) not in (dict, TaskPanel):
            raise TypeError(
                "auxiliary_X must be a dict {task: X_t} or a TaskPanel; got "
                f"{type(self.auxiliary_X).__name__}."
            )
        panel, labels, _ = check_task_data(self.auxiliary_X, self.auxiliary_y)
        names = {t: str(t) for t in panel.tasks}
        if len(set(names.values())) < len(names):
            raise ValueError("auxiliary tasks must have names that differ as strings.")
        series, task_ids, values, dtypes = [], [], [], {}
        for task in panel.tasks:
            name = names[task]
            if name in exclude:
                continue
            rows = panel.rows_of(task)
            series.extend(panel.series[r] for r in rows)
            task_ids.extend([name] * len(rows))
            y_t = labels.task_labels(task)
            values.extend(y_t.tolist())
            dtypes[name] = y_t.dtype
        return series, task_ids, values, dtypes

    # -- sktime's inner interface ----------------------------------------------------
    def _fit(self, X, y):
        estimator = self._checked_estimator()
        series, row_tasks = _split_instances(X)
        task_ids = [SINGLE_TASK if t is None else t for t in row_tasks]
        tasks = list(dict.fromkeys(task_ids))
        y = np.asarray(y)
        aux_series, aux_tasks, aux_values, aux_dtypes = self._auxiliary_data(set(tasks))
        dtypes = dict({t: y.dtype for t in tasks}, **aux_dtypes)
        all_tasks = task_ids + aux_tasks
        panel = TaskPanel(series + aux_series, all_tasks)
        labels = TaskLabels(y.tolist() + aux_values, all_tasks, dtypes)
        self.estimator_ = estimator.fit(panel, labels)
        self.tasks_ = tasks
        self.auxiliary_tasks_ = list(dict.fromkeys(aux_tasks))
        return self

    def _routed_panel(self, X):
        """``TaskPanel`` of ``X`` with every row's task, checked against fit's tasks."""
        series, row_tasks = _split_instances(X)
        if row_tasks and row_tasks[0] is None:
            if len(self.tasks_) > 1:
                raise ValueError(
                    "X's instance ids name no task, but the classifier was fitted on "
                    f"several tasks {self.tasks_}; give ids the form "
                    f"'task{TASK_SEPARATOR}id'."
                )
            row_tasks = [self.tasks_[0]] * len(series)
        for task in dict.fromkeys(row_tasks):
            if task in self.tasks_:
                continue
            if task in self.auxiliary_tasks_:
                raise ValueError(
                    f"task {task!r} was auxiliary training data; the classifier predicts "
                    f"the tasks of the X given to fit: {self.tasks_}."
                )
            raise ValueError(
                f"task {task!r} was not seen during fit; known tasks: {self.tasks_}."
            )
        return TaskPanel(series, row_tasks)

    def _predict(self, X):
        panel = self._routed_panel(X)
        labels = self.estimator_.predict(panel)
        out = np.empty(len(panel), dtype=self.classes_.dtype)
        out[:] = labels.labels.tolist()
        return out

    def _predict_proba(self, X):
        panel = self._routed_panel(X)
        out = np.zeros((len(panel), self.n_classes_))
        if not hasattr(self.estimator_, "predict_proba"):
            labels = self.estimator_.predict(panel).labels
            out[np.arange(len(panel)), [self._class_dictionary[v] for v in labels]] = 1.0
            return out
        proba = self.estimator_.predict_proba(panel)
        for task in panel.tasks:
            columns = [self._class_dictionary[c] for c in self.estimator_.classes_[task]]
            out[np.ix_(panel.rows_of(task), columns)] = proba[task]
        return out

    @classmethod
    def get_test_params(cls, parameter_set="default"):
        """Tiny, seeded settings for sktime's estimator checks.

        Parameters
        ----------
        parameter_set : str, default="default"
            Unused; there is one set.

        Returns
        -------
        list of dict
            A two-epoch, four-filter ResNet1D multi-task network; 1NN-DTW; 1NN-DTW with
            an auxiliary task.
        """
        rng = np.random.default_rng(0)
        network = MultiTaskTimeSeriesClassifier(
            backbone="resnet1d", backbone__filters=(4,), backbone__kernel_sizes=(3,),
            max_epochs=2, batch_size=8, validation_fraction=0, random_state=0)
        return [
            {"estimator": network},
            {"estimator": KNeighborsDTWClassifier()},
            {"estimator": KNeighborsDTWClassifier(window=0.2),
             "auxiliary_X": {"aux": rng.normal(size=(4, 10))},
             "auxiliary_y": {"aux": np.array([0, 1, 0, 1])}},
        ]
