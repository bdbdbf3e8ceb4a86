import pytest
import torch

from sktsmtl.nets import ResNet1D, ResNet2D
from sktsmtl.training import available_memory, check_training_memory, inference_batch_size
from sktsmtl.training import memory


def test_available_memory_on_cpu_is_a_positive_byte_count():
    free = available_memory("cpu")
    assert isinstance(free, int) and free > 0


def test_a_backbone_without_an_estimate_is_not_checked(monkeypatch):
    monkeypatch.setattr(memory, "available_memory", lambda device: 1)
    check_training_memory(ResNet1D(), {0: 10_000}, 64, "cpu")
    assert inference_batch_size(ResNet1D(), 10_000, 64, "cpu") == 64


def test_the_estimate_grows_with_batch_and_length_and_the_check_uses_task_sizes(monkeypatch):
    net = ResNet2D.from_preset("tiny")
    one = net.activation_bytes(100, 1)
    assert net.activation_bytes(100, 4) == 4 * one and net.activation_bytes(200, 1) > one
    monkeypatch.setattr(memory, "available_memory",
                        lambda device: int(3.5 * one / memory._BUDGET_SHARE))
    # a task of three rows trains in a batch of three, which fits
    check_training_memory(net, {0: 100}, 40, "cpu", ["small"], {0: 3})
    with pytest.raises(MemoryError, match="task 'big': a training batch of 5 series .*"
                                          "batch_size=3 would fit"):
        check_training_memory(net, {0: 100, 1: 100}, 40, "cpu", ["small", "big"],
                              {0: 3, 1: 5})
    assert inference_batch_size(net, 100, 40, "cpu") == 3


def test_the_estimate_is_close_to_the_measured_activations():
    """Bytes of the tensors autograd keeps, summed through saved-tensor hooks."""
    net = ResNet2D.from_preset("tiny")
    x = torch.randn(4, 1, 64)
    saved = []

    def pack(t):
        saved.append(t.numel() * t.element_size())
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        net(x).sum()
    estimate = net.activation_bytes(64, 4)
    assert 0.3 * estimate < sum(saved) < 3 * estimate
