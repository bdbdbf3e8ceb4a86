"""Bad input gets a clear error that names the task."""

import numpy as np
import pytest
from scipy import sparse
from sklearn.exceptions import NotFittedError

from sktsmtl.data import TaskPanel
from sktsmtl.preprocessing import MissingValueImputer, Resampler, ZNormalizer

TRANSFORMERS = [MissingValueImputer, ZNormalizer, Resampler]


@pytest.fixture(params=TRANSFORMERS, ids=lambda cls: cls.__name__)
def transformer(request):
    return request.param()


def _good():
    return {"a": np.zeros((3, 5)), "b": np.ones((2, 2, 4))}


def test_inf_in_dict_names_task(transformer):
    X = _good()
    X["b"][1, 0, 2] = np.inf
    with pytest.raises(ValueError, match=r"task 'b': series 1 contains inf"):
        transformer.fit(X)
    transformer.fit(_good())
    with pytest.raises(ValueError, match=r"task 'b'.*inf"):
        transformer.transform(X)


def test_inf_in_2d_array(transformer):
    X = np.zeros((3, 5))
    X[0, 0] = -np.inf
    with pytest.raises(ValueError, match=r"task 'default'.*infinity"):
        transformer.fit(X)


def test_inf_in_hand_built_panel_names_task(transformer):
    series = [np.zeros((1, 4)), np.array([[0.0, np.inf, 1.0]])]
    panel = TaskPanel(series, ["a", "z"])
    with pytest.raises(ValueError, match=r"task 'z': series 0 contains inf"):
        transformer.fit(panel)


def test_non_numeric_in_dict_names_task(transformer):
    X = {"a": np.zeros((2, 3)), "words": np.array([["x", "y"], ["z", "w"]])}
    with pytest.raises(TypeError, match=r"task 'words'"):
        transformer.fit(X)
    X = {"objs": [np.array([1.0, 2.0]), np.array([{"k": 1}, 2.0], dtype=object)]}
    with pytest.raises(TypeError, match=r"task 'objs'.*non-numeric"):
        transformer.fit(X)


def test_non_numeric_in_2d_array(transformer):
    with pytest.raises(ValueError, match=r"task 'default'.*could not convert"):
        transformer.fit(np.array([["1.0", "a"], ["2.0", "3.0"]]))


def test_unknown_task_at_transform(transformer):
    transformer.fit(_good())
    with pytest.raises(ValueError, match=r"task 'c' was not seen during fit"):
        transformer.transform({"a": np.zeros((1, 5)), "c": np.zeros((1, 5))})
    with pytest.raises(ValueError, match=r"task 'default' was not seen during fit"):
        transformer.transform(np.zeros((2, 5)))


def test_channel_count_change_names_task(transformer):
    transformer.fit(_good())
    with pytest.raises(ValueError, match=r"task 'b': X has 3 channels .* fitted with 2"):
        transformer.transform({"b": np.ones((2, 3, 4))})
    panel = TaskPanel.from_dict({"a": np.zeros((1, 2, 5))})
    with pytest.raises(ValueError, match=r"task 'a': X has 2 channels .* fitted with 1"):
        transformer.transform(panel)


def test_channel_count_change_for_arrays(transformer):
    transformer.fit(np.zeros((2, 3, 6)))
    with pytest.raises(ValueError, match=r"task 'default': X has 2 channels"):
        transformer.transform(np.zeros((2, 2, 6)))
    with pytest.raises(ValueError, match=r"task 'default': X has 1 channels"):
        transformer.transform(np.zeros((2, 6)))


def test_feature_count_change_for_2d_arrays(transformer):
    transformer.fit(np.zeros((2, 6)))
    with pytest.raises(ValueError, match=r"X has 5 features, but \w+ is expecting 6"):
        transformer.transform(np.zeros((2, 5)))
    # a list of series may have any length
    out = transformer.transform([np.zeros(5)])
    assert type(out) is list


def test_one_dimensional_array(transformer):
    with pytest.raises(ValueError, match=r"task 'default'.*Reshape your data"):
        transformer.fit(np.zeros(5))


def test_four_dimensional_array(transformer):
    with pytest.raises(ValueError, match=r"task 'default': X has 4 dimensions"):
        transformer.fit(np.zeros((2, 2, 2, 2)))


def test_sparse_input(transformer):
    with pytest.raises(TypeError, match="sparse"):
        transformer.fit(sparse.csr_matrix(np.ones((3, 4))))


def test_empty_task_and_all_nan_series(transformer):
    with pytest.raises(ValueError, match=r"task 'e': the task holds no series"):
        transformer.fit({"a": np.zeros((2, 3)), "e": []})
    with pytest.raises(ValueError, match=r"task 'n': series 1 is empty or all NaN"):
        transformer.fit({"n": np.array([[1.0, 2.0], [np.nan, np.nan]])})


def test_not_an_input(transformer):
    with pytest.raises(TypeError, match="X must be a dict"):
        transformer.fit("series")
    with pytest.raises(TypeError, match=r"task 'a'"):
        transformer.fit({"a": None})


def test_transform_before_fit(transformer):
    with pytest.raises(NotFittedError):
        transformer.transform(np.zeros((2, 3)))
