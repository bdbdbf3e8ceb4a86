"""Soft-DTW in torch: plain-Python reference DP, the gamma -> 0 limit, exact gradients."""

import doctest
import importlib
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from sktsmtl.distances import SoftDTWLoss, dtw_distance, sakoe_chiba_radius, soft_dtw

torch.set_num_threads(1)


# -- references ------------------------------------------------------------------------
def reference_soft_dtw(a, b, gamma, window=None):
    """Soft-DTW of one pair by the textbook O(nm) DP in plain Python floats."""
    a = np.atleast_2d(np.asarray(a, dtype=float))
    b = np.atleast_2d(np.asarray(b, dtype=float))
    n, m = a.shape[1], b.shape[1]
    r = sakoe_chiba_radius(n, m, window)
    A, B = a.T.tolist(), b.T.tolist()
    inf = math.inf
    R = [[inf] * (m + 1) for _ in range(n + 1)]
    R[0][0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            if abs(i - j) > r:
                continue
            prev = [R[i - 1][j - 1], R[i - 1][j], R[i][j - 1]]
            finite = [p for p in prev if p < inf]
            lo = min(finite)
            smin = lo - gamma * math.log(sum(math.exp(-(p - lo) / gamma) for p in finite))
            cost = sum((x - y) ** 2 for x, y in zip(A[i - 1], B[j - 1]))
            R[i][j] = cost + smin
    return R[n][m]


def naive_torch_soft_dtw(x, y, gamma, window=None):
    """Soft-DTW of one pair (C, n), (C, m) with scalar torch ops (autograd-able)."""
    n, m = x.shape[1], y.shape[1]
    r = sakoe_chiba_radius(n, m, window)
    inf = torch.tensor(math.inf, dtype=x.dtype)
    R = [[inf] * (m + 1) for _ in range(n + 1)]
    R[0][0] = torch.tensor(0.0, dtype=x.dtype)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            if abs(i - j) > r:
                continue
            prev = torch.stack([R[i - 1][j - 1], R[i - 1][j], R[i][j - 1]])
            smin = -gamma * torch.logsumexp(-prev / gamma, dim=0)
            R[i][j] = ((x[:, i - 1] - y[:, j - 1]) ** 2).sum() + smin
    return R[n][m]


def _rand(rng, *shape):
    return torch.from_numpy(rng.normal(size=shape))


CASES = [  # (n, m, C, window, gamma)
    (8, 8, 1, None, 1.0),
    (9, 13, 1, None, 0.1),
    (13, 7, 2, None, 0.5),
    (12, 12, 3, 0.1, 1.0),
    (10, 14, 1, 0.1, 0.3),  # radius widened to |n - m|
    (15, 11, 2, 0.25, 2.0),
    (10, 10, 1, 0.0, 0.7),
    (6, 9, 2, 0.0, 0.05),
    (11, 11, 1, 1.0, 1.0),
    (1, 5, 1, None, 1.0),
    (4, 1, 2, 0.5, 1.0),
    (1, 1, 1, None, 1.0),
]


# -- values ----------------------------------------------------------------------------
@pytest.mark.parametrize("n, m, C, window, gamma", CASES)
def test_matches_reference_dp(n, m, C, window, gamma):
    rng = np.random.default_rng(n * 100 + m * 10 + C)
    x, y = _rand(rng, 4, C, n), _rand(rng, 4, C, m)
    got = soft_dtw(x, y, gamma=gamma, window=window)
    assert got.shape == (4,) and got.dtype == torch.float64
    for b in range(4):
        want = reference_soft_dtw(x[b].numpy(), y[b].numpy(), gamma, window)
        assert got[b].item() == pytest.approx(want, rel=1e-8, abs=1e-8)


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 9),
    m=st.integers(1, 9),
    C=st.integers(1, 3),
    window=st.one_of(st.none(), st.floats(0.0, 1.0)),
    gamma=st.floats(0.01, 10.0),
    seed=st.integers(0, 2**16),
)
def test_matches_reference_dp_random(n, m, C, window, gamma, seed):
    rng = np.random.default_rng(seed)
    x, y = _rand(rng, 2, C, n), _rand(rng, 2, C, m)
    got = soft_dtw(x, y, gamma=gamma, window=window)
    for b in range(2):
        want = reference_soft_dtw(x[b].numpy(), y[b].numpy(), gamma, window)
        assert got[b].item() == pytest.approx(want, rel=1e-8, abs=1e-8)


