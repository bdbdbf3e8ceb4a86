"""TS2Vec's self-supervised objective and ``TS2VecTransformer``."""

import math

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from sktsmtl.classification import CrossValidatedSVC, PerTaskClassifier
from sktsmtl.data import TaskLabels, TaskPanel
from sktsmtl.nets import (
    HierarchicalContrastiveLoss,
    hierarchical_contrastive_loss,
    instance_contrastive_loss,
    temporal_contrastive_loss,
)
from sktsmtl.representation import TS2VecTransformer
from sktsmtl.representation._contrastive import overlapping_crops

_TINY = dict(output_dim=16, hidden_dim=8, depth=2, n_iters=4, random_state=0)

# ---------------------------------------------------------------------------- the loss


def _brute_info_nce(a, b):
    """Mean over rows of -log softmax of the positive, by explicit loops (a, b: (n, D))."""
    z = torch.cat([a, b]).double()
    n = a.shape[0]
    total = 0.0
    for i in range(2 * n):
        logits = [float(z[i] @ z[j]) for j in range(2 * n) if j != i]
        positive = float(z[i] @ z[(i + n) % (2 * n)])
        total += -positive + math.log(sum(math.exp(v) for v in logits))
    return total / (2 * n)


def _brute_hierarchical(z1, z2, alpha=0.5, temporal_unit=0):
    levels, loss = 0, 0.0
    while True:
        b, t, _ = z1.shape
        inst = 0.0 if b == 1 else np.mean([_brute_info_nce(z1[:, s], z2[:, s])
                                           for s in range(t)])
        if t == 1:
            return (loss + alpha * inst) / (levels + 1)
        temp = np.mean([_brute_info_nce(z1[i], z2[i]) for i in range(b)])
        loss += alpha * inst + ((1 - alpha) * temp if levels >= temporal_unit else 0.0)
        levels += 1
        keep = (t // 2) * 2
        z1 = z1[:, :keep].reshape(b, t // 2, 2, -1).amax(dim=2)
        z2 = z2[:, :keep].reshape(b, t // 2, 2, -1).amax(dim=2)


def test_loss_hand_computed_instance_term():
    # B=2, T=1, D=1: z = (1, 0) in both views. Row 1 sees logits (0, 1, 0) with the
    # positive 1: log(2 + e) - 1; row 0 sees three zeros: log(3). One level.
    z = torch.tensor([[[1.0]], [[0.0]]])
    expected_instance = (2 * (math.log(2 + math.e) - 1) + 2 * math.log(3)) / 4
    assert float(instance_contrastive_loss(z, z)) == pytest.approx(expected_instance)
    assert float(temporal_contrastive_loss(z, z)) == 0.0
    assert float(hierarchical_contrastive_loss(z, z)) == pytest.approx(
        0.5 * expected_instance)
    assert float(hierarchical_contrastive_loss(z, z, alpha=1.0)) == pytest.approx(
        expected_instance)


def test_loss_hand_computed_temporal_term():
    # B=1, T=2: the instance terms are 0 (no negative); level 0 has the temporal term
    # (the same numbers as above, over time), level 1 (pooled to one step) adds 0.
    z = torch.tensor([[[1.0], [0.0]]])
    expected_temporal = (2 * (math.log(2 + math.e) - 1) + 2 * math.log(3)) / 4
    assert float(temporal_contrastive_loss(z, z)) == pytest.approx(expected_temporal)
    assert float(instance_contrastive_loss(z, z)) == 0.0
    assert float(hierarchical_contrastive_loss(z, z)) == pytest.approx(
        0.5 * expected_temporal / 2)
    # temporal_unit=1: no temporal term at level 0, nothing left
    assert float(hierarchical_contrastive_loss(z, z, temporal_unit=1)) == 0.0


@pytest.mark.parametrize("shape", [(3, 5, 2), (2, 8, 3), (1, 3, 2), (4, 1, 2)])
@pytest.mark.parametrize("alpha,temporal_unit", [(0.5, 0), (0.3, 1), (1.0, 0)])
def test_loss_matches_explicit_loops(shape, alpha, temporal_unit):
    g = torch.Generator().manual_seed(0)
    z1, z2 = torch.randn(*shape, generator=g), torch.randn(*shape, generator=g)
    got = float(hierarchical_contrastive_loss(z1, z2, alpha, temporal_unit))
    assert got == pytest.approx(_brute_hierarchical(z1, z2, alpha, temporal_unit), rel=1e-5)
    module = HierarchicalContrastiveLoss(alpha, temporal_unit)
    assert float(module(z1, z2)) == pytest.approx(got)


def test_loss_gradients_and_bad_arguments():
    z1 = torch.randn(3, 6, 4, requires_grad=True)
    hierarchical_contrastive_loss(z1, torch.randn(3, 6, 4)).backward()
    assert torch.isfinite(z1.grad).all() and z1.grad.abs().sum() > 0
    with pytest.raises(ValueError, match="same shape"):
        hierarchical_contrastive_loss(torch.zeros(2, 3, 4), torch.zeros(2, 4, 4))
    with pytest.raises(ValueError, match="alpha"):
        hierarchical_contrastive_loss(torch.zeros(2, 3, 4), torch.zeros(2, 3, 4), alpha=2)
    with pytest.raises(ValueError, match="temporal_unit"):
        HierarchicalContrastiveLoss(temporal_unit=-1)


@pytest.mark.parametrize("layout", ["shared", "per_series"])
def test_overlapping_crops_contain_the_overlap(layout):
    rng = np.random.default_rng(0)
    lengths = np.array([5, 9, 30, 2])
    for _ in range(200):
        c, a, e1, b, e2 = overlapping_crops(lengths, 2, rng, layout)
        assert 2 <= c <= lengths.min()
        assert np.all((0 <= a) & (a <= b) & (e1 == b + c) & (e2 >= b + c) & (e2 <= lengths))


def test_shared_crops_are_one_layout_shifted_per_row():
    # TS2Vec's layout: the same view widths and overlap place in every row, and over
    # many draws every admissible position of a longer row is reached
    rng = np.random.default_rng(1)
    lengths = np.array([12, 12, 40])
    starts = set()
    for _ in range(500):
        c, a, e1, b, e2 = overlapping_crops(lengths, 2, rng, "shared")
        assert len(set(e1 - a)) == 1 and len(set(e2 - b)) == 1 and len(set(b - a)) == 1
        assert np.all(e2 <= lengths)
        starts.add(int(a[2]))
    assert max(starts) > 12  # the long row's views are not confined to the shortest length
    assert min(starts) == 0


def test_crop_layouts_differ_and_are_checked():
    rng = np.random.default_rng(2)
    widths = {layout: set() for layout in ("shared", "per_series")}
    for layout in widths:
        for _ in range(50):
            c, a, e1, b, e2 = overlapping_crops(np.array([20, 20, 20]), 2, rng, layout)
            widths[layout].add(len(set(e1 - a)))
    assert widths["shared"] == {1} and max(widths["per_series"]) > 1
    with pytest.raises(ValueError, match="layout"):
        overlapping_crops(np.array([20]), 2, rng, "diagonal")
    with pytest.raises(ValueError, match="crop_layout"):
        TS2VecTransformer(crop_layout="diagonal").fit(np.zeros((4, 20)))


# ------------------------------------------------------------------ the transformer
def _two_tasks(seed=0):
    rng = np.random.default_rng(seed)
    X = {"a": rng.normal(size=(12, 20)), "b": [rng.normal(size=n) for n in (9, 14, 20, 11)]}
    y = {"a": np.repeat([0, 1], 6), "b": np.array(["u", "v", "u", "v"])}
    return X, y


def test_joint_and_alpha_are_deprecated_names():
    X, _ = _two_tasks()
    with pytest.warns(FutureWarning, match="TS2VecTransformer: 'joint' was renamed "
                                           "'multitask'.*use multitask=False"):
        ssl = TS2VecTransformer(**_TINY, joint=False).fit(X)
    assert ssl.encoders_["a"] is not ssl.encoders_["b"]  # the old name still decides
    with pytest.raises(ValueError, match="'joint' parameter"):
        TS2VecTransformer(joint="yes").fit(X)
    with pytest.warns(FutureWarning, match="'alpha' was renamed 'instance_weight'"):
        old = TS2VecTransformer(**_TINY, alpha=1.0).fit(X)
    new = TS2VecTransformer(**_TINY, instance_weight=1.0).fit(X)
    assert_allclose(old.history_[:, "train_loss"], new.history_[:, "train_loss"])


def test_one_training_record_per_encoder_and_loss_curves_deprecated():
    X, _ = _two_tasks()
    apart = TS2VecTransformer(**_TINY, multitask=False).fit(X)
    # one encoder per task: {task: value}, as the classifier's history_ and best_epoch_
    assert set(apart.history_) == {"a", "b"} and apart.history_["a"] is not \
        apart.history_["b"]
    assert set(apart.n_iters_) == {"a", "b"}
    with pytest.warns(FutureWarning, match="loss_curves_ is deprecated.*history_"):
        curves = apart.loss_curves_
    assert curves["b"] == list(apart.history_["b"][:, "train_loss"])
    joint = TS2VecTransformer(**_TINY).fit(X)
    with pytest.warns(FutureWarning):
        assert joint.loss_curves_["a"] == joint.loss_curves_["b"] == \
            list(joint.history_[:, "train_loss"])
    with pytest.raises(AttributeError):
        TS2VecTransformer().loss_curves_


def test_output_forms_and_joint_encoders():
    X, _ = _two_tasks()
    joint = TS2VecTransformer(**_TINY).fit(X)
    assert joint.encoders_["a"] is joint.encoders_["b"]
    assert joint.n_iters_ == 4
    Z = joint.transform(X)
    assert set(Z) == {"a", "b"} and Z["a"].shape == (12, 16) and Z["b"].shape == (4, 16)
    assert Z["a"].dtype == np.float64 and np.isfinite(Z["b"]).all()
    # a TaskPanel gives a TaskPanel of one 16-step univariate row per series
    panel = TaskPanel.from_dict(X)
    Zp = joint.transform(panel)
    assert isinstance(Zp, TaskPanel) and Zp.tasks == ["a", "b"]
    assert_allclose(Zp.task_array("b"), Z["b"])
    # one task: an array for an array and for a list; the padded form equals the list
    assert_allclose(joint.transform({"b": X["b"]})["b"], Z["b"])
    per_task = TS2VecTransformer(**_TINY, multitask=False).fit(X)
    assert per_task.encoders_["a"] is not per_task.encoders_["b"]
    assert not np.allclose(per_task.transform(X)["a"], Z["a"])
    single = TS2VecTransformer(**_TINY).fit(X["b"])
    padded = np.full((4, 20), np.nan)
    for i, s in enumerate(X["b"]):
        padded[i, : len(s)] = s
    assert_allclose(single.transform(X["b"]),
                    TS2VecTransformer(**_TINY).fit(X["b"]).transform(X["b"]))
    three_d = np.random.default_rng(1).normal(size=(5, 3, 10))
    assert TS2VecTransformer(**_TINY).fit_transform(three_d).shape == (5, 16)


def test_padding_and_missing_values():
    rng = np.random.default_rng(0)
    series = [rng.normal(size=n) for n in (8, 15, 15)]
    padded = np.full((3, 15), np.nan)
    for i, s in enumerate(series):
        padded[i, : len(s)] = s
    ssl = TS2VecTransformer(**_TINY).fit(series)
    # a padded array row and the unpadded list series give the same representation
    assert_allclose(ssl.transform([series[0]]), ssl.transform(padded[:1, :8]))
    assert_allclose(TS2VecTransformer(**_TINY).fit(padded).transform(padded),
                    ssl.transform(series), atol=1e-12)
    holey = padded.copy()
    holey[1, 3] = np.nan
    assert np.isfinite(TS2VecTransformer(**_TINY).fit_transform(holey)).all()


def test_repeatable_and_seeded():
    X, _ = _two_tasks()
    a = TS2VecTransformer(**_TINY).fit(X)
    b = TS2VecTransformer(**_TINY).fit(X)
    assert a.history_[:, "train_loss"] == b.history_[:, "train_loss"]
    assert_array_equal(a.transform(X)["a"], b.transform(X)["a"])
    c = TS2VecTransformer(**{**_TINY, "random_state": 1}).fit(X)
    assert not np.array_equal(a.transform(X)["a"], c.transform(X)["a"])
    # the global torch RNG is left alone
    torch.manual_seed(5)
    expected = torch.rand(1)
    torch.manual_seed(5)
    TS2VecTransformer(**_TINY).fit(X)
    assert torch.equal(torch.rand(1), expected)


def test_pipeline_with_per_task_svm_and_grid_search():
    X, y = _two_tasks()
    pipe = make_pipeline(TS2VecTransformer(**_TINY), PerTaskClassifier(CrossValidatedSVC()))
    pipe.fit(X, y)
    pred = pipe.predict(X)
    assert set(pred) == {"a", "b"} and pred["b"].dtype.kind == "U"
    assert 0 <= pipe.score(X, y) <= 1
    Xp, yp = TaskPanel.from_dict(X), TaskLabels.from_dict(y)
    search = GridSearchCV(pipe, {"ts2vectransformer__multitask": [True, False]}, cv=2)
    search.fit(Xp, yp)
    assert search.best_params_["ts2vectransformer__multitask"] in (True, False)
    single = make_pipeline(TS2VecTransformer(**_TINY), CrossValidatedSVC())
    GridSearchCV(single, {"ts2vectransformer__depth": [1, 2]}, cv=2).fit(X["a"], y["a"])


def test_trains_on_the_network_estimator_stack(tmp_path):
    from skorch.callbacks import Callback

    from sktsmtl.training import NetworkEstimator

    class CountSteps(Callback):
        def initialize(self):
            self.steps = 0
            return self

        def on_batch_end(self, net, training=False, **kwargs):
            self.steps += int(training)

    X, _ = _two_tasks()
    counter = CountSteps()
    ssl = TS2VecTransformer(**_TINY, callbacks=[("count", counter)],
                            optimizer=torch.optim.SGD, optimizer__momentum=0.9, lr=1e-2)
    assert isinstance(ssl, NetworkEstimator)
    assert ssl.get_params()["optimizer__momentum"] == 0.9
    ssl.fit(X)
    # one joint encoder: 4 optimiser steps, seen by the user's callback
    assert ssl.n_iters_ == 4
    assert sum(len(row["batches"]) for row in ssl.history_) == 4
    assert ssl.interrupted_ is False
    # max_epochs alone: whole epochs (a: 1 batch of 8 of its 12 series, b: 1 of 4)
    epochs = TS2VecTransformer(**{**_TINY, "n_iters": None}, max_epochs=3).fit(X)
    assert epochs.n_iters_ == 6 and len(epochs.history_) == 3
    # n_iters stops inside an epoch: 3 steps of 2 per epoch
    cut = TS2VecTransformer(**{**_TINY, "n_iters": 3}).fit(X)
    assert [len(r["batches"]) for r in cut.history_] == [2, 1]
    # checkpoints: a finished fit removes its own and gives the same encoder
    kept = TS2VecTransformer(**_TINY, checkpoint_dir=str(tmp_path)).fit(X)
    assert not any(p.is_file() for p in tmp_path.rglob("*"))
    np.testing.assert_allclose(kept.transform(X)["a"],
                               TS2VecTransformer(**_TINY).fit(X).transform(X)["a"])


def test_averaged_weights_are_the_mean_over_the_steps():
    import copy

    from skorch.callbacks import Callback

    states = []  # (the estimator trains a copy of its callbacks)

    class Snapshots(Callback):
        def on_batch_end(self, net, training=False, **kwargs):
            if training:
                states.append(copy.deepcopy(net.module_.state_dict()))

    X, _ = _two_tasks()
    ssl = TS2VecTransformer(**_TINY, callbacks=[("snapshots", Snapshots())]).fit(X)
    assert len(states) == 4
    name, param = next(iter(ssl.encoders_["a"].named_parameters()))
    mean = torch.stack([st[name].double() for st in states]).mean(dim=0)
    torch.testing.assert_close(param.detach(), mean, rtol=1e-5, atol=1e-6)
    last = TS2VecTransformer(**_TINY, swa=False).fit(X).encoders_["a"]
    torch.testing.assert_close(dict(last.named_parameters())[name].detach(),
                               states[-1][name].double())


def test_training_parameters_are_checked_by_name():
    X, _ = _two_tasks()
    with pytest.raises(ValueError, match="backbone__depth: the encoder's arguments are "
                                         "TS2VecTransformer's own parameters"):
        TS2VecTransformer(**_TINY, backbone__depth=3).fit(X)
    with pytest.raises(ValueError, match="callbacks__nope__x: there is no callback named "
                                         "'nope'"):
        TS2VecTransformer(**_TINY, callbacks__nope__x=1).fit(X)
    with pytest.raises(ValueError, match="max_epochs"):
        TS2VecTransformer(**_TINY, max_epochs=0).fit(X)


def test_bad_inputs_name_the_task():
    X, _ = _two_tasks()
    with pytest.raises(ValueError, match=r"task 'c': series 1 has 1 time step\(s\)"):
        TS2VecTransformer(**_TINY).fit({**X, "c": [np.ones(5), np.ones(1)]})
    with pytest.raises(ValueError, match=r"task 'b': series 0 has 9 time step\(s\).*"
                                         r"2\*\*\(temporal_unit \+ 1\) = 16"):
        TS2VecTransformer(**{**_TINY, "temporal_unit": 3}).fit(X)
    with pytest.raises(ValueError, match="max_train_length=3 is shorter"):
        TS2VecTransformer(**{**_TINY, "temporal_unit": 1, "max_train_length": 3}).fit(X)
    with pytest.raises(ValueError, match="multitask=True .* channel count"):
        TS2VecTransformer(**_TINY).fit({"a": X["a"], "m": np.zeros((3, 2, 10))})
    TS2VecTransformer(**_TINY, multitask=False).fit({"a": X["a"], "m": np.ones((3, 2, 10))})
    ssl = TS2VecTransformer(**_TINY).fit(X)
    with pytest.raises(ValueError, match="task 'z' was not seen"):
        ssl.transform({"z": X["a"]})
    with pytest.raises(ValueError, match="n_iters"):
        TS2VecTransformer(n_iters=0).fit(X)
    # a fitted encoder embeds a one-step series (only training needs two)
    assert ssl.transform({"b": [np.ones(1)]})["b"].shape == (1, 16)


def _fixed_crop_loss(encoder, X, seed=0):
    """The objective of a fitted encoder on fixed crops, masking and dropout off."""
    from sktsmtl.nets import HierarchicalContrastiveLoss
    from sktsmtl.representation import ContrastiveNet
    from sktsmtl.representation._contrastive import TaskSeries

    rng = np.random.default_rng(seed)
    net = ContrastiveNet(encoder.float(), criterion=HierarchicalContrastiveLoss,
                         random_state=rng, train_split=None).initialize()
    net.module_.eval()
    with torch.no_grad():
        losses = [float(net._contrastive_loss(TaskSeries(t, [s[None] for s in X_t]),
                                              rng.permutation(len(X_t))[:8]))
                  for _ in range(10) for t, X_t in X.items()]
    return np.mean(losses)


@pytest.mark.parametrize("joint", [True, False])
def test_loss_falls_on_real_data(ucr_dir, joint):
    from sktsmtl.datasets import load_ucr_dataset
    from sktsmtl.preprocessing import ZNormalizer

    X = {name: ZNormalizer().fit_transform(
        load_ucr_dataset(name, "train", data_dir=ucr_dir)[0][:16, :64])
        for name in ("Chinatown", "Lightning7")}
    params = dict(output_dim=16, hidden_dim=16, depth=3, lr=3e-3, multitask=joint,
                  random_state=0)
    ssl = TS2VecTransformer(**params, n_iters=300).fit(X)
    history = ssl.history_ if joint else ssl.history_["Lightning7"]
    curve = history[:, "train_loss"]
    third = len(curve) // 3
    assert third >= 3
    assert np.mean(curve[-third:]) < np.mean(curve[:third])
    # on the same fixed crops, the trained encoder has a lower loss than the encoder
    # after one step
    start = TS2VecTransformer(**params, n_iters=1).fit(X)
    for task in X:
        before = _fixed_crop_loss(start.encoders_[task], {task: X[task]})
        after = _fixed_crop_loss(ssl.encoders_[task], {task: X[task]})
        assert after < 0.95 * before, (task, before, after)


@pytest.mark.parametrize("module", [
    "sktsmtl.representation.ts2vec",
    "sktsmtl.representation._contrastive",
    "sktsmtl.nets.ts2vec_loss",
    "sktsmtl.inspection.embeddings",
    "sktsmtl.benchmarking.reference",
])
def test_docstring_examples(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module),
                             optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
