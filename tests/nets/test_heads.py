"""MultiTaskHead and MultiTaskNetwork."""

import numpy as np
import pytest
import torch

from sktsmtl.nets import MultiTaskHead, MultiTaskNetwork, ResNet1D, ResNet2D


def test_head_per_task():
    head = MultiTaskHead(8, [2, 3, 5])
    assert set(head.heads.keys()) == {"0", "1", "2"}
    z = torch.randn(4, 8)
    assert [head(z, t).shape for t in range(3)] == [(4, 2), (4, 3), (4, 5)]
    assert [o.shape for o in head.forward_all(z)] == [(4, 2), (4, 3), (4, 5)]
    assert head.n_classes_per_task == {0: 2, 1: 3, 2: 5}


def test_head_from_dict_and_tensor_task():
    head = MultiTaskHead(4, {1: 3, 0: 2})
    assert head.task_indices == [0, 1]
    z = torch.randn(3, 4)
    assert head(z, torch.tensor(1)).shape == (3, 3)
    assert head(z, torch.tensor([0, 0, 0])).shape == (3, 2)
    assert head(z, np.int64(1)).shape == (3, 3)
    assert head(z, np.array([1, 1])).shape == (3, 3)


def test_head_errors():
    head = MultiTaskHead(4, [2, 2])
    z = torch.randn(3, 4)
    with pytest.raises(ValueError, match="one task"):
        head(z, torch.tensor([0, 1, 0]))
    with pytest.raises(ValueError, match="no head"):
        head(z, 5)
    with pytest.raises(TypeError):
        head(z, 0.5)
    with pytest.raises(ValueError):
        MultiTaskHead(4, [])
    with pytest.raises(ValueError):
        MultiTaskHead(4, [2, 0])


def test_heads_are_independent():
    head = MultiTaskHead(4, [2, 3])
    head(torch.randn(2, 4), 1).sum().backward()
    assert head.heads["0"].weight.grad is None
    assert head.heads["1"].weight.grad is not None


@pytest.mark.parametrize("backbone", [
    ResNet1D(in_channels=2, filters=(4, 4, 4)),
    ResNet2D(in_channels=2, n_templates=3, template_length=4, n_blocks=1, width=4),
])
def test_network(backbone):
    net = MultiTaskNetwork(backbone, MultiTaskHead(backbone.embedding_dim, [2, 3]))
    x = torch.randn(3, 2, 12)
    assert net(x, 0).shape == (3, 2)
    assert net(x, 1, lengths=torch.tensor([12, 7, 3])).shape == (3, 3)
    assert net.embed(x, task=0).shape == (3, 4)
    assert [o.shape for o in net.forward_all(x, task=1)] == [(3, 2), (3, 3)]
    with pytest.raises(ValueError, match="needs the batch's task"):
        net.embed(x)
    net(x, 1).sum().backward()
    assert all(p.grad is not None for n, p in net.named_parameters() if "heads.0" not in n)


def test_network_without_lengths_argument():
    backbone = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(10, 4))
    net = MultiTaskNetwork(backbone, MultiTaskHead(4, [2]))
    assert net(torch.randn(3, 1, 10), 0).shape == (3, 2)