def test_univariate_2d_input_equals_one_channel():
    rng = np.random.default_rng(1)
    x, y = _rand(rng, 3, 10), _rand(rng, 3, 7)
    assert torch.equal(soft_dtw(x, y, 0.5), soft_dtw(x[:, None], y[:, None], 0.5))
    assert torch.equal(soft_dtw(x, y[:, None], 0.5), soft_dtw(x[:, None], y, 0.5))


@pytest.mark.parametrize("window", [None, 0.0, 0.1, 0.3, 1.0])
@pytest.mark.parametrize("n, m, C", [(20, 20, 1), (17, 25, 2), (30, 12, 3)])
def test_tends_to_exact_dtw(n, m, C, window):
    rng = np.random.default_rng(n + m + C)
    x, y = _rand(rng, 3, C, n), _rand(rng, 3, C, m)
    previous = None
    for gamma in (1.0, 1e-2, 1e-4):
        got = soft_dtw(x, y, gamma=gamma, window=window)
        for b in range(3):
            exact = dtw_distance(x[b].numpy(), y[b].numpy(), window=window, squared=True)
            assert got[b].item() <= exact + 1e-9  # softmin <= min
            if gamma == 1e-4:
                assert got[b].item() == pytest.approx(exact, rel=1e-3, abs=1e-6)
        if previous is not None:  # soft-DTW increases as gamma decreases
            assert torch.all(got >= previous - 1e-9)
        previous = got


def test_zero_window_equal_lengths_is_squared_euclidean():
    rng = np.random.default_rng(2)
    x, y = _rand(rng, 5, 2, 16), _rand(rng, 5, 2, 16)
    want = ((x - y) ** 2).sum(dim=(1, 2))
    for gamma in (0.01, 1.0, 10.0):
        torch.testing.assert_close(soft_dtw(x, y, gamma, window=0.0), want, rtol=1e-12, atol=1e-12)


def test_batch_equals_per_pair_calls():
    rng = np.random.default_rng(3)
    x, y = _rand(rng, 6, 2, 14), _rand(rng, 6, 2, 19)
    for window in (None, 0.2):
        batched = soft_dtw(x, y, 0.3, window)
        single = torch.cat([soft_dtw(x[b:b + 1], y[b:b + 1], 0.3, window) for b in range(6)])
        torch.testing.assert_close(batched, single, rtol=1e-12, atol=1e-12)
        xg, yg = x.clone().requires_grad_(), y.clone().requires_grad_()
        soft_dtw(xg, yg, 0.3, window).sum().backward()
        for b in range(6):
            xb, yb = x[b:b + 1].clone().requires_grad_(), y[b:b + 1].clone().requires_grad_()
            soft_dtw(xb, yb, 0.3, window).sum().backward()
            torch.testing.assert_close(xg.grad[b:b + 1], xb.grad, rtol=1e-10, atol=1e-12)
            torch.testing.assert_close(yg.grad[b:b + 1], yb.grad, rtol=1e-10, atol=1e-12)


def test_float32_close_to_float64_and_keeps_dtype():
    rng = np.random.default_rng(4)
    x, y = _rand(rng, 3, 2, 40), _rand(rng, 3, 2, 33)
    for window in (None, 0.1):
        want = soft_dtw(x, y, 0.1, window)
        x32 = x.float().requires_grad_()
        got = soft_dtw(x32, y.float(), 0.1, window)
        assert got.dtype == torch.float32
        torch.testing.assert_close(got.double(), want, rtol=1e-5, atol=1e-4)
        got.sum().backward()
        assert x32.grad.dtype == torch.float32 and torch.isfinite(x32.grad).all()
        xg = x.clone().requires_grad_()
        soft_dtw(xg, y, 0.1, window).sum().backward()
        torch.testing.assert_close(x32.grad.double(), xg.grad, rtol=1e-3, atol=1e-3)


def test_mixed_dtypes_promote():
    rng = np.random.default_rng(5)
    x, y = _rand(rng, 2, 6), _rand(rng, 2, 5)
    assert soft_dtw(x.float(), y, 1.0).dtype == torch.float64


