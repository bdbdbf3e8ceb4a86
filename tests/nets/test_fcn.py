import pytest
import torch

from sktsmtl.benchmarking import make_method
from sktsmtl.nets import FCN, backbone_names, get_backbone


def test_default_architecture_is_the_papers():
    net = FCN()
    assert [c.out_channels for c in net.convs] == [128, 256, 128]
    assert [c.kernel_size[0] for c in net.convs] == [8, 5, 3]
    assert net.embedding_dim == 128
    assert all(c.bias is None for c in net.convs)  # batch norm follows every one
    assert net(torch.randn(2, 1, 30)).shape == (2, 128)


def test_blocks_are_plain_not_residual():
    # with every block's weights zeroed, nothing of the input reaches the embedding
    net = FCN(filters=(4, 4), kernel_sizes=(3, 3)).eval()
    for conv in net.convs:
        torch.nn.init.zeros_(conv.weight)
    for norm in net.norms:
        torch.nn.init.zeros_(norm.bias)
    with torch.no_grad():
        assert torch.count_nonzero(net(torch.randn(3, 1, 20))) == 0


def test_one_kernel_size_per_block():
    with pytest.raises(ValueError, match="FCN has one kernel size per block: got 3 "
                                         "filters and 2 kernel_sizes"):
        FCN(filters=(4, 4, 4), kernel_sizes=(3, 3))


def test_registered_with_its_papers_settings():
    assert "fcn" in backbone_names() and get_backbone("fcn") is FCN
    clf = make_method("fcn-mtl")
    assert clf.backbone == "fcn" and clf.multitask
    assert (clf.lr, clf.batch_size, clf.weight_decay) == (1e-3, 16, 0.0)
