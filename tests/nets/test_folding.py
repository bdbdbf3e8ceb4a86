"""Evaluation mode folds batch norm into the convolutions: same outputs, one pass less."""

import pytest
import torch

from sktsmtl.nets import ResNet1D, ResNet2D, resnet1d, resnet2d
from sktsmtl.nets.task_norm import attach_task_statistics, task_statistics

torch.set_num_threads(1)


def _trained(cls):
    torch.manual_seed(0)
    net = cls.from_preset("tiny", in_channels=2)
    net.train()
    for _ in range(3):  # running statistics away from their initial 0 and 1
        net(torch.randn(6, 2, 20) * 3 + 1)
    return net.eval()


@pytest.mark.parametrize("cls, module", [(ResNet1D, resnet1d), (ResNet2D, resnet2d)])
def test_folded_evaluation_equals_the_unfolded_one(cls, module, monkeypatch):
    net = _trained(cls)
    x = torch.randn(4, 2, 20)
    lengths = torch.tensor([20, 15, 9, 20])
    with torch.no_grad():
        folded = net(x), net(x, lengths=lengths)
        monkeypatch.setattr(module, "can_fold", lambda m, n: False)
        plain = net(x), net(x, lengths=lengths)
    for a, b in zip(folded, plain):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-4)


def test_the_fold_uses_the_statistics_of_the_task():
    net = _trained(ResNet2D)
    attach_task_statistics(net, 2)
    net.train()
    with task_statistics(net, 1):
        for _ in range(3):
            net(torch.randn(6, 2, 20) * 10 - 4)  # task 1: another scale
    net.eval()
    x = torch.randn(3, 2, 20)
    with torch.no_grad():
        with task_statistics(net, 0):
            a = net(x)
        with task_statistics(net, 1):
            b = net(x)
    assert not torch.allclose(a, b)
