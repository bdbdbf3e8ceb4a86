"""The MTCS classifier-sharing loss on hand-computed cases."""

import pytest
import torch
from torch import nn

from sktsmtl.nets import (
    ClassifierSharingLoss,
    pair_sharing_loss,
    relevance_mask,
    task_affinity,
)

# A batch of two inputs; task j has 2 classes, task k has 3.
P_J = torch.tensor([[0.9, 0.1],
                    [0.1, 0.9]])
P_K = torch.tensor([[0.8, 0.1, 0.1],
                    [0.1, 0.1, 0.8]])
# outer products: input 0 [[.72 .09 .09] [.08 .01 .01]], input 1 [[.01 .01 .08] [.09 .09 .72]]
AFFINITY = torch.tensor([[0.365, 0.05, 0.085],
                         [0.085, 0.05, 0.365]])
# 2 * 3 * A / sum(A) = [[2.19 .30 .51] [.51 .30 2.19]]: two pairs above tau = 2
RELEVANT = torch.tensor([[True, False, False],
                         [False, False, True]])
W_J = torch.tensor([[1.0, 0.0],
                    [0.0, 1.0]])
W_K = torch.tensor([[0.0, 0.0],
                    [5.0, 5.0],
                    [0.0, 3.0]])
# (p=0, q=0): |(0, 0) - (1, 0)|^2 = 1; (p=1, q=2): |(0, 3) - (0, 1)|^2 = 4; (1 + 4) / 6
PAIR_LOSS = 5.0 / 6.0


def test_task_affinity_by_hand():
    torch.testing.assert_close(task_affinity(P_J, P_K), AFFINITY)
    torch.testing.assert_close(task_affinity(P_K, P_J), AFFINITY.T)
    assert task_affinity(P_J, P_K).sum().item() == pytest.approx(1.0)


def test_relevance_mask_by_hand():
    assert torch.equal(relevance_mask(AFFINITY, tau=2.0), RELEVANT)
    # tau = 2.5 is above 2.19: nothing relevant; tau = 0.4 also admits the 0.51 cells
    assert not relevance_mask(AFFINITY, tau=2.5).any()
    assert torch.equal(relevance_mask(AFFINITY, tau=0.4),
                       torch.tensor([[True, False, True], [True, False, True]]))
    # scale invariant: the threshold is relative to the mean affinity
    assert torch.equal(relevance_mask(10 * AFFINITY), RELEVANT)
    assert not relevance_mask(torch.zeros(2, 3)).any()


def test_relevance_mask_has_no_gradient():
    a = AFFINITY.clone().requires_grad_(True)
    mask = relevance_mask(a)
    assert mask.dtype == torch.bool and not mask.requires_grad


def test_pair_sharing_loss_by_hand():
    loss = pair_sharing_loss(W_K, W_J, RELEVANT)
    assert loss.item() == pytest.approx(PAIR_LOSS)
    # the (k, j) view of the same pair: transposed mask, roles swapped
    assert pair_sharing_loss(W_J, W_K, RELEVANT.T).item() == pytest.approx(PAIR_LOSS)
    assert pair_sharing_loss(W_K, W_J, torch.zeros(2, 3, dtype=torch.bool)).item() == 0.0


def _logits(p):
    # softmax(log p) = p for probability rows
    return torch.log(p)


def test_classifier_sharing_loss_by_hand():
    loss = ClassifierSharingLoss(alpha=0.1, tau=2.0)
    value = loss([_logits(P_J), _logits(P_K)], [W_J, W_K])
    # both ordered pairs (j, k) and (k, j): 0.1 * 2 * 5/6 = 1/6
    assert value.item() == pytest.approx(1.0 / 6.0, rel=1e-5)
    assert ClassifierSharingLoss(alpha=0.3)([_logits(P_J), _logits(P_K)],
                                            [W_J, W_K]).item() == pytest.approx(0.5, rel=1e-5)


def test_three_tasks_with_different_class_counts():
    # a third head, 4 classes, uniform on every input: its affinity with any head is
    # C_t * mean p_t / 1 per row, at most 2 * 0.5 = 1 or 3 * 0.45 = 1.35 < 2: never relevant
    uniform = torch.full((2, 4), 0.25)
    w_u = torch.randn(4, 2)
    loss = ClassifierSharingLoss(alpha=0.1)
    value = loss([_logits(P_J), _logits(P_K), _logits(uniform)], [W_J, W_K, w_u])
    assert value.item() == pytest.approx(1.0 / 6.0, rel=1e-5)
    affinities = loss.affinities([_logits(P_J), _logits(P_K), _logits(uniform)])
    assert set(affinities) == {(0, 1), (1, 0), (0, 2), (2, 0), (1, 2), (2, 1)}
    assert affinities[(0, 1)].shape == (2, 3) and affinities[(2, 1)].shape == (4, 3)
    torch.testing.assert_close(affinities[(0, 1)], AFFINITY)
    torch.testing.assert_close(affinities[(1, 0)], AFFINITY.T)


