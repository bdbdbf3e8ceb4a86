import pickle

import pytest
import torch
from torch import nn

from sktsmtl.nets import MultiTaskHead, MultiTaskNetwork, ResNet1D
from sktsmtl.nets.task_norm import attach_task_statistics, has_task_statistics, task_statistics


def _net():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv1d(1, 3, 3), nn.BatchNorm1d(3, momentum=None))


def test_statistics_are_tracked_per_task():
    net = _net()
    assert attach_task_statistics(net, 2) == 1 and has_task_statistics(net)
    net.train()
    x0 = torch.randn(16, 1, 20)
    with task_statistics(net, 0):
        net(x0)
    with task_statistics(net, 1):
        net(x0 * 10 + 50)
    bn = net[1]
    # momentum=None is a cumulative average: after one batch each row equals that
    # batch's statistics, computed independently of the other task's batch
    ref = _net()
    ref.train()
    ref(x0)
    assert torch.allclose(bn.task_running_mean[0], ref[1].running_mean, atol=1e-6)
    assert torch.allclose(bn.task_running_var[0], ref[1].running_var, atol=1e-5)
    assert not torch.allclose(bn.task_running_mean[0], bn.task_running_mean[1])
    assert bn.task_num_batches_tracked.tolist() == [1, 1]


def test_evaluation_uses_the_tasks_statistics():
    net = _net()
    attach_task_statistics(net, 2)
    net.train()
    x = torch.randn(32, 1, 20)
    with task_statistics(net, 1):
        train_out = net(x * 3 + 7)
    net.eval()
    with task_statistics(net, 1):
        eval_1 = net(x * 3 + 7)
    with task_statistics(net, 0):
        eval_0 = net(x * 3 + 7)
    # statistics of task 1 normalise its batch like the batch statistics did
    assert (eval_1 - train_out).abs().max() < 0.1
    assert (eval_0 - train_out).abs().max() > 1.0
    # evaluation does not change the stored statistics
    assert net[1].task_num_batches_tracked.tolist() == [0, 1]


def test_statistics_travel_with_state_dict_and_pickle():
    net = _net()
    attach_task_statistics(net, 3)
    assert "1.task_running_mean" in net.state_dict()
    clone = pickle.loads(pickle.dumps(net))
    assert clone[1].task_running_var.shape == (3, 3)


def test_unknown_task_and_bad_count():
    net = _net()
    attach_task_statistics(net, 2)
    with pytest.raises(ValueError, match="task index 2 has no normalisation statistics"):
        with task_statistics(net, 2):
            pass
    with pytest.raises(ValueError, match="n_tasks must be >= 1"):
        attach_task_statistics(_net(), 0)


def test_multitask_network_keeps_tasks_apart():
    torch.manual_seed(0)
    backbone = ResNet1D(filters=(4, 4))
    net = MultiTaskNetwork(backbone, MultiTaskHead(4, [2, 2]))
    net.train()
    a, b = torch.randn(8, 1, 16), torch.randn(8, 1, 16) * 20 + 100
    for _ in range(20):
        net(a, 0)
        net(b, 1)
    net.eval()
    shared = MultiTaskNetwork(ResNet1D(filters=(4, 4)), MultiTaskHead(4, [2, 2]),
                              task_norm_stats=False)
    shared.load_state_dict({k: v for k, v in net.state_dict().items() if "task_" not in k},
                           strict=True)
    # per-task statistics: task 0's embedding in eval mode is what the shared-statistics
    # network gives only when it has seen task 0 alone
    with torch.no_grad():
        z_task = net.embed(a, task=0)
        z_shared = shared.embed(a)
    assert not torch.allclose(z_task, z_shared, atol=1e-3)
    assert not has_task_statistics(shared.backbone)
