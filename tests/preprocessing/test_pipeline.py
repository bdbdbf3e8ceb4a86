"""The transformers inside an sklearn Pipeline before a classifier on a TaskPanel."""

import numpy as np
from numpy.testing import assert_array_equal
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.neighbors import NearestCentroid
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from sktsmtl.data import TaskLabels, TaskPanel, check_task_data, check_task_input
from sktsmtl.data import format_like_input
from sktsmtl.preprocessing import MissingValueImputer, Resampler, ZNormalizer


class _PerTaskCentroid(ClassifierMixin, BaseEstimator):
    """Test-only multi-task classifier: resample, flatten, nearest centroid per task."""

    def __init__(self, length=16):
        self.length = length

    def fit(self, X, y):
        panel, labels, _ = check_task_data(X, y)
        self.resampler_ = Resampler(length=self.length).fit(panel)
        flat = self._flatten(panel)
        self.tasks_ = panel.tasks
        self.models_ = {
            task: NearestCentroid().fit(flat[task], labels.task_labels(task))
            for task in panel.tasks
        }
        return self

    def _flatten(self, panel):
        resampled = self.resampler_.transform(panel)
        return {
            task: np.stack([s.ravel() for s in resampled.task_series(task)])
            for task in resampled.tasks
        }

    def predict(self, X):
        check_is_fitted(self)
        panel, kind = check_task_input(X, tasks=self.tasks_)
        flat = self._flatten(panel)
        per_task = {task: self.models_[task].predict(flat[task]) for task in panel.tasks}
        return format_like_input(per_task, panel, kind)

    def score(self, X, y, sample_weight=None):
        panel, labels, _ = check_task_data(X, y)
        predicted = self.predict(panel)
        return float(np.mean([
            np.mean(predicted.task_labels(t) == labels.task_labels(t)) for t in panel.tasks
        ]))


def _make_tasks(seed=0, n=24):
    """Two tasks whose classes differ by frequency, under random offset, scale and gaps."""
    rng = np.random.RandomState(seed)
    tasks_X, tasks_y = {}, {}
    series, labels = [], []
    for i in range(n):
        cls = i % 2
        length = rng.randint(30, 50)
        t = np.linspace(0, 2 * np.pi, length)
        s = rng.uniform(-5, 5) + rng.uniform(0.5, 10) * np.sin((1 + 2 * cls) * t)
        s[rng.choice(np.arange(1, length - 1), 3, replace=False)] = np.nan
        series.append(s)
        labels.append(cls)
    tasks_X["waves"], tasks_y["waves"] = series, np.array(labels)
    X2 = np.full((n, 2, 40), np.nan)
    y2 = np.empty(n, dtype=object)
    for i in range(n):
        cls = i % 2
        length = rng.randint(25, 41)
        t = np.linspace(0, 1, length)
        X2[i, 0, :length] = rng.uniform(1, 20) * (t if cls else t[::-1]) + rng.normal()
        X2[i, 1, :length] = rng.uniform(1, 20) * np.cos(2 * np.pi * (1 + cls) * t)
        X2[i, 1, rng.randint(1, length - 1)] = np.nan
        y2[i] = "up" if cls else "down"
    tasks_X["motion"], tasks_y["motion"] = X2, y2.astype(str)
    return tasks_X, tasks_y


def _pipeline():
    return Pipeline(
        [
            ("impute", MissingValueImputer()),
            ("z", ZNormalizer()),
            ("clf", _PerTaskCentroid()),
        ]
    )


def test_pipeline_on_task_panel():
    tasks_X, tasks_y = _make_tasks(0)
    X, y = TaskPanel.from_dict(tasks_X), TaskLabels.from_dict(tasks_y)
    test_X, test_y = _make_tasks(1)
    pipe = _pipeline().fit(X, y)
    predicted = pipe.predict(TaskPanel.from_dict(test_X))
    assert type(predicted) is TaskLabels
    assert predicted.tasks == ["waves", "motion"]
    for task in predicted.tasks:
        assert np.mean(predicted.task_labels(task) == test_y[task]) >= 0.9
    assert pipe.score(TaskPanel.from_dict(test_X), TaskLabels.from_dict(test_y)) >= 0.9


def test_pipeline_intermediate_steps_keep_the_panel():
    tasks_X, tasks_y = _make_tasks(0)
    X = TaskPanel.from_dict(tasks_X)
    pipe = _pipeline().fit(X, TaskLabels.from_dict(tasks_y))
    Xt = pipe[:-1].transform(X)
    assert type(Xt) is TaskPanel
    assert_array_equal(Xt.task_ids, X.task_ids)
    assert_array_equal(Xt.lengths(), X.lengths())
    assert not any(np.isnan(s).any() for s in Xt.series)


def test_pipeline_on_dict():
    tasks_X, tasks_y = _make_tasks(0)
    predicted = _pipeline().fit(tasks_X, tasks_y).predict(_make_tasks(1)[0])
    assert type(predicted) is dict and set(predicted) == {"waves", "motion"}
    assert predicted["motion"].dtype.kind == "U"


def test_cross_validation_and_grid_search_on_task_panel():
    tasks_X, tasks_y = _make_tasks(0)
    X, y = TaskPanel.from_dict(tasks_X), TaskLabels.from_dict(tasks_y)
    scores = cross_val_score(_pipeline(), X, y, cv=3)
    assert scores.shape == (3,) and scores.mean() >= 0.8
    search = GridSearchCV(
        _pipeline(), {"z__per_channel": [True, False], "clf__length": [8, 16]}, cv=3
    ).fit(X, y)
    assert search.best_score_ >= 0.8
    clone(search.best_estimator_)