def test_zero_when_nothing_is_relevant():
    w_j = W_J.clone().requires_grad_(True)
    w_k = W_K.clone().requires_grad_(True)
    logits = [_logits(P_J), _logits(P_K)]
    value = ClassifierSharingLoss(tau=2.5)(logits, [w_j, w_k])
    assert value.item() == 0.0
    value.backward()
    assert w_j.grad.abs().sum() == 0 and w_k.grad.abs().sum() == 0
    # uniform probabilities hold no relation at any tau >= 1
    flat = [torch.zeros(5, 2), torch.zeros(5, 3)]
    assert ClassifierSharingLoss(tau=1.0)(flat, [W_J, W_K]).item() == 0.0
    # alpha = 0 switches the term off
    assert ClassifierSharingLoss(alpha=0.0)(logits, [W_J, W_K]).item() == 0.0


def test_gradient_step_pulls_relevant_rows_together():
    w_j = W_J.clone().requires_grad_(True)
    w_k = W_K.clone().requires_grad_(True)
    logits = [_logits(P_J).requires_grad_(True), _logits(P_K).requires_grad_(True)]
    ClassifierSharingLoss(alpha=0.1)(logits, [w_j, w_k]).backward()
    # d/dW_k[0] of 0.2 / 6 * |W_k[0] - W_j[0]|^2 = (0.4 / 6) * (W_k[0] - W_j[0])
    torch.testing.assert_close(w_k.grad[0], torch.tensor([-0.4 / 6, 0.0]))
    torch.testing.assert_close(w_k.grad[2], torch.tensor([0.0, 0.8 / 6]))
    # row 1 of task k is relevant to no class of task j: no pull
    assert w_k.grad[1].abs().sum() == 0
    assert w_j.grad.abs().sum(dim=1).gt(0).all()
    # the affinity is detached: nothing reaches the logits (hence the encoder)
    assert all(x.grad is None for x in logits)
    with torch.no_grad():
        before = [(w_k[0] - w_j[0]).norm(), (w_k[2] - w_j[1]).norm(), (w_k[1] - w_j).norm()]
        w_j -= w_j.grad
        w_k -= w_k.grad
        after = [(w_k[0] - w_j[0]).norm(), (w_k[2] - w_j[1]).norm()]
    assert after[0] < before[0] and after[1] < before[1]
    assert torch.equal(w_k[1], W_K[1])


def test_heads_as_linear_modules_and_bias():
    torch.manual_seed(0)
    heads = [nn.Linear(2, 2), nn.Linear(2, 3)]
    with torch.no_grad():
        heads[0].weight.copy_(W_J)
        heads[1].weight.copy_(W_K)
        heads[0].bias.copy_(torch.tensor([1.0, 0.0]))
        heads[1].bias.copy_(torch.tensor([0.0, 0.0, 2.0]))
    logits = [_logits(P_J), _logits(P_K)]
    weights_only = ClassifierSharingLoss()(logits, heads)
    assert weights_only.item() == pytest.approx(1.0 / 6.0, rel=1e-5)
    # bias columns add (0 - 1)^2 for (0, 0) and (2 - 0)^2 for (1, 2): (1 + 4 + 1 + 4) / 6
    with_bias = ClassifierSharingLoss(include_bias=True)(logits, heads)
    assert with_bias.item() == pytest.approx(0.2 * 10.0 / 6.0, rel=1e-5)
    with pytest.raises(ValueError, match="include_bias=True needs the heads as nn.Linear"):
        ClassifierSharingLoss(include_bias=True)(logits, [W_J, W_K])


def test_single_head_gives_zero():
    assert ClassifierSharingLoss()([torch.randn(4, 3)], [torch.randn(3, 5)]).item() == 0.0


@pytest.mark.parametrize("kwargs, match", [
    ({"alpha": -0.1}, "alpha"), ({"alpha": "big"}, "alpha"), ({"tau": 0.0}, "tau"),
    ({"tau": -2}, "tau"), ({"tau": True}, "tau"),
])
def test_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ClassifierSharingLoss(**kwargs)


def test_bad_shapes():
    with pytest.raises(ValueError, match="same non-empty batch"):
        task_affinity(torch.rand(3, 2), torch.rand(4, 2))
    with pytest.raises(ValueError, match=r"\(B, C\) probability"):
        task_affinity(torch.rand(3), torch.rand(3, 2))
    with pytest.raises(ValueError, match="affinity must be 2D"):
        relevance_mask(torch.rand(3))
    with pytest.raises(ValueError, match="tau"):
        relevance_mask(AFFINITY, tau=0)
    with pytest.raises(ValueError, match=r"mask must have shape \(C_j, C_k\) = \(2, 3\)"):
        pair_sharing_loss(W_K, W_J, RELEVANT.T)
    with pytest.raises(ValueError, match="same D"):
        pair_sharing_loss(W_K, torch.rand(2, 4), RELEVANT)
    loss = ClassifierSharingLoss()
    with pytest.raises(ValueError, match="logits of 2 heads but weights of 1"):
        loss([P_J, P_K], [W_J])
    with pytest.raises(ValueError, match="same B for every head"):
        loss([P_J, torch.rand(3, 3)], [W_J, W_K])
    with pytest.raises(ValueError, match=r"head 1: weights must be \(C_t, D\) with C_t = 3"):
        loss([P_J, P_K], [W_J, W_J])
    with pytest.raises(ValueError, match="empty"):
        loss([], [])
    with pytest.raises(TypeError, match="head 0"):
        loss([P_J, P_K], [[1.0], W_K])
