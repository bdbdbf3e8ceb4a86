"""Every transformer gives the output back in the form of its input."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sktsmtl.data import TaskPanel
from sktsmtl.preprocessing import MissingValueImputer, Resampler, ZNormalizer

TRANSFORMERS = [MissingValueImputer(), ZNormalizer(), Resampler(), Resampler(length=7)]
IDS = ["imputer", "znorm", "resampler", "resampler7"]


def _expected_length(transformer, task, input_length):
    if isinstance(transformer, Resampler):
        return transformer.length_[task]
    return input_length


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=IDS)
def test_dict_gives_dict_of_same_forms(transformer, tasks_X):
    out = transformer.fit(tasks_X).transform(tasks_X)
    assert type(out) is dict and list(out) == ["uni", "multi", "ragged"]
    assert isinstance(out["uni"], np.ndarray)
    assert out["uni"].shape == (3, _expected_length(transformer, "uni", 6))
    assert isinstance(out["multi"], np.ndarray)
    assert out["multi"].shape == (2, 2, _expected_length(transformer, "multi", 5))
    assert type(out["ragged"]) is list
    for s, s_in in zip(out["ragged"], tasks_X["ragged"]):
        assert s.shape == (_expected_length(transformer, "ragged", len(s_in)),)


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=IDS)
def test_panel_gives_panel(transformer, panel, panel_order, tasks_X):
    out = transformer.fit(panel).transform(panel)
    assert type(out) is TaskPanel
    assert_array_equal(out.task_ids, panel.task_ids)
    assert out.tasks == panel.tasks
    for task in panel.tasks:
        assert out.is_univariate(task) == panel.is_univariate(task)
    for s_out, s_in, task in zip(out.series, panel.series, panel.task_ids):
        assert s_out.shape[0] == s_in.shape[0]
        assert s_out.shape[1] == _expected_length(transformer, task, s_in.shape[1])
    # same values as through the dict form (rows of from_dict in task order)
    from_dict = transformer.fit(tasks_X).transform(tasks_X)
    rows = [s[np.newaxis] if s.ndim == 1 else s for s in from_dict["uni"]]
    rows += list(from_dict["multi"]) + [s[np.newaxis] for s in from_dict["ragged"]]
    for s_out, original_row in zip(out.series, panel_order):
        expected = rows[original_row]
        assert_allclose(s_out, expected[:, : s_out.shape[1]])


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=IDS)
def test_panel_keeps_univariate_flag_of_one_channel_3d_task(transformer):
    panel = TaskPanel.from_dict({"a": np.random.RandomState(0).normal(size=(3, 1, 6))})
    assert not panel.is_univariate("a")
    out = transformer.fit_transform(panel)
    assert not out.is_univariate("a")
    assert out.to_dict()["a"].ndim == 3


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=IDS)
def test_panel_with_trailing_nan_series_keeps_their_length(transformer):
    # a TaskPanel built by hand may hold series with their padding
    series = [np.array([[1.0, 3.0, np.nan]]), np.array([[0.0, 1.0, 2.0, 3.0]])]
    panel = TaskPanel(series, ["a", "a"])
    out = transformer.fit_transform(panel)
    if isinstance(transformer, Resampler):
        assert [s.shape for s in out.series] == [(1, transformer.length_["a"])] * 2
        assert transformer.length_["a"] in (4, 7)
    else:
        assert [s.shape for s in out.series] == [(1, 3), (1, 4)]
        assert np.isnan(out.series[0][0, 2])


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=IDS)
def test_2d_array_gives_2d_array(transformer, univariate_padded):
    out = transformer.fit_transform(univariate_padded)
    assert type(out) is np.ndarray and out.dtype == np.float64
    assert out.shape == (3, _expected_length(transformer, "default", 6))
    assert transformer.n_features_in_ == 6
    assert transformer.tasks_ == ["default"]


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=IDS)
def test_3d_array_gives_3d_array(transformer, multivariate):
    out = transformer.fit_transform(multivariate)
    assert type(out) is np.ndarray
    assert out.shape == (2, 2, _expected_length(transformer, "default", 5))
    assert not hasattr(transformer, "n_features_in_")
    assert transformer.n_channels_ == {"default": 2}


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=IDS)
def test_list_gives_list(transformer, ragged):
    out = transformer.fit_transform(ragged)
    assert type(out) is list and len(out) == 3
    for s, s_in in zip(out, ragged):
        assert s.shape == (_expected_length(transformer, "default", len(s_in)),)
    multi = [np.ones((2, 4)), np.arange(6.0).reshape(2, 3)]
    out = transformer.fit_transform(multi)
    assert type(out) is list
    assert [s.shape[0] for s in out] == [2, 2] and all(s.ndim == 2 for s in out)


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=IDS)
def test_int_array_input(transformer):
    X = np.arange(12).reshape(3, 4)
    out = transformer.fit_transform(X)
    assert out.dtype == np.float64 and out.shape[0] == 3


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=IDS)
def test_refit_on_other_form_drops_n_features_in(transformer, univariate_padded, tasks_X):
    transformer.fit(univariate_padded)
    assert transformer.n_features_in_ == 6
    transformer.fit(tasks_X)
    assert not hasattr(transformer, "n_features_in_")
    assert transformer.tasks_ == ["uni", "multi", "ragged"]
    assert transformer.n_channels_ == {"uni": 1, "multi": 2, "ragged": 1}


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=IDS)
def test_transform_a_subset_of_tasks(transformer, tasks_X):
    transformer.fit(tasks_X)
    out = transformer.transform({"multi": tasks_X["multi"]})
    assert list(out) == ["multi"]


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=IDS)
def test_tags(transformer):
    tags = transformer.__sklearn_tags__()
    assert tags.input_tags.allow_nan
    assert tags.input_tags.three_d_array
    assert tags.requires_fit