def test_accepts_numpy_arrays():
    rng = np.random.default_rng(6)
    x, y = rng.normal(size=(2, 7)), rng.normal(size=(2, 9))
    got = soft_dtw(x, y, 0.5)
    assert got.dtype == torch.float64
    want = soft_dtw(torch.from_numpy(x), torch.from_numpy(y), 0.5)
    torch.testing.assert_close(got, want)


def test_large_values_stay_finite():
    rng = np.random.default_rng(7)
    x, y = 100 * _rand(rng, 2, 30), 100 * _rand(rng, 2, 25)
    x.requires_grad_()
    value = soft_dtw(x, y, gamma=0.01, window=0.2)
    value.sum().backward()
    assert torch.isfinite(value).all() and torch.isfinite(x.grad).all()


# -- gradients -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "n, m, C, window, gamma",
    [(5, 5, 1, None, 1.0), (4, 6, 2, None, 0.3), (6, 5, 1, 0.2, 0.5), (7, 7, 2, 0.0, 1.0),
     (5, 8, 1, 0.1, 0.1), (1, 3, 1, None, 1.0)],
)
def test_gradcheck(n, m, C, window, gamma):
    rng = np.random.default_rng(10 * n + m)
    x = _rand(rng, 2, C, n).requires_grad_()
    y = _rand(rng, 2, C, m).requires_grad_()
    assert torch.autograd.gradcheck(
        lambda a, b: soft_dtw(a, b, gamma=gamma, window=window), (x, y), eps=1e-6, atol=1e-6
    )


@pytest.mark.parametrize("window", [None, 0.0, 0.2, 0.5])
def test_gradient_equals_naive_autograd(window):
    rng = np.random.default_rng(11)
    x, y = _rand(rng, 3, 2, 6), _rand(rng, 3, 2, 8)
    weights = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64)
    xg, yg = x.clone().requires_grad_(), y.clone().requires_grad_()
    (soft_dtw(xg, yg, 0.4, window) * weights).sum().backward()
    for b in range(3):
        xb, yb = x[b].clone().requires_grad_(), y[b].clone().requires_grad_()
        value = naive_torch_soft_dtw(xb, yb, 0.4, window)
        assert value.item() == pytest.approx(
            soft_dtw(x[b:b + 1], y[b:b + 1], 0.4, window).item(), rel=1e-10, abs=1e-10
        )
        (weights[b] * value).backward()
        torch.testing.assert_close(xg.grad[b], xb.grad, rtol=1e-9, atol=1e-10)
        torch.testing.assert_close(yg.grad[b], yb.grad, rtol=1e-9, atol=1e-10)


def test_gradient_equals_finite_differences():
    rng = np.random.default_rng(12)
    x, y = _rand(rng, 1, 9), _rand(rng, 1, 12)
    xg = x.clone().requires_grad_()
    soft_dtw(xg, y, 0.2, 0.3).sum().backward()
    eps = 1e-6
    for t in range(9):
        up, down = x.clone(), x.clone()
        up[0, t] += eps
        down[0, t] -= eps
        fd = (reference_soft_dtw(up[0], y[0], 0.2, 0.3)
              - reference_soft_dtw(down[0], y[0], 0.2, 0.3)) / (2 * eps)
        assert xg.grad[0, t].item() == pytest.approx(fd, rel=1e-5, abs=1e-7)


def test_identical_series_have_zero_gradient_at_small_gamma():
    x = torch.linspace(0, 1, 10, dtype=torch.float64)[None].requires_grad_()
    soft_dtw(x, x.detach(), gamma=1e-3).sum().backward()
    assert torch.allclose(x.grad, torch.zeros_like(x), atol=1e-5)  # soft alignment: ~1e-6


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_matches_cpu():
    rng = np.random.default_rng(13)
    x, y = _rand(rng, 4, 2, 20), _rand(rng, 4, 2, 17)
    xc = x.cuda().requires_grad_()
    got = soft_dtw(xc, y.cuda(), 0.5, 0.2)
    got.sum().backward()
    xg = x.clone().requires_grad_()
    want = soft_dtw(xg, y, 0.5, 0.2)
    want.sum().backward()
    torch.testing.assert_close(got.cpu(), want)
    torch.testing.assert_close(xc.grad.cpu(), xg.grad)


