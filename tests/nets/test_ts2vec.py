"""TS2VecEncoder: architecture, receptive field, missing and padded steps, masking."""


import pytest
import torch
from torch import nn

from sktsmtl.nets import TS2VecEncoder

SMALL = dict(hidden_dim=6, output_dim=10, depth=3)


@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("length", [1, 5, 40])
def test_timestep_representation_shapes(channels, length):
    net = TS2VecEncoder(in_channels=channels, **SMALL)
    assert net.embedding_dim == 10
    assert net.timestep_representations(torch.randn(2, channels, length)).shape == (
        2, 10, length)


def test_default_architecture():
    net = TS2VecEncoder()
    assert net.embedding_dim == 320
    assert isinstance(net.input_projection, nn.Linear)
    assert (net.input_projection.in_features, net.input_projection.out_features) == (1, 64)
    assert len(net.blocks) == 11
    assert [b.conv1.dilation[0] for b in net.blocks] == [2 ** i for i in range(11)]
    assert all(b.conv2.dilation == b.conv1.dilation for b in net.blocks)
    assert all(b.conv1.kernel_size == (3,) and b.conv2.kernel_size == (3,)
               for b in net.blocks)
    assert [b.conv2.out_channels for b in net.blocks] == [64] * 10 + [320]
    # a 1x1 projection on the final block only (the channels never change before it)
    assert [b.projection is not None for b in net.blocks] == [False] * 10 + [True]
    assert net.blocks[-1].projection.kernel_size == (1,)
    norms = (nn.BatchNorm1d, nn.LayerNorm, nn.GroupNorm, nn.InstanceNorm1d)
    assert not any(isinstance(m, norms) for m in net.modules())
    assert net.dropout.p == 0.1 and net.mask_p == 0.5
    assert net.receptive_field == 1 + 2 * 2 * (2 ** 11 - 1)
    assert net(torch.randn(2, 1, 30)).shape == (2, 320)


def test_projection_when_hidden_equals_output():
    # the final block is projected even when it keeps the channel count
    net = TS2VecEncoder(hidden_dim=8, output_dim=8, depth=2)
    assert [b.projection is not None for b in net.blocks] == [False, False, True]


@pytest.mark.parametrize("kernel_size", [2, 3, 4])
def test_same_padding_keeps_length(kernel_size):
    net = TS2VecEncoder(kernel_size=kernel_size, **SMALL).eval()
    for length in (1, 7, 20):
        assert net.timestep_representations(torch.randn(2, 1, length)).shape[-1] == length


def test_receptive_field():
    # depth 2, kernel 3: dilations 1, 2, 4, two convs each: 1 + 2 * 2 * 7 = 29 steps,
    # 14 on either side; an impulse moves exactly the steps within reach
    torch.manual_seed(0)
    net = TS2VecEncoder(hidden_dim=6, output_dim=8, depth=2).eval()
    assert net.receptive_field == 29
    x = torch.randn(1, 1, 80)
    bumped = x.clone()
    bumped[0, 0, 40] += 1.0
    with torch.no_grad():
        change = (net.timestep_representations(bumped)
                  - net.timestep_representations(x)).abs().amax(dim=1)[0]
    reached = (change > 0).nonzero().flatten()
    assert reached.min().item() == 40 - 14
    assert reached.max().item() == 40 + 14
    assert reached.numel() == 29


@pytest.mark.parametrize("shape", [(10,), (2, 1, 1, 10)])
def test_wrong_ndim(shape):
    with pytest.raises(ValueError, match=r"expects \(B, C, L\)"):
        TS2VecEncoder(**SMALL)(torch.randn(*shape))


@pytest.mark.parametrize("param, value", [
    ("in_channels", 0), ("hidden_dim", 0), ("output_dim", 2.5), ("depth", -1),
    ("kernel_size", 0), ("mask_p", 1.0), ("mask_p", -0.1), ("dropout", 1.5),
    ("dropout", True),
])
def test_bad_parameters(param, value):
    with pytest.raises(ValueError, match=param):
        TS2VecEncoder(**{param: value})


def test_invalid_lengths():
    net = TS2VecEncoder(**SMALL)
    with pytest.raises(ValueError, match="lengths"):
        net(torch.randn(2, 1, 9), lengths=torch.tensor([10, 3]))
    with pytest.raises(ValueError, match="lengths"):
        net(torch.randn(2, 1, 9), lengths=torch.tensor([0, 3]))


def test_variable_lengths():
    torch.manual_seed(0)
    net = TS2VecEncoder(in_channels=2, **SMALL).eval()
    series = [torch.randn(2, n) for n in (20, 12, 5, 1)]
    padded = torch.zeros(4, 2, 20)
    for i, s in enumerate(series):
        padded[i, :, :s.shape[1]] = s
    out = net(padded, lengths=torch.tensor([20, 12, 5, 1]))
    alone = torch.cat([net(s.unsqueeze(0)) for s in series])
    torch.testing.assert_close(out, alone, atol=1e-5, rtol=1e-5)


