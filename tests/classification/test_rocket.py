import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from sktsmtl import PerTaskClassifier, RocketClassifier


def _sines(n=30, length=60, seed=0, channels=None):
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 6, length)
    freq = np.repeat([1.0, 2.5, 4.0], n // 3)
    X = np.sin(freq[:, None] * t + rng.uniform(0, 3, (n, 1))) + 0.2 * rng.normal(size=(n, length))
    if channels:
        X = np.stack([X, np.cos(freq[:, None] * t)], axis=1)
    return X, np.repeat(["a", "b", "c"], n // 3)


@pytest.mark.parametrize("variant", ["minirocket", "multirocket", "hydra"])
def test_rocket_learns_frequencies_of_one_or_several_channels(variant):
    X, y = _sines()
    Xt, yt = _sines(seed=1)
    clf = RocketClassifier(variant, n_kernels=840, random_state=0).fit(X, y)
    assert clf.score(Xt, yt) > 0.9
    X3, y3 = _sines(channels=2)
    clf3 = RocketClassifier(variant, n_kernels=840, random_state=0).fit(X3, y3)
    assert clf3.n_channels_ == 2 and clf3.predict(X3).shape == (30,)
    # the same seed gives the same features and predictions
    again = RocketClassifier(variant, n_kernels=840, random_state=0).fit(X, y)
    np.testing.assert_array_equal(again.decision_function(Xt), clf.decision_function(Xt))


def test_missing_values_are_filled_and_short_series_padded():
    X, y = _sines(length=60)
    X[0, 10:13] = np.nan
    X[1, 50:] = np.nan  # UCR-style padding
    clf = RocketClassifier(n_kernels=840, random_state=0).fit(X, y)
    assert np.isfinite(clf.decision_function(X)).all()
    short, ys = _sines(length=6)
    assert RocketClassifier(n_kernels=840, random_state=0).fit(short, ys).length_ == 9


def test_hydra_pads_short_series_and_scales_its_counts_as_its_paper():
    from sktsmtl.classification.rocket import _SparseScaler

    short, ys = _sines(length=6)
    clf = RocketClassifier("hydra", n_kernels=128, random_state=0).fit(short, ys)
    assert clf.length_ == 9 and clf.transformer_.hydra_.dilations == [1]
    counts = np.array([[0.0, 4.0, -1.0], [0.0, 9.0, 4.0], [1.0, 1.0, 0.0], [0.0, 16.0, 9.0]])
    scaled = _SparseScaler().fit(counts).transform(counts)
    roots = np.sqrt(np.clip(counts, 0, None))
    zeros = (roots == 0).mean(axis=0)
    expected = (roots - roots.mean(0)) / (roots.std(0, ddof=1) + zeros ** 4 + 1e-8)
    np.testing.assert_allclose(scaled, np.where(roots == 0, 0.0, expected))


def test_hydra_on_ecgfivedays_reaches_its_papers_accuracy(ucr_dir):
    from sktsmtl.datasets import load_ucr_dataset

    X, y = load_ucr_dataset("ECGFiveDays", "train", ucr_dir)
    X_test, y_test = load_ucr_dataset("ECGFiveDays", "test", ucr_dir)
    # the paper: 0.998 over 30 resamples
    assert RocketClassifier("hydra", random_state=0).fit(X, y).score(X_test, y_test) > 0.99


def test_a_classifier_fitted_on_one_length_refuses_others():
    X, y = _sines()
    clf = RocketClassifier(n_kernels=840, random_state=0).fit(X[:, None, :], y)
    with pytest.raises(ValueError, match="fitted on 1 of length 60"):
        clf.predict(np.zeros((2, 1, 70)))


def test_per_task_in_a_grid_search():
    X, y = _sines()
    tasks_X, tasks_y = {"t1": X, "t2": X[:, ::-1]}, {"t1": y, "t2": y}
    per_task = PerTaskClassifier(RocketClassifier(n_kernels=840, random_state=0))
    assert per_task.fit(tasks_X, tasks_y).score(tasks_X, tasks_y) == 1.0
    search = GridSearchCV(RocketClassifier(n_kernels=840, random_state=0),
                          {"variant": ["minirocket", "multirocket"]}, cv=2).fit(X, y)
    assert search.best_params_["variant"] in ("minirocket", "multirocket")


def test_leave_one_out_scores_equal_refits_without_the_series():
    from sklearn.linear_model import RidgeClassifier
    from sklearn.preprocessing import LabelBinarizer, StandardScaler

    from sktsmtl.classification.rocket import _leave_one_out_decision

    rng = np.random.default_rng(0)
    # fewer series than features, and more; and a ridge that nearly interpolates
    # (1 - h_ii about 1e-10: computed as 1 minus the leverage it would be rounding)
    # (and columns that are not centred, as Hydra's scaled counts)
    for n, p, alpha in ((25, 60, 2.0), (40, 8, 2.0), (30, 3000, 1e-6), (20, 50, 1e-3),
                        (40, 8, 1e-3)):
        features = StandardScaler().fit_transform(rng.normal(size=(n, p)))
        if alpha == 1e-3:
            features = np.clip(features, 0, None)
        y = rng.integers(0, 3, n)
        targets = LabelBinarizer(neg_label=-1).fit_transform(y).astype(float)
        held_out = _leave_one_out_decision(features, targets, alpha=alpha)
        for i in range(n):
            keep = np.arange(n) != i
            refit = RidgeClassifier(alpha=alpha, solver="svd").fit(features[keep], y[keep])
            np.testing.assert_allclose(held_out[i], refit.decision_function(features[[i]])[0],
                                       atol=1e-8)


def test_probabilities_are_calibrated_softmax_of_the_scores():
    X, y = _sines()
    Xt, yt = _sines(seed=1)
    clf = RocketClassifier(n_kernels=840, random_state=0).fit(X, y)
    proba = clf.predict_proba(Xt)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(Xt))
    assert 0 < clf.temperature_ < np.inf
    # binary: the two columns come from the one ridge score
    binary = RocketClassifier(n_kernels=840, random_state=0).fit(X[:20], y[:20])
    p2 = binary.predict_proba(Xt[:20])
    assert p2.shape == (20, 2)
    np.testing.assert_array_equal(binary.classes_[p2.argmax(axis=1)], binary.predict(Xt[:20]))
    # noisier labels give less confident probabilities (a larger temperature)
    noisy = y.copy()
    noisy[::3] = np.roll(noisy[::3], 1)
    blurred = RocketClassifier(n_kernels=840, random_state=0).fit(X, noisy)
    assert blurred.temperature_ > clf.temperature_


def test_heldout_accuracy_is_the_leave_one_out_accuracy():
    from sklearn.preprocessing import LabelBinarizer

    from sktsmtl.classification.rocket import _leave_one_out_decision

    X, y = _sines()
    y = y.copy()
    y[::4] = np.roll(y[::4], 1)  # some label noise: not every series is right
    clf = RocketClassifier(n_kernels=840, random_state=0).fit(X, y)
    features = clf._features(clf._series(X, reset=False))
    targets = LabelBinarizer(neg_label=-1).fit(clf.classes_).transform(y).astype(float)
    held_out = _leave_one_out_decision(features, targets, clf.ridge_.alpha_)
    expected = np.mean(clf.classes_[held_out.argmax(axis=1)] == y)
    assert clf.heldout_accuracy_ == pytest.approx(expected)
    assert 0.5 < clf.heldout_accuracy_ < 1.0  # the noisy labels are not all predicted


def test_series_of_several_lengths_are_resampled_to_the_longest():
    from sktsmtl.preprocessing import Resampler

    X, y = _sines(length=60)
    ragged = [s[: 40 + (i % 3) * 10] for i, s in enumerate(X)]  # lengths 40, 50, 60
    clf = RocketClassifier(n_kernels=840, random_state=0).fit(ragged, y)
    assert clf.resample_length_ == 60 and clf.length_ == 60
    # the same features as resampling first; at predict every series is resampled too
    resampled = Resampler(length=60).fit_transform(ragged)
    same = RocketClassifier(n_kernels=840, random_state=0).fit(resampled, y)
    assert same.resample_length_ is None
    np.testing.assert_allclose(clf.decision_function(ragged), same.decision_function(
        Resampler(length=60).fit_transform(ragged)))
    one = clf.decision_function(X[:1, :45])  # one series: an array of another length
    np.testing.assert_allclose(one, same.decision_function(
        Resampler(length=60).fit_transform([X[0, :45]])))
    # a classifier fitted on one length takes only that length
    with pytest.raises(ValueError, match="lengths 40 to 60; the classifier was fitted on "
                                         "series of one length, 60"):
        same.predict(ragged)
    with pytest.raises(ValueError, match="1 to 2 channels"):
        RocketClassifier().fit([np.zeros(20), np.ones((2, 31))], [0, 1])


def test_a_vote_with_rockets_takes_tasks_of_several_lengths():
    from sktsmtl import make_rocket_vote

    X, y = _sines(length=60)
    tasks_X = {"t1": [s[: 40 + (i % 3) * 10] for i, s in enumerate(X)], "t2": X}
    tasks_y = {"t1": y, "t2": y}
    vote = make_rocket_vote(("minirocket",), max_epochs=1, random_state=0,
                            backbone__preset="tiny")
    vote.set_params(minirocket__n_kernels=840)
    scores = vote.fit(tasks_X, tasks_y).score_tasks(tasks_X, tasks_y)
    assert set(scores) == {"t1", "t2"}
