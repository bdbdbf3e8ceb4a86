"""TemplateDistance, PairwiseDistance and pairwise_distance against naive broadcasts."""

import pytest
import torch

from sktsmtl.nets import PairwiseDistance, TemplateDistance, pairwise_distance


def _naive(x, t, distance):
    # (B, 1, C, n, 1) - (1, k, C, 1, m) -> (B, k, C, n, m)
    diff = x[:, None, :, :, None] - t[None, :, :, None, :]
    sq = diff.square().sum(dim=2)
    return sq if distance == "squared" else sq.sqrt()


@pytest.mark.parametrize("distance", ["squared", "abs"])
@pytest.mark.parametrize("channels", [1, 3])
def test_template_distance_matches_naive(distance, channels):
    torch.manual_seed(0)
    layer = TemplateDistance(5, 7, in_channels=channels, distance=distance)
    x = torch.randn(4, channels, 11)
    out = layer(x)
    assert out.shape == (4, 5, 11, 7)
    expected = _naive(x, layer.templates.detach(), distance)
    torch.testing.assert_close(out.detach(), expected, atol=1e-4, rtol=1e-4)
    assert (out >= 0).all()


def test_template_distance_is_channels_last_and_accepts_2d():
    layer = TemplateDistance(3, 4)
    out = layer(torch.randn(2, 9))
    assert out.shape == (2, 3, 9, 4)
    assert out.is_contiguous(memory_format=torch.channels_last)


@pytest.mark.parametrize("distance", ["squared", "abs"])
def test_gradients_reach_templates(distance):
    torch.manual_seed(0)
    layer = TemplateDistance(3, 5, in_channels=2, distance=distance)
    x = torch.randn(2, 2, 6, requires_grad=True)
    layer(x).sum().backward()
    assert layer.templates.grad is not None
    assert torch.isfinite(layer.templates.grad).all()
    assert layer.templates.grad.abs().sum() > 0
    assert torch.isfinite(x.grad).all()


def test_abs_gradient_finite_where_points_coincide():
    layer = TemplateDistance(1, 3, in_channels=2, distance="abs")
    x = layer.templates.detach().clone()  # (1, 2, 3): every template point appears
    layer(x).sum().backward()
    assert torch.isfinite(layer.templates.grad).all()


def test_random_walk_init_is_normalised():
    torch.manual_seed(0)
    t = TemplateDistance(6, 50, in_channels=2, init="random_walk").templates.detach()
    torch.testing.assert_close(t.mean(-1), torch.zeros(6, 2), atol=1e-5, rtol=0)
    torch.testing.assert_close(t.std(-1, unbiased=False), torch.ones(6, 2), atol=1e-4, rtol=0)


def test_invalid_arguments():
    with pytest.raises(ValueError, match="distance"):
        TemplateDistance(2, 3, distance="cosine")
    with pytest.raises(ValueError, match="init"):
        TemplateDistance(2, 3, init="zeros")
    with pytest.raises(ValueError, match="channel"):
        TemplateDistance(2, 3, in_channels=2)(torch.randn(1, 3, 5))


@pytest.mark.parametrize("distance", ["squared", "abs"])
@pytest.mark.parametrize("channels", [1, 2])
def test_pairwise_distance_pairs(distance, channels):
    torch.manual_seed(1)
    a, b = torch.randn(3, channels, 8), torch.randn(3, channels, 5)
    out = PairwiseDistance(distance)(a, b)
    assert out.shape == (3, 1, 8, 5)
    for i in range(3):
        expected = _naive(a[i:i + 1], b[i:i + 1], distance)
        torch.testing.assert_close(out[i:i + 1], expected, atol=1e-4, rtol=1e-4)


def test_pairwise_distance_euclidean_diagonal():
    # for equal lengths the diagonal sums to the squared Euclidean distance
    a, b = torch.randn(2, 1, 6), torch.randn(2, 1, 6)
    d = pairwise_distance(a, b, paired=True)
    diag = torch.diagonal(d[:, 0], dim1=-2, dim2=-1).sum(-1)
    torch.testing.assert_close(diag, (a - b).square().sum((1, 2)), atol=1e-4, rtol=1e-4)


def test_pairwise_distance_checks_shapes():
    with pytest.raises(ValueError, match="rows"):
        pairwise_distance(torch.randn(2, 5), torch.randn(3, 5), paired=True)
    with pytest.raises(ValueError, match="channel"):
        pairwise_distance(torch.randn(2, 1, 5), torch.randn(3, 2, 5))


@pytest.mark.parametrize("channels", [1, 3])
def test_analytic_gradient_matches_autograd_of_naive(channels):
    torch.manual_seed(0)
    layer = TemplateDistance(4, 6, in_channels=channels).double()
    x = torch.randn(3, channels, 7, dtype=torch.float64, requires_grad=True)
    weight = torch.randn(3, 4, 7, 6, dtype=torch.float64)
    (layer(x) * weight).sum().backward()
    t = layer.templates.detach().clone().requires_grad_(True)
    x2 = x.detach().clone().requires_grad_(True)
    (_naive(x2, t, "squared") * weight).sum().backward()
    torch.testing.assert_close(layer.templates.grad, t.grad)
    torch.testing.assert_close(x.grad, x2.grad)


def test_gradcheck():
    torch.manual_seed(0)
    x = torch.randn(2, 2, 4, dtype=torch.float64, requires_grad=True)
    t = torch.randn(3, 2, 5, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda a, b: pairwise_distance(a, b), (x, t))
