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


@pytest.mark.parametrize("X, y", [
    ({None: np.zeros((4, 6))}, {None: [0, 1, 0, 1]}),
    ({"a": np.zeros((4, 6)), None: np.zeros((2, 6))}, {"a": [0, 1, 0, 1], None: [0, 1]}),
])
def test_none_is_refused_as_a_task_id(X, y):
    with pytest.raises(ValueError, match="None is not a valid task id"):
        check_task_data(X, y)
    with pytest.raises(ValueError, match="None is not a valid task id"):
        TaskLabels.from_dict(y)


def test_none_task_id_in_a_hand_built_panel():
    with pytest.raises(ValueError, match="None is not a valid task id"):
        TaskPanel([np.zeros((1, 3))] * 2, ["a", None])


@pytest.mark.parametrize("X, y, name", [
    ((row for row in np.zeros((4, 6))), [0, 1, 0, 1], "X is a generator"),
    ({"a": (row for row in np.zeros((4, 6)))}, {"a": [0, 1, 0, 1]}, "'a': got a generator"),
    ({"a": np.zeros((4, 6))}, (label for label in [0, 1, 0, 1]), "y is a generator"),
    ({"a": np.zeros((4, 6))}, iter({"a": [0, 1, 0, 1]}), "y is a dict_keyiterator"),
])
def test_a_generator_is_refused_with_a_clear_error(X, y, name):
    with pytest.raises(TypeError, match=f"{name}, which can be read only once"):
        check_task_data(X, y)


def test_a_generator_of_one_task_names_it():
    with pytest.raises(TypeError, match="task 'a': got a generator"):
        check_task_input({"a": (row for row in np.zeros((4, 6)))})


def test_complex_values_name_the_task():
    with pytest.raises(TypeError, match="task 'a': X holds complex numbers"):
        check_task_input({"a": np.zeros((3, 4)) + 1j})


def test_none_inside_an_object_array_is_refused_not_read_as_nan():
    X = np.zeros((2, 4)).astype(object)
    X[1, 2] = None
    with pytest.raises(ValueError, match="task 'a': X contains None; mark missing values"):
        check_task_input({"a": X})
    with pytest.raises(ValueError, match="task 'a': series 1 contains None"):
        check_task_input({"a": [np.zeros(3), np.array([1.0, None])]})


def test_the_array_fast_path_matches_the_per_series_path():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((6, 2, 9))
    X[1, :, 5:] = np.nan      # a shorter series
    X[2, 0, 3] = np.nan       # a missing value stays
    X[3, 1, 7:] = np.nan      # one channel shorter: the series keeps its length
    fast = TaskPanel.from_dict({"a": X}).series
    slow = TaskPanel.from_dict({"a": list(X)}).series
    assert [s.shape for s in fast] == [s.shape for s in slow]
    assert [s.shape[1] for s in fast] == [9, 5, 9, 9, 9, 9]
    for f, s in zip(fast, slow):
        np.testing.assert_array_equal(f, s)
