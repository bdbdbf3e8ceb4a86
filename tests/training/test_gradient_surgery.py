"""PCGrad: its defining property, and one optimiser step per iteration of Algorithm 2."""

import numpy as np
import pytest
import torch

from sktsmtl import MultiTaskTimeSeriesClassifier
from sktsmtl.training.gradient_surgery import pcgrad

torch.set_num_threads(1)


def test_conflicting_gradients_are_projected_onto_each_others_normal_plane():
    g1, g2 = torch.tensor([1.0, 1.0, 0.0]), torch.tensor([-1.0, 0.5, 2.0])
    assert torch.dot(g1, g2) < 0
    # with two tasks the order is fixed: each is projected against the other
    p1 = g1 - torch.dot(g1, g2) / g2.dot(g2) * g2
    p2 = g2 - torch.dot(g2, g1) / g1.dot(g1) * g1
    torch.testing.assert_close(pcgrad([g1, g2]), p1 + p2)
    assert abs(float(torch.dot(p1, g2))) < 1e-6 and abs(float(torch.dot(p2, g1))) < 1e-6


def test_gradients_without_conflict_are_summed_unchanged():
    rng = np.random.default_rng(0)
    base = torch.tensor(rng.uniform(0.1, 1.0, (4, 10)), dtype=torch.float32)  # all positive
    torch.testing.assert_close(pcgrad(list(base)), base.sum(dim=0))


def test_with_two_tasks_the_update_conflicts_with_neither():
    # combined . g1 = |g1|^2 (1 - cos^2(g1, g2)) >= 0 for a conflicting pair (Yu et al.)
    gen = torch.Generator().manual_seed(0)
    for _ in range(50):
        g1, g2 = torch.randn(2, 6, generator=gen, dtype=torch.float64)
        combined = pcgrad([g1, g2])
        if torch.dot(g1, g2) < 0:
            assert float(torch.dot(combined, g1)) >= -1e-12
            assert float(torch.dot(combined, g2)) >= -1e-12
        else:
            torch.testing.assert_close(combined, g1 + g2)


def test_pcgrad_refuses_no_gradient():
    with pytest.raises(ValueError, match="at least one"):
        pcgrad([])


def _tasks():
    rng = np.random.default_rng(0)
    t = np.linspace(0, 6, 30)
    X = {"a": np.sin(t * rng.uniform(1, 3, (32, 1))), "b": np.sin(t * rng.uniform(1, 3, (16, 1)))}
    y = {"a": np.arange(32) % 2, "b": np.arange(16) % 2}
    return X, y


def test_pcgrad_takes_one_step_per_iteration():
    X, y = _tasks()
    steps = []

    def fit(**params):
        steps.clear()
        clf = MultiTaskTimeSeriesClassifier(
            backbone="resnet1d", backbone__preset="tiny", max_epochs=2, batch_size=8,
            validation_fraction=0, random_state=0, **params)
        original = torch.optim.AdamW.step

        def counted(self, *args, **kwargs):
            steps.append(1)
            return original(self, *args, **kwargs)

        torch.optim.AdamW.step = counted
        try:
            return clf.fit(X, y)
        finally:
            torch.optim.AdamW.step = original

    fit()
    plain = len(steps)  # one step per batch: 2 epochs x 4 iterations x 2 tasks
    fit(gradient_surgery="pcgrad")
    assert plain == 16 and len(steps) == 8


def test_a_task_of_weight_zero_leaves_its_head_unchanged():
    X, y = _tasks()
    clf = MultiTaskTimeSeriesClassifier(
        backbone="resnet1d", backbone__preset="tiny", max_epochs=2, batch_size=8,
        validation_fraction=0, weight_decay=0.0, random_state=0)
    init = clf.set_params(max_epochs=1, lr=1e-12).fit(X, y).nets_["a"].module_.head
    before = {k: v.clone() for k, v in init.state_dict().items()}
    clf.set_params(max_epochs=2, lr=1e-2, task_weights={"b": 0.0}).fit(X, y)
    after = clf.nets_["a"].module_.head.state_dict()
    b_keys = [k for k in before if "heads.1" in k]
    a_keys = [k for k in before if "heads.0" in k]
    assert b_keys and a_keys
    for k in b_keys:
        torch.testing.assert_close(after[k], before[k], atol=1e-9, rtol=0)
    assert any(not torch.allclose(after[k], before[k]) for k in a_keys)


def test_task_weights_name_real_tasks():
    X, y = _tasks()
    with pytest.raises(ValueError, match="task_weights names tasks \\['c'\\]"):
        MultiTaskTimeSeriesClassifier(backbone="resnet1d", backbone__preset="tiny",
                                      max_epochs=1, task_weights={"c": 1.0}).fit(X, y)
    with pytest.raises(ValueError, match="task_weights\\['a'\\] must be a finite number >= 0"):
        MultiTaskTimeSeriesClassifier(backbone="resnet1d", backbone__preset="tiny",
                                      max_epochs=1, task_weights={"a": -1}).fit(X, y)
