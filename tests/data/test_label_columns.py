import numpy as np
import pandas as pd
import pytest

from sktsmtl.data.label_columns import check_label_columns, is_label_columns


def test_is_label_columns():
    assert is_label_columns({"a": [0, 1]})
    assert is_label_columns(pd.DataFrame({"a": [0, 1]}))
    assert is_label_columns(np.zeros((3, 2)))
    assert is_label_columns([[0, 1], [1, 0]])
    assert not is_label_columns(np.zeros(3))
    assert not is_label_columns(np.zeros((3, 1)))  # one column is one task's labels
    assert not is_label_columns([0, 1, 1])


def test_codes_classes_and_missing_values():
    y = np.array([[0, np.nan], [1, 2.0], [1, 3.0], [0, 2.0]])
    cols = check_label_columns(y, 4)
    assert cols.tasks == [0, 1] and cols.form == "array"
    assert cols.codes.tolist() == [[0, -1], [1, 0], [1, 1], [0, 0]]
    assert cols.classes[1].tolist() == [2.0, 3.0]
    assert cols.task_labels(1).tolist() == [2.0, 3.0, 2.0]
    assert cols.labelled(1).tolist() == [1, 2, 3]
    frame = pd.DataFrame({"g": pd.array([1, None, 2, 1], dtype="Int64"),
                          "s": ["x", "y", None, "x"]})
    cols = check_label_columns(frame, 4)
    assert cols.form == "frame" and cols.tasks == ["g", "s"]
    assert cols.codes.tolist() == [[0, 0], [-1, 1], [1, -1], [0, 0]]
    assert cols.classes["s"].dtype.kind == "U"
    masked = np.ma.masked_array([[0, 1], [1, 0], [1, 1]], mask=[[0, 0], [1, 0], [0, 0]])
    assert check_label_columns(masked, 3).codes[:, 0].tolist() == [0, -1, 1]


@pytest.mark.parametrize("y, n, error, message", [
    ({}, 2, ValueError, "empty dict"),
    ({None: [0, 1]}, 2, ValueError, "None is not a valid task"),
    ({"a": np.zeros((2, 2))}, 2, ValueError, "task 'a': y must be 1D"),
    ({"a": [0, 1], "b": [0, 1, 1]}, 2, ValueError, "differ in length"),
    (np.zeros((3, 2, 2)), 3, ValueError, "must be 2D"),
    ({"a": [0, 1, 0]}, 4, ValueError, "task 'a': X has 4 series but y has 3"),
    ({"a": [0, 0, 0]}, 3, ValueError, "task 'a': y has one class"),
    ({"a": [None, None]}, 2, ValueError, "task 'a': y has no label"),
    ({"a": np.array([1, "x"], dtype=object)}, 2, TypeError, "task 'a': labels of mixed"),
    ({"a": (v for v in [0, 1])}, 2, TypeError, "read only once"),
])
def test_bad_label_columns(y, n, error, message):
    with pytest.raises(error, match=message):
        check_label_columns(y, n)


def test_codes_over_several_blocks_match_a_direct_coding():
    # more rows than one block of label coding, with missing labels and classes that
    # only appear in later blocks
    from sktsmtl.data.label_columns import _BLOCK

    rng = np.random.default_rng(0)
    n = 2 * _BLOCK + 123
    ints = rng.integers(0, 5, n).astype(float)
    ints[rng.random(n) < 0.1] = np.nan
    ints[-1] = 7.0  # a class seen in the last block only
    words = np.array(["b", "a", "c"], dtype=object)[rng.integers(0, 3, n)]
    words[rng.random(n) < 0.1] = None
    words[-2] = "zz"
    cols = check_label_columns({"i": ints, "w": words}, n)
    assert cols.codes.dtype == np.int8
    for task, column in (("i", ints), ("w", words)):
        present = np.array([v is not None and v == v for v in column])
        classes = np.unique(np.asarray(column[present].tolist()))
        assert cols.classes[task].tolist() == classes.tolist()
        expected = np.full(n, -1)
        expected[present] = np.searchsorted(classes, np.asarray(column[present].tolist()))
        assert cols.codes[:, cols.tasks.index(task)].tolist() == expected.tolist()
    mixed = np.array([0] * _BLOCK + ["x"] * 3, dtype=object)  # one type per block
    with pytest.raises(TypeError, match="task 'm': labels of mixed"):
        check_label_columns({"m": mixed}, len(mixed))
