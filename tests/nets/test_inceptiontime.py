"""InceptionTime: shapes, architecture, parameter checks, padding-aware layers, training."""

import pytest
import torch
from torch import nn

from sktsmtl.nets import InceptionTime, get_backbone
from sktsmtl.nets.masking import MaskedBatchNorm1d

SMALL = dict(n_filters=3, depth=6, kernel_sizes=(6, 3, 2), bottleneck_size=4)


def _fresh_state(net):
    return {k: v.clone() for k, v in net.state_dict().items()}


def test_default_architecture():
    net = InceptionTime()
    assert net.embedding_dim == 128
    assert len(net.inception) == 6
    assert len(net.shortcuts) == 2
    first, second = net.inception[0], net.inception[1]
    assert [c.kernel_size[0] for c in first.convs] == [40, 20, 10]
    assert all(c.out_channels == 32 and c.bias is None for c in first.convs)
    # univariate input: no bottleneck in the first module, as the reference
    assert first.bottleneck is None
    assert first.convs[0].in_channels == 1
    assert second.bottleneck.in_channels == 128
    assert second.bottleneck.out_channels == 32
    assert second.bottleneck.bias is None
    assert second.convs[0].in_channels == 32
    # the max-pool branch reads the module input, not the bottleneck
    assert second.pool_conv.in_channels == 128 and second.pool_conv.out_channels == 32
    assert net.shortcuts[0].conv.in_channels == 1
    assert net.shortcuts[1].conv.in_channels == 128
    assert all(isinstance(m, MaskedBatchNorm1d)
               for m in net.modules() if isinstance(m, nn.BatchNorm1d))
    # the reference network's size (the dense output layer excluded)
    assert sum(p.numel() for p in net.parameters()) == 420192
    assert net(torch.randn(2, 1, 45)).shape == (2, 128)


def test_paper_preset_is_the_default():
    a, b = InceptionTime.from_preset("paper"), InceptionTime()
    assert [(k, v.shape) for k, v in a.state_dict().items()] == \
        [(k, v.shape) for k, v in b.state_dict().items()]


def test_multivariate_input_uses_a_bottleneck():
    net = InceptionTime(in_channels=3, **SMALL)
    assert net.inception[0].bottleneck.in_channels == 3
    assert net.inception[0].convs[0].in_channels == 4


@pytest.mark.parametrize("depth, shortcuts", [(1, 0), (2, 0), (3, 1), (5, 1), (6, 2), (9, 3)])
def test_residual_every_three_modules(depth, shortcuts):
    net = InceptionTime(**dict(SMALL, depth=depth))
    assert len(net.inception) == depth
    assert len(net.shortcuts) == shortcuts
    assert net(torch.randn(2, 1, 9)).shape == (2, 12)
    plain = InceptionTime(**dict(SMALL, depth=depth, residual=False))
    assert len(plain.shortcuts) == 0
    assert plain(torch.randn(2, 1, 9)).shape == (2, 12)


def test_shortcut_is_applied_after_every_third_module():
    net = InceptionTime(**dict(SMALL, depth=6))
    calls = []
    for i, module in enumerate(net.inception):
        module.register_forward_hook(lambda *_, i=i: calls.append(f"m{i}"))
    for i, shortcut in enumerate(net.shortcuts):
        shortcut.register_forward_hook(lambda *_, i=i: calls.append(f"s{i}"))
    net(torch.randn(2, 1, 9))
    assert calls == ["m0", "m1", "m2", "s0", "m3", "m4", "m5", "s1"]


def test_kernel_sizes_set_the_branch_count():
    net = InceptionTime(n_filters=2, depth=3, kernel_sizes=(7, 4), bottleneck_size=2)
    assert net.embedding_dim == 6
    assert net(torch.randn(2, 1, 11)).shape == (2, 6)


def test_same_padding_keeps_length():
    net = InceptionTime(in_channels=2, **SMALL)
    for conv in net.inception[0].convs:
        assert conv(torch.randn(2, conv.in_channels, 17)).shape[-1] == 17


@pytest.mark.parametrize("name, value", [
    ("in_channels", 0), ("n_filters", 0), ("n_filters", 2.5), ("depth", 0),
    ("depth", True), ("kernel_sizes", ()), ("kernel_sizes", (3, 0)), ("kernel_sizes", 5),
    ("bottleneck_size", 0), ("bottleneck_size", "4"), ("residual", 1), ("residual", "yes"),
])
def test_invalid_parameters_name_themselves(name, value):
    with pytest.raises(ValueError, match=name):
        InceptionTime(**{name: value})


def test_from_preset_tiny():
    net = InceptionTime.from_preset("tiny", in_channels=2)
    assert net.n_filters == 4 and net.depth == 3
    assert net.embedding_dim == 16
    assert net(torch.randn(3, 2, 12)).shape == (3, 16)
    assert InceptionTime.from_preset("tiny", depth=4).depth == 4
    with pytest.raises(ValueError, match="preset"):
        InceptionTime.from_preset("huge")


def test_registered():
    assert get_backbone("inceptiontime") is InceptionTime
    assert InceptionTime.parameter_names() == (
        "n_filters", "depth", "kernel_sizes", "bottleneck_size", "residual")


