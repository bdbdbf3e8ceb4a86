import warnings

import numpy as np
import pytest
import torch

from sktsmtl import MultiTaskTimeSeriesClassifier
from sktsmtl.nets import MiniRocket


def _walks(n=30, length=100, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 1, length)).cumsum(-1).astype(np.float32)


def _features(net, X):
    net.eval()
    with torch.no_grad():
        return net(torch.as_tensor(X)).numpy()


@pytest.mark.parametrize("n_features", [840, 10_000])
def test_the_features_are_sktimes_minirocket_features(n_features):
    """Same dilations, same series behind each bias (the same seeded draws), same
    PPV; at 10,000 features a few values differ by one step of the PPV, where float32
    rounding puts a bias on the other side of an output value."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from sktime.transformations.panel.rocket import MiniRocket as Reference

        X = _walks()
        reference = Reference(num_kernels=n_features, random_state=3).fit(X)
        expected = np.asarray(reference.transform(X))
    net = MiniRocket(n_features=n_features, standardize=False, random_state=3)
    got = _features(net.initialize_from_series(list(X)), X)
    assert net.dilations_ == reference.parameters[0].tolist()
    np.testing.assert_allclose(net.bias.detach().numpy(), reference.parameters[2],
                               rtol=1e-5, atol=1e-4)
    differ = np.abs(got - expected) > 1e-6
    assert differ.mean() < 1e-4
    assert np.abs(got - expected).max() <= 1 / (100 - 2 * 4 * 11) + 1e-6  # one step


def test_it_refuses_to_run_before_it_has_seen_data():
    with pytest.raises(RuntimeError, match="initialize_from_series"):
        MiniRocket()(torch.zeros(2, 1, 20))


def test_trainable_kernels_and_biases_learn_through_a_smooth_ppv():
    X = _walks(8, 40)
    net = MiniRocket(n_features=168, trainable=True, random_state=0)
    net.initialize_from_series(list(X)).train()
    net(torch.as_tensor(X)).pow(2).sum().backward()
    assert net.weight.grad.abs().sum() > 0 and net.bias.grad.abs().sum() > 0
    fixed = MiniRocket(n_features=168, random_state=0).initialize_from_series(list(X))
    assert not fixed.weight.requires_grad and not fixed.bias.requires_grad


def test_the_data_dependent_state_travels_with_state_dict():
    X = _walks(8, 40)
    net = MiniRocket(n_features=168, random_state=0).initialize_from_series(list(X))
    fresh = MiniRocket(n_features=168)
    fresh.load_state_dict(net.state_dict())
    np.testing.assert_array_equal(_features(fresh, X), _features(net, X))


def test_multi_task_learning_on_the_rocket_backbone():
    rng = np.random.default_rng(0)
    t = np.linspace(0, 6, 50)
    X = {task: np.sin(np.repeat([1.0, 3.0], 12)[:, None] * t + rng.uniform(0, 2, (24, 1)))
         for task in ("a", "b")}
    y = {"a": np.repeat([0, 1], 12), "b": np.repeat(["slow", "fast"], 12)}
    clf = MultiTaskTimeSeriesClassifier(backbone="minirocket", backbone__preset="tiny",
                                        max_epochs=30, lr=1e-2, batch_size=8,
                                        random_state=0).fit(X, y)
    assert clf.score(X, y) > 0.9
    again = MultiTaskTimeSeriesClassifier(backbone="minirocket", backbone__preset="tiny",
                                          max_epochs=30, lr=1e-2, batch_size=8,
                                          random_state=0).fit(X, y)
    np.testing.assert_array_equal(again.transform(X)["a"], clf.transform(X)["a"])
