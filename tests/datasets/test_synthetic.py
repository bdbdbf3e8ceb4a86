"""Synthetic generators: random-walk pairs and warped task groups."""

import numpy as np
import pytest

from sktsmtl.data import TaskLabels, TaskPanel
from sktsmtl.datasets import make_random_walk_pairs, make_warped_tasks
from sktsmtl.datasets.synthetic import SHAPES


def test_random_walk_pairs_shapes_and_normalisation():
    pairs = make_random_walk_pairs(6, 50, random_state=0)
    assert pairs.shape == (6, 2, 50) and pairs.dtype == np.float64
    np.testing.assert_allclose(pairs.mean(axis=-1), 0, atol=1e-12)
    np.testing.assert_allclose(pairs.std(axis=-1), 1, atol=1e-12)
    multi = make_random_walk_pairs(3, 20, n_channels=4, random_state=0)
    assert multi.shape == (3, 2, 4, 20)
    np.testing.assert_allclose(multi.std(axis=-1), 1, atol=1e-12)


def test_random_walk_pairs_seed():
    a = make_random_walk_pairs(4, 30, random_state=1)
    np.testing.assert_array_equal(a, make_random_walk_pairs(4, 30, random_state=1))
    assert not np.array_equal(a, make_random_walk_pairs(4, 30, random_state=2))
    # the two members of a pair differ, and successive steps are correlated (a walk)
    assert not np.allclose(a[:, 0], a[:, 1])
    assert np.mean(np.abs(np.diff(a, axis=-1))) < 0.5


@pytest.mark.parametrize(
    "kwargs", [{"n_pairs": 0}, {"length": 1}, {"n_channels": 0}, {"n_pairs": 2.5}]
)
def test_random_walk_pairs_bad_arguments(kwargs):
    args = {"n_pairs": 2, "length": 10, **kwargs}
    with pytest.raises(ValueError):
        make_random_walk_pairs(**args)


def test_warped_tasks_structure():
    tasks_X, tasks_y = make_warped_tasks(n_tasks=3, n_classes=3, n_per_class=5, random_state=0)
    assert list(tasks_X) == ["task_0", "task_1", "task_2"]
    assert [X.shape for X in tasks_X.values()] == [(15, 64), (15, 80), (15, 96)]
    for y in tasks_y.values():
        assert y.dtype == np.int64 and np.bincount(y).tolist() == [5, 5, 5]
    assert not np.isnan(np.concatenate([X.ravel() for X in tasks_X.values()])).any()
    # the containers of the data layer accept the group
    panel, labels = TaskPanel.from_dict(tasks_X), TaskLabels.from_dict(tasks_y)
    assert len(panel) == len(labels) == 45


def test_warped_tasks_share_shapes_under_other_labels():
    kw = dict(n_tasks=2, n_classes=3, n_per_class=30, warp=0.0, noise=0.0, length_step=0)
    tasks_X, tasks_y = make_warped_tasks(random_state=0, **kw)
    # class k + 1 of task 0 and class k of task 1 are the same shape (up to amplitude)
    for k in range(2):
        a = tasks_X["task_0"][tasks_y["task_0"] == k + 1].mean(axis=0)
        b = tasks_X["task_1"][tasks_y["task_1"] == k].mean(axis=0)
        assert np.corrcoef(a, b)[0, 1] > 0.99


def test_warped_tasks_classes_are_separable():
    tasks_X, tasks_y = make_warped_tasks(n_tasks=2, n_per_class=20, random_state=3)
    for task in tasks_X:
        X, y = tasks_X[task], tasks_y[task]
        centroids = np.stack([X[y == k].mean(axis=0) for k in range(3)])
        nearest = np.argmin(((X[:, None, :] - centroids[None]) ** 2).sum(-1), axis=1)
        assert np.mean(nearest == y) > 0.8


def test_warped_tasks_variable_length_and_seed():
    tasks_X, tasks_y = make_warped_tasks(n_tasks=2, variable_length=True, random_state=0)
    for task, X in tasks_X.items():
        assert isinstance(X, list) and len(X) == len(tasks_y[task])
        lengths = {len(x) for x in X}
        assert len(lengths) > 1
    assert max(len(x) for x in tasks_X["task_0"]) <= 64
    assert min(len(x) for x in tasks_X["task_0"]) >= 45
    again, _ = make_warped_tasks(n_tasks=2, variable_length=True, random_state=0)
    for a, b in zip(tasks_X["task_1"], again["task_1"]):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_tasks": 5, "n_classes": 5},  # needs 9 shapes
        {"n_classes": 1},
        {"warp": 1.0},
        {"noise": -0.1},
        {"length": 2},
        {"length_step": -1},
    ],
)
def test_warped_tasks_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        make_warped_tasks(**kwargs)


def test_shape_bank():
    u = np.linspace(0, 1, 101)
    curves = np.stack([f(u) for f in SHAPES.values()])
    assert curves.shape == (8, 101) and np.isfinite(curves).all()
    corr = np.corrcoef(curves)
    assert (np.abs(corr[~np.eye(8, dtype=bool)]) < 0.95).all()  # all distinct


def test_make_label_sets_related_labels_and_blocks(tmp_path):
    from sktsmtl.datasets import make_label_sets

    X, Y = make_label_sets(n_series=200, n_subjects=6, random_state=0)
    assert X.shape == (200, 168) and X.dtype == np.float32
    assert list(Y) == ["group", "subject", "weekend"]
    np.testing.assert_array_equal(Y["group"], Y["subject"] >= 3)
    assert set(Y["weekend"]) == {0, 1}
    again, _ = make_label_sets(n_series=200, n_subjects=6, random_state=0)
    np.testing.assert_array_equal(X, again)
    out = np.memmap(tmp_path / "x.f32", dtype=np.float32, mode="w+", shape=(200, 168))
    filled, _ = make_label_sets(n_series=200, n_subjects=6, out=out, random_state=0)
    assert filled is out
    np.testing.assert_array_equal(np.asarray(out), X)


@pytest.mark.parametrize("kwargs, message", [
    (dict(n_series=1), "n_series"), (dict(length=10), "length"),
    (dict(n_subjects=3), "n_subjects must be even"), (dict(noise=-1), "noise"),
    (dict(n_series=4, out=np.zeros((3, 168), np.float32)), "out must have shape"),
])
def test_make_label_sets_bad_arguments(kwargs, message):
    from sktsmtl.datasets import make_label_sets

    with pytest.raises(ValueError, match=message):
        make_label_sets(**kwargs)