@pytest.mark.parametrize("train", [True, False])
@pytest.mark.parametrize("channels", [1, 2])
def test_padding_is_ignored(train, channels):
    torch.manual_seed(0)
    net = InceptionTime(in_channels=channels, **SMALL)
    net.train(train)
    x = torch.randn(4, channels, 20)
    lengths = torch.tensor([20, 12, 5, 1])
    x2 = x.clone()
    x2[1, :, 12:] = 100.0
    x2[2, :, 5:] = -7.0
    # large values next to the last valid step: a leak through the max pool shows
    x2[3, :, 1:] = 1e3
    state = _fresh_state(net)
    out1 = net(x, lengths=lengths)
    after1 = _fresh_state(net)
    net.load_state_dict(state)  # undo the running-statistics update
    out2 = net(x2, lengths=lengths)
    torch.testing.assert_close(out1, out2, atol=1e-5, rtol=1e-5)
    # in training mode the running statistics too skip the padding
    torch.testing.assert_close(_fresh_state(net), after1, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("channels", [1, 2])
def test_batch_statistics_skip_the_padding(channels):
    # every row padded by the same amount: training mode must give the unpadded batch's
    # output and running statistics (batch norm over valid steps only)
    torch.manual_seed(0)
    net = InceptionTime(in_channels=channels, **SMALL)
    x = torch.randn(4, channels, 11)
    padded = torch.cat([x, 3 + torch.randn(4, channels, 5)], dim=-1)
    state = _fresh_state(net)
    out = net(x)
    after = _fresh_state(net)
    net.load_state_dict(state)
    torch.testing.assert_close(net(padded, lengths=torch.full((4,), 11)), out,
                               atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(_fresh_state(net), after, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("length", [1, 2, 13])
def test_padded_equals_unpadded_in_eval(channels, length):
    torch.manual_seed(0)
    net = InceptionTime(in_channels=channels, **SMALL)
    net(torch.randn(8, channels, 16))  # running statistics away from their start
    net.eval()
    x = torch.randn(1, channels, length)
    padded = torch.cat([x, 10 * torch.randn(1, channels, 7)], dim=-1)
    torch.testing.assert_close(net(padded, lengths=torch.tensor([length])), net(x),
                               atol=1e-5, rtol=1e-5)


def test_padded_batch_equals_rows_in_eval():
    torch.manual_seed(1)
    net = InceptionTime(in_channels=2, **SMALL)
    net(torch.randn(8, 2, 16))
    net.eval()
    rows = [torch.randn(1, 2, n) for n in (15, 9, 4)]
    batch = torch.cat([torch.nn.functional.pad(r, (0, 15 - r.shape[-1]), value=5.0)
                       for r in rows])
    out = net(batch, lengths=torch.tensor([15, 9, 4]))
    torch.testing.assert_close(out, torch.cat([net(r) for r in rows]), atol=1e-5, rtol=1e-5)


def test_full_lengths_equal_no_lengths():
    torch.manual_seed(0)
    net = InceptionTime(**SMALL)
    x = torch.randn(2, 1, 9)
    state = _fresh_state(net)
    a = net(x)
    net.load_state_dict(state)
    torch.testing.assert_close(net(x, lengths=torch.tensor([9, 9])), a)


def test_invalid_lengths():
    net = InceptionTime(**SMALL)
    with pytest.raises(ValueError, match="lengths"):
        net(torch.randn(2, 1, 9), lengths=torch.tensor([10, 3]))
    with pytest.raises(ValueError, match="lengths"):
        net(torch.randn(2, 1, 9), lengths=torch.tensor([0, 3]))


def test_deterministic_given_a_seed():
    x = torch.randn(3, 1, 12)
    outs = []
    for _ in range(2):
        torch.manual_seed(7)
        outs.append(InceptionTime(**SMALL)(x))
    torch.testing.assert_close(outs[0], outs[1], rtol=0, atol=0)
    torch.manual_seed(8)
    assert not torch.allclose(InceptionTime(**SMALL)(x), outs[0])


def test_training_lowers_the_loss():
    torch.manual_seed(0)
    n, length = 32, 24
    t = torch.linspace(0, 1, length)
    y = torch.arange(n) % 2
    # class 0: slow sine, class 1: fast sine; random phase and noise
    freq = torch.where(y == 1, 6.0, 1.0)[:, None]
    x = torch.sin(2 * torch.pi * freq * t + torch.rand(n, 1) * 6.28)
    x = (x + 0.1 * torch.randn(n, length)).unsqueeze(1)
    net = InceptionTime.from_preset("tiny")
    model = nn.Sequential(net, nn.Linear(net.embedding_dim, 2))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
    loss_fn = nn.CrossEntropyLoss()
    with torch.no_grad():
        model.eval()
        before = loss_fn(model(x), y).item()
    model.train()
    for _ in range(40):
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        logits = model(x)
    after = loss_fn(logits, y).item()
    assert after < 0.5 * before
    assert (logits.argmax(1) == y).float().mean() >= 0.9
