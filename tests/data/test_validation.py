import numpy as np
import pytest
from scipy.sparse import dok_matrix

from sktsmtl.data import (
    TaskLabels,
    TaskPanel,
    check_task_classes,
    check_task_data,
    check_task_input,
    format_like_input,
)


def _ok():
    X = {"a": np.zeros((4, 6)), "b": np.ones((3, 2, 5))}
    y = {"a": np.array([0, 1, 0, 1]), "b": np.array(["x", "y", "x"])}
    return X, y


def test_accepts_every_form():
    X, y = _ok()
    assert check_task_data(X, y)[2] == "dict"
    panel, labels, _ = check_task_data(X, y)
    assert check_task_data(panel, labels)[2] == "panel"
    assert check_task_data(panel, y)[2] == "panel"
    assert check_task_data(np.zeros((4, 6)), np.array([0, 1, 0, 1]))[2] == "array"
    assert check_task_data([np.zeros(3), np.zeros(5)], [0, 1])[2] == "array"


def test_dict_subclass_is_not_a_task_dict():
    with pytest.raises(TypeError, match="dict"):
        check_task_input(dok_matrix((3, 3)))


@pytest.mark.parametrize(
    "X, y, match",
    [
        ({"a": np.zeros((4, 6))}, {"a": [0, 1, 0, 1], "b": [0, 1]}, "'b' is in y but not in X"),
        ({"a": np.zeros((4, 6)), "b": np.zeros((2, 6))}, {"a": [0, 1, 0, 1]},
         "'b' is in X but not in y"),
        ({"a": np.zeros((4, 6))}, {"a": [0, 1, 0]}, "'a': X has 4 series but y has 3"),
        ({"a": np.zeros((0, 6))}, {"a": []}, "'a': the task holds no series"),
        ({"a": []}, {"a": []}, "'a': the task holds no series"),
        ({"a": [np.zeros(3), np.array([])]}, {"a": [0, 1]}, "'a': series 1 is empty or all NaN"),
        ({"a": np.array([[0.0, 1.0], [np.nan, np.nan]])}, {"a": [0, 1]},
         "'a': series 1 is empty or all NaN"),
        ({"a": np.array([[0.0, np.inf], [1.0, 2.0]])}, {"a": [0, 1]}, "'a': series 0 contains inf"),
        ({"a": np.zeros((2, 1, 2, 3))}, {"a": [0, 1]}, "'a': X has 4 dimensions"),
        ({"a": [np.zeros((2, 5)), np.zeros((3, 5))]}, {"a": [0, 1]},
         "'a': series 1 has 3 channels"),
        ({"a": np.zeros((2, 3))}, {"a": np.zeros((2, 2))}, "'a': y has shape"),
        ({"a": np.zeros((2, 3))}, {"a": np.zeros((2, 1))}, "'a': y has shape"),
    ],
)
def test_bad_inputs_name_the_task(X, y, match):
    with pytest.raises(ValueError, match=match):
        check_task_data(X, y)


@pytest.mark.parametrize(
    "X",
    [
        {"a": np.array([["x", "y"], ["z", "w"]])},
        {"a": [np.array(["1", "b"]), np.zeros(3)]},
        {"a": np.array([[object(), 1.0]], dtype=object)},
    ],
)
def test_non_numeric(X):
    with pytest.raises(TypeError, match="'a'"):
        check_task_input(X)


def test_single_class_task():
    X, y = _ok()
    y["a"] = np.array([1, 1, 1, 1])
    _, labels, _ = check_task_data(X, y)
    with pytest.raises(ValueError, match="'a': y has one class"):
        check_task_classes(labels)


def test_unknown_task_and_channel_change_at_predict():
    X, _ = _ok()
    with pytest.raises(ValueError, match="task 'b' was not seen during fit"):
        check_task_input(X, tasks=["a"])
    with pytest.raises(ValueError, match="'b': X has 2 channels but .* fitted with 3"):
        check_task_input(X, tasks=["a", "b"], n_channels={"a": 1, "b": 3})


def test_misaligned_containers():
    X, y = _ok()
    panel, labels, _ = check_task_data(X, y)
    with pytest.raises(ValueError, match="row-aligned"):
        check_task_data(panel, labels[np.r_[4:7, 0:4]])
    with pytest.raises(ValueError, match="X has 7 rows but y has 3"):
        check_task_data(panel, labels[:3])
    with pytest.raises(TypeError, match="dict"):
        check_task_data(X, np.zeros(7))
    with pytest.raises(TypeError):
        check_task_input("not data")


def test_format_like_input():
    X, y = _ok()
    panel, labels, _ = check_task_data(X, y)
    per_task = labels.to_dict()
    assert isinstance(format_like_input(per_task, panel, "panel"), TaskLabels)
    out = format_like_input(per_task, panel, "panel")
    np.testing.assert_array_equal(np.asarray(out), np.asarray(labels))
    assert format_like_input(per_task, panel, "dict").keys() == per_task.keys()
    proba = {t: np.zeros((len(panel.rows_of(t)), 2)) for t in panel.tasks}
    assert isinstance(format_like_input(proba, panel, "panel"), dict)
    single = TaskPanel.from_array(np.zeros((3, 4)))
    assert format_like_input({"default": np.arange(3)}, single, "array").shape == (3,)


def test_hand_built_panel_is_validated():
    bad = TaskPanel([np.array([[0.0, np.inf]]), np.zeros((1, 3))], ["a", "a"])
    with pytest.raises(ValueError, match="'a': series 0 contains inf"):
        check_task_input(bad)
    mixed = TaskPanel([np.zeros((1, 3)), np.zeros((2, 3))], ["b", "b"])
    with pytest.raises(ValueError, match="'b': series 1 has 2 channels"):
        check_task_input(mixed)
