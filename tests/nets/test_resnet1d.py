"""ResNet1D: shapes, architecture, padding-aware pooling."""

import pytest
import torch

from sktsmtl.nets import ResNet1D

SMALL = dict(filters=(4, 6, 6))


def test_default_architecture():
    net = ResNet1D()
    assert net.embedding_dim == 128
    assert [b.convs[0].out_channels for b in net.blocks] == [64, 128, 128]
    assert [c.kernel_size[0] for c in net.blocks[0].convs] == [8, 5, 3]
    # projection shortcut where channels change, BN only in the last block
    assert net.blocks[0].shortcut_conv is not None
    assert net.blocks[1].shortcut_conv is not None
    assert net.blocks[2].shortcut_conv is None
    assert net(torch.randn(2, 1, 30)).shape == (2, 128)


def test_same_padding_keeps_length():
    block = ResNet1D(**SMALL).blocks[0]
    h = torch.randn(2, 1, 17)
    for conv in block.convs:
        h = conv(torch.randn(2, conv.in_channels, 17))
        assert h.shape[-1] == 17


@pytest.mark.parametrize("train", [True, False])
def test_padding_is_ignored(train):
    torch.manual_seed(0)
    net = ResNet1D(in_channels=2, **SMALL)
    net.train(train)
    x = torch.randn(3, 2, 20)
    lengths = torch.tensor([20, 12, 5])
    x2 = x.clone()
    x2[1, :, 12:] = 100.0
    x2[2, :, 5:] = -7.0
    state = {k: v.clone() for k, v in net.state_dict().items()}
    out1 = net(x, lengths=lengths)
    net.load_state_dict(state)  # undo the running-statistics update
    out2 = net(x2, lengths=lengths)
    torch.testing.assert_close(out1, out2, atol=1e-5, rtol=1e-5)


def test_padded_equals_unpadded_in_eval():
    torch.manual_seed(0)
    net = ResNet1D(**SMALL).eval()
    x = torch.randn(1, 1, 13)
    padded = torch.cat([x, torch.randn(1, 1, 7)], dim=-1)
    torch.testing.assert_close(net(padded, lengths=torch.tensor([13])), net(x),
                               atol=1e-5, rtol=1e-5)


def test_full_lengths_equal_no_lengths():
    torch.manual_seed(0)
    net = ResNet1D(**SMALL)
    x = torch.randn(2, 1, 9)
    state = {k: v.clone() for k, v in net.state_dict().items()}
    a = net(x)
    net.load_state_dict(state)
    torch.testing.assert_close(net(x, lengths=torch.tensor([9, 9])), a)


def test_invalid_lengths():
    net = ResNet1D(**SMALL)
    with pytest.raises(ValueError, match="lengths"):
        net(torch.randn(2, 1, 9), lengths=torch.tensor([10, 3]))
    with pytest.raises(ValueError, match="lengths"):
        net(torch.randn(2, 1, 9), lengths=torch.tensor([0, 3]))
