"""Tests of the learnt DTW distance :class:`~sktsmtl.approximation.DTWApproximator`."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.model_selection import GridSearchCV

from sktsmtl.approximation import DTWApproximator
from sktsmtl.datasets import make_random_walk_pairs
from sktsmtl.distances import dtw_distance
from sktsmtl.nets import backbone_names

torch.set_num_threads(1)

TINY = {
    "resnet1d": {"filters": (4, 8), "kernel_sizes": (3, 3)},
    "resnet2d": {"n_blocks": 1, "width": 4, "stem_stride": 1},
}


def _tiny(backbone="resnet2d", **kw):
    params = dict(backbone=backbone, max_epochs=2, batch_size=16, random_state=0,
                  **{f"backbone__{k}": v for k, v in TINY[backbone].items()})
    params.update(kw)
    return DTWApproximator(**params)


@pytest.fixture(scope="module")
def pairs():
    return make_random_walk_pairs(30, 12, random_state=0)


@pytest.mark.parametrize("backbone", ["resnet1d", "resnet2d"])
def test_fit_predict_shapes(pairs, backbone):
    reg = _tiny(backbone, window=0.1).fit(pairs)
    pred = reg.predict(pairs)
    assert pred.shape == (len(pairs),) and pred.dtype == np.float64
    assert np.all(np.isfinite(pred))
    assert reg.n_channels_ == 1 and reg.target_scale_ > 0
    assert 1 <= reg.best_epoch_ <= 2
    assert len(reg.history_) == 2


@pytest.mark.parametrize("backbone", ["resnet1d", "resnet2d"])
def test_multivariate_pairs(backbone):
    X = make_random_walk_pairs(20, 10, n_channels=2, random_state=1)
    reg = _tiny(backbone).fit(X)
    assert reg.n_channels_ == 2
    assert reg.predict(X).shape == (20,)
    with pytest.raises(ValueError, match="channels"):
        reg.predict(make_random_walk_pairs(3, 10, random_state=1))


@pytest.mark.parametrize("backbone", backbone_names())
def test_every_registered_backbone_learns_distances(pairs, backbone):
    # a distance-map reader (resnet2d) reads the pair's map, every other backbone is the
    # Siamese encoder (a data-dependent transform initialised on the training series)
    reg = DTWApproximator(backbone=backbone, backbone__preset="tiny", max_epochs=2,
                          batch_size=16, random_state=0).fit(pairs)
    kind = "DistanceMapNet" if backbone == "resnet2d" else "SiameseDistanceNet"
    assert type(reg.net_.module_).__name__ == kind
    pred = reg.predict(pairs)
    assert pred.shape == (len(pairs),) and np.all(np.isfinite(pred))


def test_targets_are_squared_dtw(pairs):
    reg = _tiny(window=0.2, validation_fraction=0.0, max_epochs=1).fit(pairs)
    y = reg._targets(list(pairs[:, 0, None]), list(pairs[:, 1, None]))
    expected = [dtw_distance(a, b, window=0.2) for a, b in pairs]
    np.testing.assert_allclose(y, expected)
    assert reg.best_epoch_ is None  # no validation split: last epoch kept


@pytest.mark.parametrize("backbone", ["resnet1d", "resnet2d"])
def test_tuple_input_with_unequal_lengths(backbone):
    rng = np.random.default_rng(0)
    firsts = [rng.standard_normal(int(n)) for n in rng.integers(8, 16, 20)]
    seconds = [rng.standard_normal(int(n)) for n in rng.integers(8, 16, 20)]
    reg = _tiny(backbone, window=0.1).fit((firsts, seconds))
    pred = reg.predict((firsts, seconds))
    assert pred.shape == (20,)
    # the padding of the other pairs does not change a pair's prediction
    alone = reg.predict(([firsts[3]], [seconds[3]]))
    np.testing.assert_allclose(alone[0], pred[3], rtol=1e-4)
    # explicit targets
    y = np.array([dtw_distance(a, b) for a, b in zip(firsts, seconds)])
    assert _tiny(backbone).fit((firsts, seconds), y).predict((firsts, seconds)).shape == (20,)


def test_learns_something_on_random_walks():
    X = make_random_walk_pairs(160, 16, random_state=0)
    y = np.array([dtw_distance(a, b, window=0.1) for a, b in X])
    reg = DTWApproximator(backbone="resnet2d",
                          backbone__n_blocks=2, backbone__width=8, backbone__stem_stride=1,
                          window=0.1, max_epochs=20, batch_size=16, lr=3e-3,
                          random_state=0).fit(X)
    # R^2 > 0: better than predicting the mean of the targets
    assert reg.score(X, y) > 0.3


@pytest.mark.parametrize("backbone", ["resnet1d", "resnet2d"])
def test_same_seed_same_predictions(pairs, backbone):
    p1 = _tiny(backbone).fit(pairs).predict(pairs)
    p2 = _tiny(backbone).fit(pairs).predict(pairs)
    np.testing.assert_array_equal(p1, p2)
    p3 = _tiny(backbone, random_state=1).fit(pairs).predict(pairs)
    assert not np.array_equal(p1, p3)


def test_early_stopping_stops(pairs):
    reg = _tiny(max_epochs=40, early_stopping=2, lr=0.5).fit(pairs)
    assert len(reg.history_) < 40


def test_fit_leaves_global_rng_alone(pairs):
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    _tiny(max_epochs=1).fit(pairs)
    assert torch.equal(torch.rand(3), expected)


def test_pickle_roundtrip(pairs):
    reg = _tiny("resnet1d").fit(pairs)
    clone = pickle.loads(pickle.dumps(reg))
    np.testing.assert_array_equal(clone.predict(pairs), reg.predict(pairs))


def test_grid_search(pairs):
    y = np.array([dtw_distance(a, b) for a, b in pairs])
    search = GridSearchCV(_tiny(max_epochs=1), {"lr": [1e-3, 1e-2],
                                                "backbone__width": [2, 4]}, cv=2).fit(pairs, y)
    assert search.best_params_["lr"] in (1e-3, 1e-2)
    assert search.predict(pairs).shape == (len(pairs),)


@pytest.mark.parametrize(
    "X, match",
    [
        (np.zeros((5, 12)), "pairs"),  # one series per row, not a pair
        (np.zeros((5, 3, 12)), "pairs"),  # triples
        (np.zeros(12), "pairs"),
        (([np.zeros((2, 5))], [np.zeros((3, 5))]), "channels"),
        (([np.zeros(5), np.zeros(5)], [np.zeros(5)]), "equally long"),
        ((np.zeros((2, 5)),), "two collections"),
        (np.zeros((0, 2, 5)), "0 sample|no pair"),
    ],
)
def test_bad_inputs(X, match):
    with pytest.raises(ValueError, match=match):
        _tiny().fit(X)


def test_bad_values_and_params(pairs):
    bad = pairs.copy()
    bad[2, 1, 4] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        _tiny().fit(bad)
    with pytest.raises(ValueError, match="NaN"):
        _tiny().fit(([np.array([0.0, np.nan, 1.0])], [np.zeros(3)]))
    with pytest.raises(ValueError, match="y has 3 values"):
        _tiny().fit(pairs, np.zeros(3))
    with pytest.raises(ValueError, match="window"):
        _tiny(window=1.5).fit(pairs)
    with pytest.raises(ValueError, match="window"):
        _tiny(window=-0.1).fit(pairs)
    with pytest.raises(ValueError, match="gamma"):
        _tiny(gamma=0.0).fit(pairs)
    with pytest.raises(ValueError, match="gamma"):
        _tiny(gamma=-1.0).fit(pairs)
    with pytest.raises(ValueError, match="backbone"):
        _tiny().set_params(backbone="lstm").fit(pairs)
    # no validation part: nothing to stop on, every epoch is trained
    unstopped = _tiny(early_stopping=1, validation_fraction=0.0).fit(pairs)
    assert len(unstopped.history_) == unstopped.max_epochs
    with pytest.raises(TypeError):
        _tiny().fit(([["a", "b"]], [["c", "d"]]))
    reg = _tiny().fit(pairs)
    with pytest.raises(ValueError, match="pairs"):
        reg.predict(pairs[:, 0])


def test_soft_dtw_targets(pairs):
    reg = _tiny(gamma=0.1, max_epochs=1).fit(pairs)
    y = reg._targets(list(pairs[:, 0, None]), list(pairs[:, 1, None]))
    exact = np.array([dtw_distance(a, b) for a, b in pairs])
    assert y.shape == (len(pairs),)
    # soft-min lies below the min: soft-DTW <= DTW, and close to it for small gamma
    assert np.all(y <= exact + 1e-6)
    assert reg.predict(pairs).shape == (len(pairs),)


@pytest.mark.parametrize("bad", [-1.0, -1e-9])
def test_targets_that_are_no_distance_are_refused(pairs, bad):
    y = np.ones(len(pairs))
    y[3] = bad
    with pytest.raises(ValueError, match=r"y must hold DTW distances, which are >= 0.*"
                                         r"y\[3\] is"):
        _tiny().fit(pairs, y)
