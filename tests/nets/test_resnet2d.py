"""ResNet2D: shapes, short series, padding, presets, distance-map input."""

import pytest
import torch

from sktsmtl.nets import RESNET2D_PRESETS, PairwiseDistance, ResNet2D

TINY = dict(n_templates=3, template_length=5, n_blocks=2, width=4)


@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize("stem_stride", [1, 2])
def test_shapes(channels, stem_stride):
    net = ResNet2D(in_channels=channels, stem_stride=stem_stride, **TINY)
    assert net(torch.randn(2, channels, 25)).shape == (2, 4)
    assert net.embedding_dim == 4


@pytest.mark.parametrize("length", [1, 3, 8])
@pytest.mark.parametrize("stem_stride", [1, 2, 4])
def test_short_series_do_not_fail(length, stem_stride):
    # more downsampling steps than the map has pixels: the map stays 1x1
    net = ResNet2D(n_templates=2, template_length=3, n_blocks=6, width=4,
                   stem_stride=stem_stride)
    out = net(torch.randn(2, 1, length))
    assert out.shape == (2, 4)
    out.sum().backward()
    assert torch.isfinite(net.template_distance.templates.grad).all()


def test_gradients_reach_templates_and_all_parameters():
    net = ResNet2D(in_channels=2, **TINY)
    net(torch.randn(3, 2, 12)).sum().backward()
    assert net.template_distance.templates.grad.abs().sum() > 0
    assert all(p.grad is not None for p in net.parameters())


