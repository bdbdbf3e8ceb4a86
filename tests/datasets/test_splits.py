"""The per-task 60/20/20 split (the ResNet2D paper's protocol)."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sktsmtl.datasets import (
    PAPER_SIZES,
    load_task_group,
    paper_split,
    train_val_test_indices,
    train_val_test_split_tasks,
)


def _tasks():
    rng = np.random.RandomState(0)
    tasks_X = {
        "a": rng.standard_normal((100, 16)),
        "b": rng.standard_normal((50, 2, 8)),
        "c": [rng.standard_normal(5 + i % 7) for i in range(40)],
    }
    tasks_y = {
        "a": np.repeat([0, 1, 2, 3], [40, 30, 20, 10]),
        "b": np.repeat(["x", "y"], [35, 15]),
        "c": np.repeat([-1, 1], 20),
    }
    return tasks_X, tasks_y


def test_paper_sizes():
    assert PAPER_SIZES == (0.6, 0.2, 0.2)


def test_proportions_disjoint_union():
    tasks_X, tasks_y = _tasks()
    (Xtr, ytr), (Xva, yva), (Xte, yte) = paper_split(tasks_X, tasks_y, random_state=0)
    expected = {"a": (60, 20, 20), "b": (30, 10, 10), "c": (24, 8, 8)}
    for task, counts in expected.items():
        assert (len(ytr[task]), len(yva[task]), len(yte[task])) == counts
        parts = train_val_test_indices(tasks_y[task], random_state=0)
        assert sum(len(p) for p in parts) == len(tasks_y[task])
        union = np.concatenate(parts)
        assert sorted(union.tolist()) == list(range(len(tasks_y[task])))  # disjoint + all
    assert Xtr["a"].shape == (60, 16) and Xva["b"].shape == (10, 2, 8)
    assert isinstance(Xte["c"], list) and len(Xte["c"]) == 8


def test_rows_follow_their_labels():
    tasks_X, tasks_y = _tasks()
    # make each row identifiable: first value = row number, label derivable from it
    tasks_X["a"][:, 0] = np.arange(100)
    (Xtr, ytr), (Xva, yva), (Xte, yte) = paper_split(tasks_X, tasks_y, random_state=5)
    for X, y in ((Xtr, ytr), (Xva, yva), (Xte, yte)):
        rows = X["a"][:, 0].astype(int)
        np.testing.assert_array_equal(y["a"], tasks_y["a"][rows])
        assert np.all(np.diff(rows) > 0)  # original order kept
    all_rows = np.concatenate([X["a"][:, 0] for X in (Xtr, Xva, Xte)]).astype(int)
    assert sorted(all_rows.tolist()) == list(range(100))


def test_stratified():
    y = np.repeat([0, 1, 2, 3], [40, 30, 20, 10])
    train, val, test = train_val_test_indices(y, random_state=1)
    for idx, fraction in ((train, 0.6), (val, 0.2), (test, 0.2)):
        counts = np.bincount(y[idx], minlength=4)
        np.testing.assert_allclose(counts, fraction * np.array([40, 30, 20, 10]), atol=1)


def test_seed_reproducible_and_seed_dependent():
    y = np.repeat([0, 1], 50)
    a = train_val_test_indices(y, random_state=7)
    b = train_val_test_indices(y, random_state=7)
    c = train_val_test_indices(y, random_state=8)
    for p, q in zip(a, b):
        np.testing.assert_array_equal(p, q)
    assert any(not np.array_equal(p, q) for p, q in zip(a, c))
    rng_a = train_val_test_indices(y, random_state=np.random.RandomState(3))
    rng_b = train_val_test_indices(y, random_state=np.random.RandomState(3))
    for p, q in zip(rng_a, rng_b):
        np.testing.assert_array_equal(p, q)


def test_split_of_a_task_does_not_depend_on_the_others():
    tasks_X, tasks_y = _tasks()
    full = paper_split(tasks_X, tasks_y, random_state=2)
    alone = paper_split({"b": tasks_X["b"]}, {"b": tasks_y["b"]}, random_state=2)
    for (X_f, y_f), (X_a, y_a) in zip(full, alone):
        np.testing.assert_array_equal(X_f["b"], X_a["b"])
        np.testing.assert_array_equal(y_f["b"], y_a["b"])


def test_other_sizes():
    y = np.repeat([0, 1], 50)
    train, val, test = train_val_test_indices(y, sizes=(0.7, 0.0, 0.3), random_state=0)
    assert (len(train), len(val), len(test)) == (70, 0, 30)
    (Xtr, _), (Xva, _), (Xte, _) = train_val_test_split_tasks(
        {"t": np.zeros((10, 3))}, {"t": np.repeat([0, 1], 5)}, sizes=(0.5, 0.3, 0.2)
    )
    assert (len(Xtr["t"]), len(Xva["t"]), len(Xte["t"])) == (5, 3, 2)


def test_fallback_when_a_class_is_too_small():
    y = np.array([0] * 10 + [1] * 9 + [2])  # class 2 has a single series
    with pytest.warns(UserWarning, match=r"task 'rare'.*not stratified.*single series"):
        parts = train_val_test_indices(y, random_state=0, task="rare")
    assert sorted(np.concatenate(parts).tolist()) == list(range(20))
    y = np.repeat(np.arange(8), 2)  # 16 series, 8 classes: parts of 3 cannot hold them
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        parts = train_val_test_indices(y, random_state=0)
    messages = [str(w.message) for w in caught]
    assert "the test split is not stratified" in messages[0]
    assert "cannot hold all 8 classes" in messages[0]
    assert [len(p) for p in parts] == [10, 3, 3]
    # stratify=False never warns
    train_val_test_indices(np.array([0] * 10 + [1]), random_state=0, stratify=False)


@pytest.mark.parametrize(
    "sizes", [(0.6, 0.2), (0.5, 0.2, 0.2), (0.0, 0.5, 0.5), (1.2, -0.1, -0.1), "abc"]
)
def test_bad_sizes(sizes):
    with pytest.raises((ValueError, TypeError)):
        train_val_test_indices(np.repeat([0, 1], 10), sizes=sizes)


def test_too_few_series():
    with pytest.raises(ValueError, match="task 'tiny'.*too few"):
        train_val_test_indices(np.array([0, 1]), task="tiny")


def test_mismatched_inputs():
    with pytest.raises(ValueError, match="task 'a'.*3 series.*2 labels"):
        train_val_test_split_tasks({"a": np.zeros((3, 4))}, {"a": [0, 1]})
    with pytest.raises(ValueError, match="different tasks"):
        train_val_test_split_tasks({"a": np.zeros((3, 4))}, {"b": [0, 1, 0]})
    with pytest.raises(TypeError, match="dicts"):
        train_val_test_split_tasks(np.zeros((3, 4)), [0, 1, 0])


def test_loader_paper_splits_match_paper_split():
    all_X, all_y = load_task_group("basic_motions", split="all", tasks=["accel_x", "gyro_z"])
    expected = paper_split(all_X, all_y, random_state=4)
    for k, name in enumerate(["paper_train", "paper_val", "paper_test"]):
        X, y = load_task_group(
            "basic_motions", split=name, tasks=["accel_x", "gyro_z"], random_state=4
        )
        for task in X:
            np.testing.assert_array_equal(X[task], expected[k][0][task])
            np.testing.assert_array_equal(y[task], expected[k][1][task])


@settings(max_examples=40, deadline=None)
@given(
    counts=st.lists(st.integers(min_value=2, max_value=30), min_size=2, max_size=5),
    seed=st.integers(min_value=0, max_value=2**31 - 2),
)
def test_partition_property(counts, seed):
    y = np.repeat(np.arange(len(counts)), counts)
    n = len(y)
    if n < 5:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        train, val, test = train_val_test_indices(y, random_state=seed)
    assert sorted(np.concatenate([train, val, test]).tolist()) == list(range(n))
    assert len(test) == int(np.floor(0.2 * n + 0.5)) and len(val) == len(test)
    assert len(train) == n - 2 * len(test)
