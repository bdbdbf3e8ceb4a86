import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split

from sktsmtl.data import TaskLabels, TaskPanel, check_task_data


def _tasks(seed=0):
    rng = np.random.default_rng(seed)
    X = {
        "uni": rng.normal(size=(12, 20)),
        "multi": rng.normal(size=(9, 3, 15)),
        "ragged": [rng.normal(size=n) for n in (5, 8, 13, 4, 9, 10)],
    }
    y = {
        "uni": np.repeat([-1, 1], 6),
        "multi": np.array(["a", "b", "c"] * 3),
        "ragged": np.array([0, 1, 0, 1, 0, 1]),
    }
    return X, y


def test_from_dict_roundtrip_keeps_forms():
    X, _ = _tasks()
    panel = TaskPanel.from_dict(X)
    assert panel.tasks == ["uni", "multi", "ragged"]
    out = panel.to_dict()
    np.testing.assert_array_equal(out["uni"], X["uni"])
    np.testing.assert_array_equal(out["multi"], X["multi"])
    # ragged comes back NaN-padded, or as a list with padded=False
    assert out["ragged"].shape == (6, 13)
    assert np.isnan(out["ragged"][0, 5:]).all()
    for a, b in zip(panel.to_dict(padded=False)["ragged"], X["ragged"]):
        np.testing.assert_array_equal(a, b)


def test_nan_padding_is_length_and_interior_nan_stays():
    X = np.array([[1.0, np.nan, 3.0, np.nan], [1.0, 2.0, 3.0, 4.0]])
    panel = TaskPanel.from_array(X)
    assert panel.lengths().tolist() == [3, 4]
    assert np.isnan(panel.series[0][0, 1])
    np.testing.assert_array_equal(panel.to_dict()["default"], X)


def test_indexing_returns_same_type():
    X, y = _tasks()
    panel, labels, _ = check_task_data(X, y)
    n = len(panel)
    for key in (np.array([0, 3, n - 1]), np.arange(n) % 2 == 0, slice(2, 9), [1, 2]):
        sub = panel[key]
        assert isinstance(sub, TaskPanel)
        assert isinstance(labels[key], TaskLabels)
        assert len(sub) == len(labels[key])
    assert panel.shape == (n,)


def test_bad_indexing():
    X, _ = _tasks()
    panel = TaskPanel.from_dict(X)
    with pytest.raises(IndexError):
        panel[np.array([True, False])]
    with pytest.raises(IndexError):
        panel[np.array([0.5])]


def test_labels_keep_dtype_per_task():
    _, y = _tasks()
    labels = TaskLabels.from_dict(y)
    out = labels.to_dict()
    assert out["uni"].dtype == y["uni"].dtype
    np.testing.assert_array_equal(out["multi"], y["multi"])
    keys = np.asarray(labels)
    assert keys.shape == (len(labels),)
    assert len(set(keys.tolist())) == 2 + 3 + 2


def test_sklearn_splitters_stratify_by_task_and_label():
    X, y = _tasks()
    panel, labels, _ = check_task_data(X, y)
    Xtr, Xte, ytr, yte = train_test_split(
        panel, labels, test_size=0.5, stratify=labels, random_state=0
    )
    assert isinstance(Xtr, TaskPanel) and isinstance(yte, TaskLabels)
    assert np.all(Xtr.task_ids == ytr.task_ids)
    # every (task, label) pair has members on both sides
    assert set(np.asarray(ytr).tolist()) == set(np.asarray(yte).tolist())
    for train, test in StratifiedKFold(3).split(panel, labels):
        assert len(set(train) & set(test)) == 0


def test_cross_val_score_on_task_containers():
    from sklearn.base import BaseEstimator, ClassifierMixin

    class MajorityPerTask(ClassifierMixin, BaseEstimator):
        def fit(self, X, y):
            self.majority_ = {
                t: max(set(v.tolist()), key=v.tolist().count) for t, v in y.to_dict().items()
            }
            return self

        def score(self, X, y):
            pred = np.array([self.majority_[t] for t in X.task_ids], dtype=object)
            return float(np.mean(pred == y.labels))

    X, y = _tasks()
    panel, labels, _ = check_task_data(X, y)
    scores = cross_val_score(MajorityPerTask(), panel, labels, cv=3)
    assert scores.shape == (3,)


def test_pickle():
    X, y = _tasks()
    panel, labels, _ = check_task_data(X, y)
    p2, l2 = pickle.loads(pickle.dumps((panel, labels)))
    assert p2.tasks == panel.tasks
    np.testing.assert_array_equal(np.asarray(l2), np.asarray(labels))


# -- property tests --------------------------------------------------------------------
finite = st.floats(-1e6, 1e6, allow_nan=False, width=64)


@st.composite
def task_dicts(draw):
    n_tasks = draw(st.integers(1, 4))
    out = {}
    for t in range(n_tasks):
        name = draw(st.sampled_from([t, f"task{t}", (t, "x")]))
        n = draw(st.integers(1, 5))
        if draw(st.booleans()):
            length = draw(st.integers(1, 8))
            c = draw(st.integers(1, 3))
            shape = (n, length) if c == 1 and draw(st.booleans()) else (n, c, length)
            vals = draw(st.lists(finite, min_size=int(np.prod(shape)),
                                 max_size=int(np.prod(shape))))
            out[name] = np.array(vals).reshape(shape)
        else:
            out[name] = [
                np.array(draw(st.lists(finite, min_size=1, max_size=8))) for _ in range(n)
            ]
    return out


@settings(max_examples=60, deadline=None)
@given(task_dicts())
def test_dict_panel_dict_roundtrip(tasks_X):
    panel = TaskPanel.from_dict(tasks_X)
    assert panel.tasks == list(tasks_X)
    back = panel.to_dict(padded=False)
    for task, X_t in tasks_X.items():
        orig = list(X_t)
        assert len(back[task]) == len(orig)
        for a, b in zip(back[task], orig):
            np.testing.assert_array_equal(a, np.asarray(b))


@settings(max_examples=60, deadline=None)
@given(task_dicts(), st.data())
def test_subset_and_complement_reassemble(tasks_X, data):
    panel = TaskPanel.from_dict(tasks_X)
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=len(panel),
                                       max_size=len(panel))), dtype=bool)
    a, b = panel[mask], panel[~mask]
    idx = np.concatenate([np.flatnonzero(mask), np.flatnonzero(~mask)])
    merged = [None] * len(panel)
    for i, s in zip(idx, a.series + b.series):
        merged[i] = s
    tids = np.empty(len(panel), dtype=object)
    tids[idx] = list(a.task_ids) + list(b.task_ids)
    assert list(tids) == list(panel.task_ids)
    for s, orig in zip(merged, panel.series):
        np.testing.assert_array_equal(s, orig)