@pytest.mark.parametrize("train", [True, False])
@pytest.mark.parametrize("stem_stride", [1, 2])
def test_padding_is_ignored(train, stem_stride):
    torch.manual_seed(0)
    net = ResNet2D(stem_stride=stem_stride, **TINY).train(train)
    x = torch.randn(3, 1, 17)
    lengths = torch.tensor([17, 9, 4])
    x2 = x.clone()
    x2[1, :, 9:] = 50.0
    x2[2, :, 4:] = -3.0
    state = {k: v.clone() for k, v in net.state_dict().items()}
    out1 = net(x, lengths=lengths)
    net.load_state_dict(state)
    out2 = net(x2, lengths=lengths)
    torch.testing.assert_close(out1, out2, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("stem_stride", [1, 2])
def test_padded_equals_unpadded_in_eval(stem_stride):
    torch.manual_seed(0)
    net = ResNet2D(stem_stride=stem_stride, **TINY).eval()
    x = torch.randn(1, 1, 11)
    padded = torch.cat([x, torch.randn(1, 1, 6)], dim=-1)
    torch.testing.assert_close(net(padded, lengths=torch.tensor([11])), net(x),
                               atol=1e-5, rtol=1e-5)


def test_presets():
    assert {"paper", "cpu"} <= set(RESNET2D_PRESETS)
    assert RESNET2D_PRESETS["paper"] == dict(n_templates=64, template_length=512, n_blocks=8,
                                             width=64, stem_stride=1)
    net = ResNet2D.from_preset("paper", in_channels=2)
    assert (net.n_templates, net.template_length, net.n_blocks, net.width) == (64, 512, 8, 64)
    assert net.template_distance.templates.shape == (64, 2, 512)
    # the former default is kept as "large"
    assert RESNET2D_PRESETS["large"] == dict(n_templates=64, template_length=128, n_blocks=8,
                                             width=64, stem_stride=2)
    # the defaults are the cpu preset
    default = ResNet2D()
    for key, value in RESNET2D_PRESETS["cpu"].items():
        assert getattr(default, key) == value
    tiny = ResNet2D.from_preset("tiny", width=6)
    assert tiny.width == 6
    with pytest.raises(ValueError, match="preset"):
        ResNet2D.from_preset("huge")


def test_paper_architecture_counts():
    net = ResNet2D.from_preset("paper")
    assert len(net.blocks) == 8 and len(net.downsamples) == 8
    assert net.stem is None
    assert net.blocks[0].shortcut_conv is None  # k = width = 64: identity shortcut
    assert ResNet2D(n_templates=3, width=4, stem_stride=1).blocks[0].shortcut_conv is not None
    assert all(d.conv.stride == (2, 2) and d.conv.kernel_size == (3, 3)
               for d in net.downsamples)


def test_distance_map_input():
    torch.manual_seed(0)
    tower = ResNet2D(input_kind="distance_map", in_channels=1, n_blocks=2, width=4)
    assert tower.template_distance is None
    d = PairwiseDistance()(torch.randn(3, 1, 10), torch.randn(3, 1, 7))
    assert tower(d).shape == (3, 4)
    assert tower.forward_distance_map(d).shape == (3, 4)
    with pytest.raises(ValueError, match="distance maps"):
        tower(torch.randn(3, 2, 10, 7))


def test_distance_map_column_padding_ignored():
    torch.manual_seed(0)
    tower = ResNet2D(input_kind="distance_map", n_blocks=2, width=4).eval()
    d = torch.rand(2, 1, 9, 8)
    d2 = d.clone()
    d2[0, :, :, 5:] = 9.0
    lm = torch.tensor([5, 8])
    torch.testing.assert_close(tower.forward_distance_map(d, lengths_m=lm),
                               tower.forward_distance_map(d2, lengths_m=lm))


def test_series_forward_path_reuses_tower():
    torch.manual_seed(0)
    net = ResNet2D(**TINY).eval()
    x = torch.randn(2, 1, 10)
    torch.testing.assert_close(net(x), net.forward_distance_map(net.template_distance(x)))


def test_downsample_without_norm_act():
    net = ResNet2D(downsample_norm_act=False, **TINY)
    assert net.downsamples[0].norm is None
    assert net(torch.randn(2, 1, 9)).shape == (2, 4)


def test_contiguous_and_channels_last_agree():
    torch.manual_seed(0)
    a = ResNet2D(channels_last=True, **TINY).eval()
    b = ResNet2D(channels_last=False, **TINY).eval()
    b.load_state_dict(a.state_dict())
    x = torch.randn(2, 1, 14)
    torch.testing.assert_close(a(x), b(x), atol=1e-5, rtol=1e-5)


def test_invalid_arguments():
    with pytest.raises(ValueError, match="input_kind"):
        ResNet2D(input_kind="pairs")
    with pytest.raises(ValueError):
        ResNet2D(width=0)


@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize("geometry", [dict(stem_stride=4), dict(stem_stride=2),
                                      dict(stem_stride=1, n_blocks=0)])
@pytest.mark.parametrize("train", [True, False])
def test_the_stem_read_from_the_series_equals_the_stem_over_the_maps(
        channels, geometry, train):
    """fuse_template_stem computes the same function, values and gradients."""
    torch.manual_seed(0)
    kw = dict(in_channels=channels, n_templates=5, template_length=9, n_blocks=2, width=6)
    kw.update(geometry)
    fused, plain = ResNet2D(**kw).double(), ResNet2D(fuse_template_stem=False, **kw).double()
    plain.load_state_dict(fused.state_dict())
    assert fused._stem_reads_series() and not plain._stem_reads_series()
    if not train:  # running statistics away from 0 and 1, and folded into the stem
        warm = torch.randn(8, channels, 30, dtype=torch.float64) * 2 + 1
        for net in (fused, plain):
            net(warm)
    fused.train(train), plain.train(train)
    x = torch.randn(4, channels, 30, dtype=torch.float64, requires_grad=True)
    for lengths in (None, torch.tensor([30, 21, 2, 29])):
        a, b = fused(x, lengths), plain(x, lengths)
        torch.testing.assert_close(a, b, rtol=1e-9, atol=1e-9)
        grads_a = torch.autograd.grad(a.square().sum(), [x, *fused.parameters()])
        grads_b = torch.autograd.grad(b.square().sum(), [x, *plain.parameters()])
        for ga, gb in zip(grads_a, grads_b):
            torch.testing.assert_close(ga, gb, rtol=1e-8, atol=1e-9)
    for key, value in fused.state_dict().items():  # the same running statistics
        torch.testing.assert_close(value, plain.state_dict()[key])


def test_the_maps_are_formed_where_the_stem_cannot_read_the_series():
    assert not ResNet2D(stem_stride=1, **TINY)._stem_reads_series()  # no stem
    assert not ResNet2D(distance="abs", stem_stride=2, **TINY)._stem_reads_series()
    assert not ResNet2D(input_kind="distance_map", stem_stride=2)._stem_reads_series()
    net = ResNet2D(distance="abs", stem_stride=2, **TINY)
    assert net(torch.randn(2, 1, 12)).shape == (2, 4)


def test_reading_the_series_leaves_the_maps_out_of_the_memory_estimate():
    fused, plain = ResNet2D(), ResNet2D(fuse_template_stem=False)
    # the maps and their masked copy, float32
    maps = 2 * fused.n_templates * 300 * fused.template_length * 4
    assert plain.activation_bytes(300) - fused.activation_bytes(300) == maps


@pytest.mark.parametrize("height, width", [(2, 1), (3, 1), (4, 2), (5, 2), (8, 1), (1, 3)])
def test_strided_convolutions_with_tiny_outputs_are_right_under_bfloat16_autocast(
        height, width):
    """oneDNN's AMX bfloat16 kernels return NaN/1e36 for these shapes (torch 2.13)."""
    torch.manual_seed(0)
    conv = ResNet2D(n_blocks=1, width=64).downsamples[0].conv
    x = torch.randn(40, 64, height, width).contiguous(memory_format=torch.channels_last)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        low = conv(x)
    (grad_low,) = torch.autograd.grad(low.float().square().sum(), [conv.weight])
    full = conv(x)
    (grad_full,) = torch.autograd.grad(full.square().sum(), [conv.weight])
    torch.testing.assert_close(low.float(), full, rtol=0.02, atol=0.02)
    torch.testing.assert_close(grad_low, grad_full, rtol=0.02, atol=0.05 * grad_full.abs().max())


def test_bfloat16_training_reaches_one_pixel_maps_with_finite_gradients():
    torch.manual_seed(0)
    net = ResNet2D(n_templates=8, template_length=16, n_blocks=6, width=64).train()
    x = torch.randn(40, 1, 96) * 20 + 30  # unnormalised, as DodgerLoop's counts
    for _ in range(3):
        net.zero_grad()
        with torch.autocast("cpu", dtype=torch.bfloat16):
            out = net(x)
        out.float().square().mean().backward()
        assert all(torch.isfinite(p.grad).all() for p in net.parameters())
        with torch.no_grad():
            for p in net.parameters():
                p -= 1e-2 * p.grad
