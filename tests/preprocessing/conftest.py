"""Shared inputs of the preprocessing tests: one small data set in every input form."""

import numpy as np
import pytest

from sktsmtl.data import TaskPanel

NAN = np.nan


@pytest.fixture
def univariate_padded():
    """(3, 6) UCR-style array: a missing value, leading missing, trailing padding."""
    return np.array(
        [
            [1.0, NAN, 3.0, 4.0, 5.0, 6.0],
            [NAN, 2.0, 4.0, NAN, NAN, NAN],
            [0.0, 1.0, 0.0, 1.0, 0.0, 1.0],
        ]
    )


@pytest.fixture
def multivariate():
    """(2, 2, 5) array; the second series is padded after 3 steps."""
    return np.array(
        [
            [[1.0, 2.0, NAN, 4.0, 5.0], [0.0, NAN, 2.0, NAN, NAN]],
            [[3.0, NAN, 1.0, NAN, NAN], [1.0, 1.0, 1.0, NAN, NAN]],
        ]
    )


@pytest.fixture
def ragged():
    """List of 1D series of varying length, one with a missing value."""
    return [
        np.array([0.0, 2.0, 4.0]),
        np.array([1.0, NAN, 3.0, 4.0, 8.0]),
        np.array([5.0, 6.0]),
    ]


@pytest.fixture
def tasks_X(univariate_padded, multivariate, ragged):
    return {"uni": univariate_padded, "multi": multivariate, "ragged": ragged}


@pytest.fixture
def panel_order():
    """Row order of ``panel`` in terms of the rows of ``TaskPanel.from_dict(tasks_X)``."""
    return np.random.RandomState(0).permutation(8)


@pytest.fixture
def panel(tasks_X, panel_order):
    """A TaskPanel of the three tasks, rows interleaved across tasks."""
    return TaskPanel.from_dict(tasks_X)[panel_order]
