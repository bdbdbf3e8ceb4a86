"""Reference implementations for the DTW tests: plain O(nm) Python, no numba."""

import math
from fractions import Fraction

import numpy as np
import pytest


def reference_radius(n, m, window):
    """Sakoe-Chiba radius from its definition, in exact rational arithmetic."""
    if window is None:
        return max(n, m)
    r = math.ceil(Fraction(str(window)) * max(n, m))
    return min(max(n, m), max(r, abs(n - m)))


def reference_dtw(a, b, window=None):
    """Sum of squared differences along the best path; full O(nm) DP in pure Python."""
    a = np.atleast_2d(np.asarray(a, dtype=float))
    b = np.atleast_2d(np.asarray(b, dtype=float))
    n, m = a.shape[1], b.shape[1]
    r = reference_radius(n, m, window)
    A, B = a.T.tolist(), b.T.tolist()
    inf = float("inf")
    D = [[inf] * (m + 1) for _ in range(n + 1)]
    D[0][0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            if abs(i - j) > r:
                continue
            cost = sum((x - y) ** 2 for x, y in zip(A[i - 1], B[j - 1]))
            D[i][j] = cost + min(D[i - 1][j - 1], D[i - 1][j], D[i][j - 1])
    return D[n][m]


@pytest.fixture(scope="session")
def ref_dtw():
    return reference_dtw


@pytest.fixture(scope="session")
def ref_radius():
    return reference_radius
