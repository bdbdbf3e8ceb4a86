"""template_conv2d: a convolution of the squared template distance maps, without the maps."""

import pytest
import torch
from torch.nn import functional as F

from sktsmtl.nets import pairwise_distance, template_conv2d


def _reference(x, templates, weight, bias, stride, padding, lengths=None):
    maps = pairwise_distance(x, templates)
    if lengths is not None:
        rows = torch.arange(x.shape[2])[None, :] < lengths[:, None]
        maps = maps * rows[:, None, :, None]
    return F.conv2d(maps, weight, bias, stride=stride, padding=padding)


def _inputs(channels, kernel, n=23, m=11, k=5, out=6):
    g = torch.Generator().manual_seed(channels * 10 + kernel)
    x = torch.randn(4, channels, n, generator=g, dtype=torch.float64, requires_grad=True)
    t = torch.randn(k, channels, m, generator=g, dtype=torch.float64, requires_grad=True)
    w = torch.randn(out, k, kernel, kernel, generator=g, dtype=torch.float64,
                    requires_grad=True)
    b = torch.randn(out, generator=g, dtype=torch.float64, requires_grad=True)
    return x, t, w, b


@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("kernel, stride, padding",
                         [(7, 4, 3), (3, 2, 1), (3, 1, 1), (1, 1, 0), (5, 3, 0)])
@pytest.mark.parametrize("padded", [False, True])
def test_equals_the_convolution_of_the_maps_with_its_gradients(
        channels, kernel, stride, padding, padded):
    x, t, w, b = _inputs(channels, kernel)
    lengths = torch.tensor([23, 17, 1, 22]) if padded else None
    fast = template_conv2d(x, t, w, b, stride, padding, lengths)
    slow = _reference(x, t, w, b, stride, padding, lengths)
    torch.testing.assert_close(fast, slow, rtol=1e-10, atol=1e-9)
    grads_fast = torch.autograd.grad(fast.square().sum(), (x, t, w, b))
    grads_slow = torch.autograd.grad(slow.square().sum(), (x, t, w, b))
    for a, e in zip(grads_fast, grads_slow):
        torch.testing.assert_close(a, e, rtol=1e-9, atol=1e-8)


def test_output_is_channels_last_and_bias_is_optional():
    x, t, w, _ = _inputs(1, 3)
    out = template_conv2d(x, t, w, stride=2, padding=1)
    assert out.shape == (4, 6, 12, 6)
    assert out.is_contiguous(memory_format=torch.channels_last)
    torch.testing.assert_close(out, _reference(x, t, w, None, 2, 1))


def test_short_series_and_templates():
    x, t, w, b = _inputs(2, 7, n=1, m=2)
    torch.testing.assert_close(template_conv2d(x, t, w, b, 4, 3),
                               _reference(x, t, w, b, 4, 3))


def test_padded_rows_do_not_reach_the_output_or_the_gradient():
    x, t, w, b = _inputs(1, 3)
    lengths = torch.tensor([23, 10, 5, 23])
    out = template_conv2d(x, t, w, b, 1, 1, lengths)
    (grad_x,) = torch.autograd.grad(out.sum(), (x,))
    assert (grad_x[1, :, 10:] == 0).all() and (grad_x[2, :, 5:] == 0).all()
    x2 = x.detach().clone()
    x2[1, :, 10:] = 1e3
    torch.testing.assert_close(template_conv2d(x2, t, w, b, 1, 1, lengths), out)


def test_bfloat16_autocast_computes_and_returns_float32():
    x, t, w, b = (a.detach().float() for a in _inputs(1, 7))
    x = x * 20 + 50  # unnormalised: a large common offset, a small variation
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = template_conv2d(x, t, w, b, 4, 3)
    assert out.dtype == torch.float32
    exact = _reference(x.double(), t.double(), w.double(), b.double(), 4, 3)
    # the variation across positions survives (bfloat16 would round it away)
    centred = exact - exact.mean(dim=(2, 3), keepdim=True)
    torch.testing.assert_close(out.double() - out.double().mean(dim=(2, 3), keepdim=True),
                               centred, rtol=1e-3, atol=1e-3 * centred.abs().max())


@pytest.mark.parametrize("args, match", [
    ((torch.randn(2, 5), torch.randn(3, 1, 4), torch.randn(2, 3, 3, 3)), "shapes"),
    ((torch.randn(2, 2, 5), torch.randn(3, 1, 4), torch.randn(2, 3, 3, 3)), "same C"),
    ((torch.randn(2, 1, 5), torch.randn(3, 1, 4), torch.randn(2, 4, 3, 3)), r"\(O, 3, K, K\)"),
    ((torch.randn(2, 1, 5), torch.randn(3, 1, 4), torch.randn(2, 3, 3, 1)), r"\(O, 3, K, K\)"),
])
def test_shapes_that_do_not_fit_are_refused(args, match):
    with pytest.raises(ValueError, match=match):
        template_conv2d(*args)


def test_a_bias_of_the_wrong_size_is_refused():
    with pytest.raises(ValueError, match="bias must have shape"):
        template_conv2d(torch.randn(2, 1, 5), torch.randn(3, 1, 4), torch.randn(2, 3, 3, 3),
                        torch.randn(3))
