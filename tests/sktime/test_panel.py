"""Task panels for sktime: instance ids ``task::id``, conversion both ways."""

import numpy as np
import pandas as pd
import pytest
from sktime.datatypes import check_is_mtype

from sktsmtl.data import TaskLabels, TaskPanel
from sktsmtl.sktime import TASK_SEPARATOR, task_of_instance, to_sktime_panel
from sktsmtl.sktime.panel import _split_instances


def _tasks():
    rng = np.random.default_rng(0)
    X = {"a": rng.normal(size=(3, 5)),
         "b": [rng.normal(size=4), rng.normal(size=7)]}
    y = {"a": np.array([0, 1, 0]), "b": np.array([2, 3])}
    return X, y


def test_instance_ids_carry_the_task():
    X, y = to_sktime_panel(*_tasks())
    ids = X.index.get_level_values(0).unique().tolist()
    assert ids == ["a::0", "a::1", "a::2", "b::0", "b::1"]
    assert y.tolist() == [0, 1, 0, 2, 3]
    assert X.index.names == ["instances", "timepoints"]
    assert X.loc["b::1"].shape == (7, 1)
    valid, _, meta = check_is_mtype(X, "pd-multiindex", return_metadata=True)
    assert valid and not meta["is_equal_length"]


def test_round_trip_keeps_values_and_lengths():
    tasks_X, _ = _tasks()
    series, tasks = _split_instances(to_sktime_panel(tasks_X))
    assert tasks == ["a", "a", "a", "b", "b"]
    np.testing.assert_array_equal(series[1], tasks_X["a"][1][None, :])
    np.testing.assert_array_equal(series[4], tasks_X["b"][1][None, :])


def test_multivariate_columns_and_trailing_nan_padding():
    X = np.arange(2 * 3 * 6, dtype=float).reshape(2, 3, 6)
    X[1, :, 4:] = np.nan  # padding: series 1 has length 4
    panel = to_sktime_panel({"m": X})
    assert list(panel.columns) == ["var_0", "var_1", "var_2"]
    assert panel.loc["m::1"].shape == (4, 3)
    np.testing.assert_array_equal(panel.loc["m::0"].to_numpy().T, X[0])


def test_task_containers_are_accepted():
    tasks_X, tasks_y = _tasks()
    X1, y1 = to_sktime_panel(TaskPanel.from_dict(tasks_X), TaskLabels.from_dict(tasks_y))
    X2, y2 = to_sktime_panel(tasks_X, tasks_y)
    pd.testing.assert_frame_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)


def test_label_kinds_that_differ_become_strings():
    _, y = to_sktime_panel({"a": np.zeros((2, 3)), "b": np.zeros((2, 3))},
                           {"a": [0, 1], "b": ["u", "v"]})
    assert y.tolist() == ["0", "1", "u", "v"]


def test_non_contiguous_rows_keep_their_order():
    index = pd.MultiIndex.from_tuples(
        [("t::0", 0), ("t::1", 0), ("t::0", 1), ("t::1", 1)])
    X = pd.DataFrame({"v": [1.0, 10.0, 2.0, 20.0]}, index=index)
    series, tasks = _split_instances(X)
    np.testing.assert_array_equal(series[0], [[1.0, 2.0]])
    np.testing.assert_array_equal(series[1], [[10.0, 20.0]])
    assert tasks == ["t", "t"]


def test_numpy_panel_is_one_untagged_task():
    series, tasks = _split_instances(np.zeros((3, 2, 5)))
    assert len(series) == 3 and series[0].shape == (2, 5)
    assert tasks == [None, None, None]


@pytest.mark.parametrize("instance_id, task", [
    ("accel_x::12", "accel_x"), ("a::b::3", "a"), (12, None), ("plain", None),
    (("a", 1), None),
])
def test_task_of_instance(instance_id, task):
    assert task_of_instance(instance_id) == task


def test_separator_constant():
    assert TASK_SEPARATOR == "::"


# -- bad inputs ---------------------------------------------------------------------
def test_mixed_instance_ids_are_refused():
    index = pd.MultiIndex.from_tuples([("a::0", 0), ("a::0", 1), (7, 0), (7, 1)])
    X = pd.DataFrame({"v": np.zeros(4)}, index=index)
    with pytest.raises(ValueError, match="mixes instance ids"):
        _split_instances(X)


def test_different_channel_counts_are_refused():
    with pytest.raises(ValueError, match="different channel counts"):
        to_sktime_panel({"a": np.zeros((2, 5)), "b": np.zeros((2, 3, 5))})


def test_task_name_holding_the_separator_is_refused():
    with pytest.raises(ValueError, match="must not contain '::'"):
        to_sktime_panel({"a::b": np.zeros((2, 5))})


def test_task_names_equal_as_strings_are_refused():
    with pytest.raises(ValueError, match="differ as strings"):
        to_sktime_panel({1: np.zeros((2, 5)), "1": np.zeros((2, 5))})


def test_array_input_is_refused():
    with pytest.raises(TypeError, match="dict"):
        to_sktime_panel(np.zeros((2, 5)))


def test_misaligned_labels_are_refused():
    with pytest.raises(ValueError, match="task 'a'"):
        to_sktime_panel({"a": np.zeros((2, 5))}, {"a": [0, 1, 0]})