def test_padded_equals_unpadded_in_eval():
    torch.manual_seed(0)
    net = TS2VecEncoder(in_channels=2, **SMALL).eval()
    x = torch.randn(1, 2, 13)
    tail = torch.full((1, 2, 7), 1e6)
    tail[0, 1, 3] = float("inf")
    tail[0, 0, 5] = float("nan")
    padded = torch.cat([x, tail], dim=-1)
    torch.testing.assert_close(net(padded, lengths=torch.tensor([13])), net(x),
                               atol=1e-5, rtol=1e-5)


def test_padding_is_ignored_in_training_with_the_same_seed():
    net = TS2VecEncoder(in_channels=2, **SMALL).train()
    torch.manual_seed(1)
    x = torch.randn(3, 2, 20)
    lengths = torch.tensor([20, 12, 5])
    x2 = x.clone()
    x2[1, :, 12:] = 100.0
    x2[2, :, 5:] = -7.0
    torch.manual_seed(0)
    out1 = net(x, lengths=lengths)
    torch.manual_seed(0)
    out2 = net(x2, lengths=lengths)
    torch.testing.assert_close(out1, out2, atol=1e-5, rtol=1e-5)


def test_nan_tail_equals_lengths():
    torch.manual_seed(0)
    net = TS2VecEncoder(**SMALL).eval()
    x = torch.randn(2, 1, 15)
    nan_padded = x.clone()
    nan_padded[1, :, 9:] = float("nan")
    torch.testing.assert_close(net(nan_padded), net(x, lengths=torch.tensor([15, 9])),
                               atol=1e-6, rtol=1e-6)


def test_nan_steps_are_excluded():
    torch.manual_seed(0)
    net = TS2VecEncoder(in_channels=2, **SMALL).eval()
    x = torch.randn(1, 2, 25)
    x[0, 0, 6] = float("nan")  # one channel missing: the whole step is missing
    other = x.clone()
    other[0, 1, 6] = 1e4
    out = net(x)
    assert torch.isfinite(out).all()
    # the observed channel of a missing step is ignored too
    torch.testing.assert_close(net(other), out)
    steps = net.timestep_representations(x)
    assert torch.isnan(steps[0, :, 6]).all()
    assert not torch.isnan(steps[0, :, [5, 7]]).any()
    # the representation is the max over the observed steps only
    observed = torch.cat([steps[..., :6], steps[..., 7:]], dim=-1)
    torch.testing.assert_close(out, observed.amax(dim=-1))


def test_row_without_observed_steps():
    x = torch.randn(2, 1, 6)
    x[1] = float("nan")
    with pytest.raises(ValueError, match=r"rows \[1\] have no observed time step"):
        TS2VecEncoder(**SMALL)(x)


def _masked_share(net, x):
    """Share of all-zero projected steps, as seen by the first block."""
    seen = []
    handle = net.blocks[0].register_forward_pre_hook(lambda m, args: seen.append(args[0]))
    try:
        net(x)
    finally:
        handle.remove()
    return (seen[0] == 0).all(dim=1).double().mean().item()


@pytest.mark.parametrize("mask_p", [0.2, 0.5])
def test_masking_in_training_only(mask_p):
    torch.manual_seed(0)
    net = TS2VecEncoder(mask_p=mask_p, **SMALL)
    x = torch.randn(64, 1, 100)
    share = _masked_share(net.train(), x)
    # 6400 Bernoulli draws: the standard error is below 0.007
    assert abs(share - mask_p) < 0.03
    assert _masked_share(net.eval(), x) == 0.0


def test_eval_is_deterministic_and_training_is_random():
    net = TS2VecEncoder(dropout=0.0, **SMALL)
    x = torch.randn(4, 1, 30)
    net.eval()
    torch.testing.assert_close(net(x), net(x))
    net.train()
    assert not torch.allclose(net(x), net(x))
    # without masking and dropout, training mode computes the evaluation output
    quiet = TS2VecEncoder(mask_p=0.0, dropout=0.0, **SMALL)
    quiet.load_state_dict(net.state_dict())
    torch.testing.assert_close(quiet.train()(x), net.eval()(x))


def test_seeded_training_pass_is_repeatable():
    net = TS2VecEncoder(**SMALL).train()
    x = torch.randn(4, 1, 30)
    torch.manual_seed(3)
    a = net(x)
    torch.manual_seed(3)
    torch.testing.assert_close(net(x), a, rtol=0, atol=0)
