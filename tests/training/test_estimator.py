"""NetworkEstimator: routed parameters (backbone__*, skorch's prefixes) and the one net."""

import numpy as np
import pytest
import torch
from sklearn.base import clone

from sktsmtl import MultiTaskTimeSeriesClassifier
from sktsmtl.approximation import DTWApproximator
from sktsmtl.nets import ResNet1D

torch.set_num_threads(1)


def _tasks():
    rng = np.random.default_rng(0)
    t = np.linspace(0, 6, 30)
    X = {"a": np.sin(t * rng.uniform(1, 3, (24, 1))), "b": np.sin(t * rng.uniform(1, 3, (16, 1)))}
    y = {"a": np.arange(24) % 2, "b": np.arange(16) % 2}
    return X, y


def _clf(**params):
    settings = dict(backbone="resnet1d", backbone__preset="tiny", max_epochs=2,
                    batch_size=8, random_state=0)
    return MultiTaskTimeSeriesClassifier(**dict(settings, **params))


def test_routed_parameters_are_parameters():
    clf = _clf(backbone__filters=(3, 3), optimizer__betas=(0.8, 0.9))
    params = clf.get_params()
    assert params["backbone__filters"] == (3, 3)
    assert params["optimizer__betas"] == (0.8, 0.9)
    twin = clone(clf)
    assert twin.get_params()["backbone__filters"] == (3, 3)
    twin.set_params(backbone__filters=(5,), lr=0.5)
    assert twin.get_params()["backbone__filters"] == (5,) and twin.lr == 0.5
    assert clf.get_params()["backbone__filters"] == (3, 3)  # the clone owns its values
    assert "backbone__filters=(3, 3)" in repr(clf)


def test_routed_values_reach_the_backbone_and_skorch():
    X, y = _tasks()
    clf = _clf(backbone__filters=(3, 5), optimizer=torch.optim.SGD,
               optimizer__momentum=0.5, criterion__label_smoothing=0.2,
               iterator_valid__batch_size=3).fit(X, y)
    net = clf.nets_["a"]
    assert net.module_.backbone.filters == (3, 5)
    assert isinstance(net.optimizer_, torch.optim.SGD)
    assert net.optimizer_.defaults["momentum"] == 0.5
    assert net.optimizer_.defaults["weight_decay"] == clf.weight_decay
    assert net.criterion_.label_smoothing == 0.2
    assert net.get_params_for("iterator_valid") == {"batch_size": 3}


def test_callback_parameters_reach_their_callback():
    X, y = _tasks()
    clf = _clf(max_epochs=3, callbacks__best_epoch__monitor="valid_loss",
               callbacks__best_epoch__lower_is_better=True).fit(X, y)
    losses = clf.history_[:, "valid_loss"]
    assert clf.best_epoch_ == int(np.argmin(losses)) + 1


@pytest.mark.parametrize("params, error, match", [
    (dict(backbone__n_templates=4), ValueError,
     "backbone__n_templates: 'resnet1d' takes no parameter 'n_templates'; it accepts "
     "backbone__filters, backbone__kernel_sizes, backbone__preset"),
    (dict(backbone__in_channels=2), ValueError, "set by the estimator"),
    (dict(callbacks__nothing__x=1), ValueError, "no callback named 'nothing'"),
    (dict(iterator_train__shuffle=True), ValueError,
     "iterator_train__shuffle: the batches of multi-task training come from TaskBatchSampler"),
    (dict(n_templates=4), TypeError, "unexpected parameter 'n_templates'"),
    (dict(backbone_params={"filters": (4,)}), TypeError, "unexpected parameter 'backbone_params'"),
])
def test_wrong_routed_parameters_are_errors_at_fit(params, error, match):
    X, y = _tasks()
    clf = _clf(**params)  # __init__ only stores, as scikit-learn asks
    with pytest.raises(error, match=match):
        clf.fit(X, y)


def test_a_backbone_class_is_a_backbone():
    X, y = _tasks()

    class Narrow(ResNet1D):
        presets = {"tiny": dict(filters=(2,), kernel_sizes=(3,))}

    clf = _clf(backbone=Narrow).fit(X, y)
    assert type(clf.nets_["a"].module_.backbone) is Narrow
    assert clf.transform(X)["a"].shape == (24, 2)


def test_the_approximator_routes_the_same_way():
    rng = np.random.default_rng(0)
    pairs = rng.standard_normal((24, 2, 12))
    reg = DTWApproximator(backbone="resnet1d", backbone__preset="tiny",
                          backbone__filters=(3,), max_epochs=3, random_state=0,
                          optimizer__betas=(0.5, 0.9)).fit(pairs)
    assert reg.net_.module_.encoder.filters == (3,)
    assert reg.net_.optimizer_.defaults["betas"] == (0.5, 0.9)
    assert reg.best_epoch_ == int(np.argmin(reg.history_[:, "valid_loss"])) + 1
    with pytest.raises(ValueError, match="'input_kind' is set by the estimator"):
        DTWApproximator(backbone__input_kind="series", max_epochs=1).fit(pairs)