# -- the loss module -------------------------------------------------------------------
def test_loss_module():
    rng = np.random.default_rng(14)
    x, y = _rand(rng, 4, 2, 10), _rand(rng, 4, 2, 12)
    values = soft_dtw(x, y, 0.5, 0.3)
    assert SoftDTWLoss(0.5, 0.3)(x, y).item() == pytest.approx(values.mean().item())
    assert SoftDTWLoss(0.5, 0.3, reduction="sum")(x, y).item() == pytest.approx(
        values.sum().item()
    )
    torch.testing.assert_close(SoftDTWLoss(0.5, 0.3, reduction="none")(x, y), values)
    divergence = SoftDTWLoss(0.5, normalize=True, reduction="none")
    assert torch.allclose(divergence(x, x), torch.zeros(4, dtype=torch.float64), atol=1e-12)
    assert torch.all(divergence(x, y) > 0)
    xg = x.clone().requires_grad_()
    divergence(xg, y).sum().backward()
    assert torch.isfinite(xg.grad).all()
    assert "gamma=0.5" in repr(divergence)


def test_loss_module_bad_parameters():
    with pytest.raises(ValueError, match="gamma"):
        SoftDTWLoss(gamma=0.0)
    with pytest.raises(ValueError, match="window"):
        SoftDTWLoss(window=2.0)
    with pytest.raises(ValueError, match="reduction"):
        SoftDTWLoss(reduction="max")
    with pytest.raises(TypeError, match="normalize"):
        SoftDTWLoss(normalize="yes")


# -- errors ----------------------------------------------------------------------------
@pytest.mark.parametrize("gamma", [0.0, -1.0, float("nan"), float("inf")])
def test_bad_gamma_raises(gamma):
    x = torch.zeros(1, 4)
    with pytest.raises(ValueError, match="gamma"):
        soft_dtw(x, x, gamma=gamma)


def test_non_numeric_gamma_raises():
    x = torch.zeros(1, 4)
    with pytest.raises(TypeError, match="gamma"):
        soft_dtw(x, x, gamma="1")
    with pytest.raises(TypeError, match="gamma"):
        soft_dtw(x, x, gamma=True)


@pytest.mark.parametrize("window", [-0.1, 1.5, float("nan")])
def test_bad_window_raises(window):
    x = torch.zeros(1, 4)
    with pytest.raises(ValueError, match="window"):
        soft_dtw(x, x, window=window)


def test_nan_and_inf_inputs_raise():
    x, bad = torch.zeros(2, 5), torch.zeros(2, 5)
    bad[1, 2] = float("nan")
    with pytest.raises(ValueError, match="y contains NaN"):
        soft_dtw(x, bad)
    with pytest.raises(ValueError, match="x contains NaN"):
        soft_dtw(bad, x)
    bad[1, 2] = float("inf")
    with pytest.raises(ValueError, match="inf"):
        soft_dtw(bad, x)


def test_shape_mismatches_raise():
    with pytest.raises(ValueError, match="channels"):
        soft_dtw(torch.zeros(2, 3, 5), torch.zeros(2, 2, 5))
    with pytest.raises(ValueError, match="channels"):
        soft_dtw(torch.zeros(2, 5), torch.zeros(2, 2, 5))
    with pytest.raises(ValueError, match="series"):
        soft_dtw(torch.zeros(2, 5), torch.zeros(3, 5))
    with pytest.raises(ValueError, match="dimensions"):
        soft_dtw(torch.zeros(5), torch.zeros(5))
    with pytest.raises(ValueError, match="dimensions"):
        soft_dtw(torch.zeros(1, 1, 1, 5), torch.zeros(1, 1, 1, 5))
    with pytest.raises(ValueError, match="empty"):
        soft_dtw(torch.zeros(2, 0), torch.zeros(2, 5))


def test_complex_input_raises():
    with pytest.raises(TypeError, match="complex"):
        soft_dtw(torch.zeros(1, 4, dtype=torch.complex64), torch.zeros(1, 4))


def test_docstring_examples():
    module = importlib.import_module("sktsmtl.distances.softdtw")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
