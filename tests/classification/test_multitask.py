import pickle
import warnings

import joblib
import numpy as np
import pytest
import torch
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline

from sktsmtl.classification import MultiTaskTimeSeriesClassifier
from sktsmtl.data import TaskLabels, TaskPanel, check_task_data
from sktsmtl.nets import backbone_names
from sktsmtl.preprocessing import MissingValueImputer, ZNormalizer

FAST = dict(backbone="resnet2d", max_epochs=3, batch_size=8, lr=1e-2, backbone__n_templates=4,
            backbone__template_length=8, backbone__n_blocks=1, backbone__width=8,
            random_state=0)
FAST1D = dict(backbone="resnet1d", max_epochs=3, batch_size=8, lr=1e-2, random_state=0,
              backbone__filters=(8, 8, 8))


def _tasks(seed=0, n=24):
    """Three small tasks: sine frequency classes, with varied lengths and label types."""
    rng = np.random.default_rng(seed)

    def make(n_series, length, labels):
        y = rng.choice(labels, size=n_series)
        y[: len(labels)] = labels  # every class present
        freq = np.array([1 + labels.index(v) for v in y.tolist()], dtype=float)
        t = np.linspace(0, 2 * np.pi, length)
        X = np.sin(freq[:, None] * t + rng.uniform(0, 1, (n_series, 1)))
        return X + 0.1 * rng.normal(size=X.shape), y

    Xa, ya = make(n, 30, [-1, 1])
    Xb, yb = make(n, 24, ["low", "mid", "high"])
    Xc, yc = make(n // 2, 30, [0, 1])
    Xc[0, -5:] = np.nan  # a shorter series (NaN padding)
    Xc[1, 3] = np.nan  # a missing value
    return {"a": Xa, "b": Xb, "c": Xc}, {"a": ya, "b": yb, "c": yc}


@pytest.mark.parametrize("params", [FAST, FAST1D], ids=["resnet2d", "resnet1d"])
def test_fit_predict_every_form(params):
    X, y = _tasks()
    clf = MultiTaskTimeSeriesClassifier(**params).fit(X, y)
    pred = clf.predict(X)
    assert set(pred) == {"a", "b", "c"}
    assert set(pred["b"].tolist()) <= {"low", "mid", "high"}
    assert pred["a"].dtype == y["a"].dtype
    proba = clf.predict_proba(X)
    assert proba["b"].shape == (24, 3)
    np.testing.assert_allclose(proba["b"].sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_array_equal(clf.classes_["b"], ["high", "low", "mid"])
    assert 0 <= clf.score(X, y) <= 1
    emb = clf.transform(X)
    assert emb["a"].shape[0] == 24 and emb["a"].ndim == 2

    panel, labels, _ = check_task_data(X, y)
    pred_panel = clf.predict(panel)
    assert isinstance(pred_panel, TaskLabels)
    for task in X:
        np.testing.assert_array_equal(pred_panel.to_dict()[task], pred[task])


def test_single_array_mode():
    X, y = _tasks()
    clf = MultiTaskTimeSeriesClassifier(**FAST).fit(X["b"], y["b"])
    assert isinstance(clf.classes_, np.ndarray)
    assert clf.n_features_in_ == 24
    assert clf.predict(X["b"]).shape == (24,)
    with pytest.raises(ValueError, match="features"):
        clf.predict(X["b"][:, :10])


def test_same_seed_same_predictions_and_history():
    X, y = _tasks()
    p1 = MultiTaskTimeSeriesClassifier(**FAST).fit(X, y)
    p2 = MultiTaskTimeSeriesClassifier(**FAST).fit(X, y)
    for task in X:
        np.testing.assert_array_equal(p1.predict_proba(X)[task], p2.predict_proba(X)[task])
    assert p1.history_[:, "train_loss"] == p2.history_[:, "train_loss"]


def test_fit_leaves_global_rng_alone():
    X, y = _tasks()
    torch.manual_seed(123)
    expected = torch.rand(1)
    torch.manual_seed(123)
    MultiTaskTimeSeriesClassifier(**FAST).fit(X, y)
    assert torch.equal(torch.rand(1), expected)


def test_best_epoch_is_restored_and_recorded():
    X, y = _tasks()
    clf = MultiTaskTimeSeriesClassifier(**dict(FAST, max_epochs=4)).fit(X, y)
    accs = clf.history_[:, "valid_acc"]
    assert 1 <= clf.best_epoch_ <= 4
    assert accs[clf.best_epoch_ - 1] == max(accs)
    assert "valid_acc_b" in clf.history_[-1]


def test_early_stopping():
    X, y = _tasks()
    clf = MultiTaskTimeSeriesClassifier(**dict(FAST, max_epochs=30, lr=1e-6),
                                        early_stopping=2).fit(X, y)
    assert len(clf.history_) < 30


def test_single_task_networks():
    X, y = _tasks()
    clf = MultiTaskTimeSeriesClassifier(**dict(FAST1D, multitask=False)).fit(X, y)
    assert clf.nets_["a"] is not clf.nets_["b"]
    assert set(clf.history_) == {"a", "b", "c"}
    assert set(clf.predict(X)) == {"a", "b", "c"}


def test_verbose_prints_and_default_is_silent(capsys):
    X, y = _tasks()
    MultiTaskTimeSeriesClassifier(**FAST).fit(X, y)
    assert capsys.readouterr().out == ""
    MultiTaskTimeSeriesClassifier(**dict(FAST, verbose=1)).fit(X, y)
    out = capsys.readouterr().out
    assert "epoch 1/" in out and "  loss " in out and "  valid " in out
    MultiTaskTimeSeriesClassifier(**dict(FAST, verbose=2)).fit(X, y)
    out = capsys.readouterr().out  # skorch's table
    assert "valid_acc" in out and "train_loss" in out and "dur" in out


def test_pickle_and_joblib_roundtrip(tmp_path):
    X, y = _tasks()
    clf = MultiTaskTimeSeriesClassifier(**FAST).fit(X, y)
    expected = clf.predict_proba(X)
    restored = pickle.loads(pickle.dumps(clf))
    joblib.dump(clf, tmp_path / "clf.joblib")
    loaded = joblib.load(tmp_path / "clf.joblib")
    for other in (restored, loaded):
        for task in X:
            np.testing.assert_array_equal(other.predict_proba(X)[task], expected[task])


def test_cuda_trained_model_loads_on_cpu(monkeypatch):
    X, y = _tasks()
    clf = MultiTaskTimeSeriesClassifier(**FAST).fit(X, y)
    expected = clf.predict(X)
    # Pretend the net was trained on a GPU: its stored device says cuda.
    clf.nets_["a"].device = "cuda"
    data = pickle.dumps(clf)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        restored = pickle.loads(data)
    assert str(restored.nets_["a"].device) == "cpu"
    for task in X:
        np.testing.assert_array_equal(restored.predict(X)[task], expected[task])


def test_pipeline_and_grid_search_on_task_containers():
    X, y = _tasks(n=18)
    panel, labels, _ = check_task_data(X, y)
    pipe = make_pipeline(MissingValueImputer(), ZNormalizer(),
                         MultiTaskTimeSeriesClassifier(**dict(FAST, max_epochs=1)))
    assert cross_val_score(pipe, panel, labels, cv=3).shape == (3,)
    grid = GridSearchCV(
        MultiTaskTimeSeriesClassifier(**dict(FAST, max_epochs=1)),
        {"backbone__n_templates": [2, 4], "backbone__template_length": [4, 8]},
        cv=3, n_jobs=2,
    ).fit(panel, labels)
    assert set(grid.best_params_) == {"backbone__n_templates", "backbone__template_length"}
    assert isinstance(grid.predict(panel), TaskLabels)
    # the routed values reached the refitted network
    best = grid.best_estimator_.nets_["a"].module_.backbone
    assert best.n_templates == grid.best_params_["backbone__n_templates"]
    assert best.template_length == grid.best_params_["backbone__template_length"]


def test_short_series_adapt():
    rng = np.random.default_rng(0)
    X = {"a": rng.normal(size=(10, 2)), "b": rng.normal(size=(10, 1))}
    y = {"a": np.repeat([0, 1], 5), "b": np.repeat([0, 1], 5)}
    for params in (FAST, FAST1D):
        clf = MultiTaskTimeSeriesClassifier(**dict(params, max_epochs=1)).fit(X, y)
        assert clf.predict(X)["b"].shape == (10,)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"backbone__n_templates": 0}, "n_templates"),
        ({"backbone__template_length": 0}, "template_length"),
        ({"backbone": "transformer"}, "unknown backbone 'transformer'"),
        ({"validation_fraction": 1.0}, "validation_fraction"),
        ({"device": "tpu"}, "device"),
        ({"alpha": -0.1}, "alpha"),
        ({"tau": 0.0}, "tau"),
        ({"sharing": "soft"}, "sharing"),
        ({"final_estimator": object()}, "final_estimator"),
        ({"final_estimator": "knn"}, "final_estimator"),
        ({"sharing": "mtcs", "multitask": False}, "needs multitask=True"),
        ({"backbone": "convtimenet", "backbone__n_templates": 4}, "backbone__n_templates"),
    ],
)
def test_bad_parameters(params, match):
    X, y = _tasks()
    with pytest.raises(ValueError, match=match):
        MultiTaskTimeSeriesClassifier(**dict(FAST, **params)).fit(X, y)


def test_bad_inputs_name_the_task():
    X, y = _tasks()
    clf = MultiTaskTimeSeriesClassifier(**FAST)
    with pytest.raises(ValueError, match="task 'a': y has one class"):
        clf.fit(X, dict(y, a=np.ones_like(y["a"])))
    with pytest.raises(ValueError, match="task 'd' is in y but not in X"):
        clf.fit(X, dict(y, d=y["a"]))
    with pytest.raises(ValueError, match="task 'c': series 0 contains inf"):
        clf.fit(dict(X, c=np.where(np.isnan(X["c"]), np.inf, X["c"])), y)
    multi = dict(X, b=np.stack([X["b"], X["b"]], axis=1))
    with pytest.raises(ValueError, match="task 'b' has 2 channels but task 'a' has 1"):
        clf.fit(multi, y)
    clf.fit(X, y)
    with pytest.raises(ValueError, match="task 'z' was not seen during fit"):
        clf.predict({"z": X["a"]})
    with pytest.raises(ValueError, match="task 'a': X has 2 channels"):
        clf.predict({"a": np.stack([X["a"], X["a"]], axis=1)})


def test_panel_input_is_not_mutated():
    X, y = _tasks()
    panel = TaskPanel.from_dict(X)
    before = [s.copy() for s in panel.series]
    MultiTaskTimeSeriesClassifier(**dict(FAST, normalize=True)).fit(panel, TaskLabels.from_dict(y))
    for a, b in zip(before, panel.series):
        np.testing.assert_array_equal(a, b)


def test_final_estimator_reads_frozen_embeddings():
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    X, y = _tasks()
    clf = MultiTaskTimeSeriesClassifier(**dict(FAST1D, final_estimator=LogisticRegression()))
    clf.fit(X, y)
    assert set(clf.final_estimators_) == {"a", "b", "c"}
    emb = clf.transform(X)
    for task in X:
        est = clf.final_estimators_[task]
        expected = clf.classes_[task][est.predict(emb[task])]
        np.testing.assert_array_equal(clf.predict(X)[task], expected)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba["b"].sum(axis=1), 1, rtol=1e-6)
    # the heads are not used: zeroed heads change nothing
    before = clf.predict(X)
    for p in clf.nets_["a"].module_.head.parameters():
        p.data.zero_()
    for task in X:
        np.testing.assert_array_equal(clf.predict(X)[task], before[task])
    # a final estimator without predict_proba: so is the classifier
    clf2 = MultiTaskTimeSeriesClassifier(**dict(FAST1D, final_estimator=LinearSVC()))
    assert not hasattr(clf2, "predict_proba")
    assert set(clf2.fit(X, y).predict(X)["b"].tolist()) <= {"low", "mid", "high"}
    # refitting without it drops the per-task estimators
    clf.set_params(final_estimator=None).fit(X, y)
    assert not hasattr(clf, "final_estimators_")


def test_head_probabilities_every_head_on_every_task():
    X, y = _tasks()
    for multitask in (True, False):
        clf = MultiTaskTimeSeriesClassifier(**dict(FAST1D, multitask=multitask)).fit(X, y)
        probs = clf.head_probabilities(X)
        assert set(probs) == {"a", "b", "c"}
        assert probs["a"]["b"].shape == (24, 3) and probs["c"]["a"].shape == (12, 2)
        np.testing.assert_allclose(probs["b"]["c"].sum(axis=1), 1, rtol=1e-5)
        # a task's own head agrees with predict_proba
        np.testing.assert_allclose(probs["b"]["b"], clf.predict_proba(X)["b"], rtol=1e-5)


def test_task_norm_stats_is_a_parameter():
    X, y = _tasks()
    per_task = MultiTaskTimeSeriesClassifier(**FAST1D).fit(X, y)
    shared = MultiTaskTimeSeriesClassifier(**dict(FAST1D, task_norm_stats=False)).fit(X, y)
    keys = per_task.nets_["a"].module_.state_dict()
    assert any("task_running_mean" in k for k in keys)
    assert not any("task_running_mean" in k for k in shared.nets_["a"].module_.state_dict())
    # training itself is identical (batch statistics in training mode); only the
    # evaluation-mode statistics differ
    np.testing.assert_allclose(per_task.history_[:, "train_loss"],
                               shared.history_[:, "train_loss"], rtol=1e-5)


def test_mtcs_sharing_pulls_relevant_heads_together():
    X, y = _tasks()
    # two copies of one task: their heads learn the same classes, which makes class
    # pairs relevant, and the sharing loss then pulls the matching weight rows together
    X2, y2 = {"a": X["a"], "a2": X["a"].copy()}, {"a": y["a"], "a2": y["a"].copy()}
    params = dict(FAST1D, max_epochs=6, validation_fraction=0)
    hard = MultiTaskTimeSeriesClassifier(**params).fit(X2, y2)
    mtcs = MultiTaskTimeSeriesClassifier(**dict(params, sharing="mtcs", alpha=5.0)).fit(X2, y2)
    sharing = [b["sharing_loss"] for row in mtcs.history_ for b in row["batches"]]
    assert max(sharing) > 0
    assert "sharing_loss" not in hard.history_[-1]["batches"][0]

    def head_gap(clf):
        w = clf.nets_["a"].module_.head.weights()
        return float((w[0] - w[1]).detach().pow(2).sum())

    assert head_gap(mtcs) < head_gap(hard)
    # a single task has no pair to share with: plain training
    single = MultiTaskTimeSeriesClassifier(**dict(params, sharing="mtcs")).fit(
        {"a": X["a"]}, {"a": y["a"]})
    assert "sharing_loss" not in single.history_[-1]["batches"][0]


def test_convtimenet_parameters_are_tunable():
    X, y = _tasks()
    base = MultiTaskTimeSeriesClassifier(
        backbone="convtimenet", backbone__d_model=8, backbone__kernel_sizes=(5, 5),
        max_epochs=2, batch_size=8, backbone__d_ff=16, validation_fraction=0, random_state=0)
    search = GridSearchCV(base, {"backbone__patch_size": [4, 8],
                                 "backbone__patch_stride": [2, 4]}, cv=2)
    search.fit(TaskPanel.from_dict(X), TaskLabels.from_dict(y))
    assert set(search.best_params_) == {"backbone__patch_size", "backbone__patch_stride"}
    net = search.best_estimator_.nets_["a"].module_.backbone
    assert net.patch_size == search.best_params_["backbone__patch_size"]
    assert net.d_model == 8
    # the MTCS loss works with this backbone too
    mtcs = MultiTaskTimeSeriesClassifier(**dict(base.get_params(), sharing="mtcs")).fit(X, y)
    assert set(mtcs.predict(X)) == {"a", "b", "c"}
    with pytest.raises(ValueError, match="patch_stride"):
        MultiTaskTimeSeriesClassifier(**dict(base.get_params(), backbone__patch_size=2,
                                             backbone__patch_stride=4)).fit(X, y)


@pytest.mark.parametrize("backbone", backbone_names())
def test_every_backbone_with_mtcs_and_the_svm_stage(backbone):
    X, y = _tasks(n=12)
    clf = MultiTaskTimeSeriesClassifier(
        backbone=backbone, backbone__preset="tiny", sharing="mtcs", final_estimator="svm",
        max_epochs=2, batch_size=8, validation_fraction=0, random_state=0).fit(X, y)
    # tasks of 12 and 6 series are too small for the SVM's 5-fold grid: the documented
    # fallback (one fit with C=inf) runs instead of a crash
    assert all(not est.searched_ for est in clf.final_estimators_.values())
    pred = clf.predict(X)
    assert set(pred["b"].tolist()) <= {"low", "mid", "high"}
    assert not hasattr(clf, "predict_proba")


# -- defects of issue 11: clear errors and no crash on small or odd inputs -------------

def test_a_last_batch_of_one_series_never_reaches_batch_norm():
    rng = np.random.default_rng(0)
    X, y = {"a": rng.standard_normal((41, 30))}, {"a": np.arange(41) % 2}
    clf = MultiTaskTimeSeriesClassifier(**dict(FAST1D, max_epochs=1, batch_size=40,
                                               validation_fraction=0)).fit(X, y)
    assert clf.predict(X)["a"].shape == (41,)


def test_convtimenet_with_a_single_patch_trains():
    rng = np.random.default_rng(0)
    X, y = {"a": rng.standard_normal((9, 16))}, {"a": np.arange(9) % 2}
    clf = MultiTaskTimeSeriesClassifier(
        backbone="convtimenet", backbone__patch_size=16, backbone__patch_stride=16,
        backbone__d_model=8, backbone__kernel_sizes=(3,), max_epochs=1, batch_size=8,
        validation_fraction=0, random_state=0).fit(X, y)
    assert clf.predict(X)["a"].shape == (9,)


@pytest.mark.parametrize("backbone, params, match", [
    ("resnet1d", {"filters": (0,)}, "backbone 'resnet1d': filters must be a non-empty"),
    ("resnet1d", {"kernel_sizes": ()}, "kernel_sizes must be a non-empty"),
    ("resnet1d", {"n_templates": 8}, "backbone__n_templates: 'resnet1d' takes no parameter "
                                     "'n_templates'; it accepts backbone__filters, "
                                     "backbone__kernel_sizes, backbone__preset"),
    ("resnet1d", {"in_channels": 2}, "'in_channels' is set by the estimator"),
    ("resnet1d", {"preset": "huge"}, "unknown ResNet1D preset 'huge'"),
    ("resnet2d", {"width": 0}, "width must be an integer >= 1"),
    ("resnet2d", {"n_blocks": 1.5}, "n_blocks must be an integer"),
    ("resnet2d", {"distance": "cosine"}, "distance must be one of"),
    ("ts2vec", {"hidden_dim": 0}, "hidden_dim"),
    ("convtimenet", {"dropout": 1.0}, "dropout"),
])
def test_backbone_parameters_are_validated_naming_the_key(backbone, params, match):
    X, y = _tasks()
    routed = {f"backbone__{k}": v for k, v in params.items()}
    clf = MultiTaskTimeSeriesClassifier(backbone=backbone, max_epochs=1, **routed)
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without a GPU")
def test_cuda_without_a_gpu_is_a_clear_error_and_auto_falls_back():
    X, y = _tasks()
    with pytest.raises(ValueError, match="device='cuda' but .*use device='cpu', or "
                                         "device='auto'"):
        MultiTaskTimeSeriesClassifier(**dict(FAST1D, device="cuda")).fit(X, y)
    clf = MultiTaskTimeSeriesClassifier(**dict(FAST1D, device="auto", max_epochs=1))
    assert clf.fit(X, y).predict(X)["a"].shape == (24,)


def test_too_small_a_task_for_validation_warns_naming_it():
    X, y = _tasks()
    X["tiny"], y["tiny"] = X["a"][:2], np.array([0, 1])
    with pytest.warns(UserWarning, match="task 'tiny' has 2 series: too few to hold out "
                                         "validation_fraction=0.25"):
        clf = MultiTaskTimeSeriesClassifier(**dict(FAST1D, max_epochs=1)).fit(X, y)
    assert clf.best_epoch_ == 1  # the other tasks still choose the epoch


def test_no_validation_at_all_warns_that_the_last_epoch_is_kept():
    X, y = {"a": np.zeros((2, 10)) + np.arange(2)[:, None]}, {"a": np.array([0, 1])}
    with pytest.warns(UserWarning, match="keeps the last epoch"):
        clf = MultiTaskTimeSeriesClassifier(**dict(FAST1D, max_epochs=1)).fit(X, y)
    assert clf.best_epoch_ is None


def test_a_training_batch_too_large_for_memory_is_refused_before_allocation(monkeypatch):
    from sktsmtl.training import memory

    from sktsmtl.nets import ResNet2D

    # half of what the batch needs (by the backbone's own estimate) is available
    need = ResNet2D(n_templates=4, template_length=8, n_blocks=1, width=8).activation_bytes(
        400, 12)
    monkeypatch.setattr(memory, "available_memory",
                        lambda device: int(0.5 * need / memory._BUDGET_SHARE))
    rng = np.random.default_rng(0)
    X, y = {"long": rng.standard_normal((12, 400))}, {"long": np.arange(12) % 2}
    clf = MultiTaskTimeSeriesClassifier(**dict(FAST, batch_size=12, validation_fraction=0))
    with pytest.raises(MemoryError, match=r"task 'long': a training batch of 12 series of "
                                          r"length 400 needs about .* GB.*batch_size="):
        clf.fit(X, y)


def test_prediction_splits_batches_to_fit_in_memory(monkeypatch):
    from sktsmtl.training import memory

    X, y = _tasks()
    clf = MultiTaskTimeSeriesClassifier(**FAST).fit(X, y)
    expected = clf.predict_proba(X)
    per_series = clf.nets_["a"].module_.backbone.activation_bytes(30, 1)
    # room for three series at a time
    monkeypatch.setattr(memory, "available_memory",
                        lambda device: int(3.5 * per_series / memory._BUDGET_SHARE))
    seen = []
    original = memory.inference_batch_size
    monkeypatch.setattr(
        "sktsmtl.training.net.inference_batch_size",
        lambda *a: seen.append(original(*a)) or seen[-1])
    split = clf.predict_proba(X)
    assert min(seen) == 3
    for task in X:
        np.testing.assert_allclose(split[task], expected[task], rtol=1e-5, atol=1e-6)


def test_grid_search_over_routed_template_parameters_on_real_data(ucr_dir):
    # issue 12's user code, with the tiny preset and one epoch so that it stays a test
    from sktsmtl.datasets import load_task_group

    X, y = load_task_group("DodgerLoop", split="train", data_dir=ucr_dir)
    panel, labels = TaskPanel.from_dict(X), TaskLabels.from_dict(y)
    clf = MultiTaskTimeSeriesClassifier(backbone="resnet2d", backbone__preset="tiny",
                                        max_epochs=1, batch_size=16, random_state=0)
    grid = {"backbone__n_templates": [2, 4], "backbone__template_length": [8, 16]}
    search = GridSearchCV(clf, grid, cv=3).fit(panel, labels)
    assert len(search.cv_results_["params"]) == 4
    net = search.best_estimator_.nets_["DodgerLoopDay"].module_.backbone
    assert net.n_templates == search.best_params_["backbone__n_templates"]
    assert net.template_length == search.best_params_["backbone__template_length"]


@pytest.mark.parametrize("params, message", [
    ({"task_weights": {"a": float("inf")}}, r"task_weights\['a'\] must be a finite"),
    ({"task_weights": {"a": float("nan")}}, r"task_weights\['a'\] must be a finite"),
    ({"multitask": False, "model_selection": "per_task"},
     "model_selection='per_task' acts on the tasks of one shared network"),
])
def test_parameters_that_would_give_nan_or_be_ignored_are_refused(params, message):
    X, y = _tasks()
    with pytest.raises(ValueError, match=message):
        MultiTaskTimeSeriesClassifier(**dict(FAST1D, **params)).fit(X, y)


def test_a_regressor_as_final_estimator_is_refused():
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    X, y = _tasks()
    clf = MultiTaskTimeSeriesClassifier(**dict(FAST1D, final_estimator=LinearRegression()))
    with pytest.raises(ValueError, match="final_estimator must be a classifier.*"
                                         "LinearRegression is not one"):
        clf.fit(X, y)
    # a pipeline that ends in a classifier is one
    clf.set_params(final_estimator=make_pipeline(StandardScaler(), SVC())).fit(X, y)


def test_a_refit_on_tasks_forgets_the_array_fits_n_features_in():
    X, y = _tasks()
    clf = MultiTaskTimeSeriesClassifier(**FAST1D).fit(X["a"], y["a"])
    assert clf.n_features_in_ == 30
    clf.fit(X, y)
    assert not hasattr(clf, "n_features_in_")


# -- class_weight and warm_start ---------------------------------------------------------
def _imbalanced():
    from sktsmtl.datasets import make_warped_tasks

    X, y = make_warped_tasks(n_tasks=2, n_classes=2, n_per_class=12, length=32,
                             length_step=0, random_state=0)
    keep = np.r_[np.flatnonzero(y["task_1"] == y["task_1"][0]),
                 np.flatnonzero(y["task_1"] != y["task_1"][0])[:4]]
    X["task_1"], y["task_1"] = X["task_1"][keep], y["task_1"][keep]
    return X, y


def _small(**params):
    settings = dict(backbone="resnet1d", backbone__preset="tiny", max_epochs=2, lr=1e-3,
                    random_state=0)
    return MultiTaskTimeSeriesClassifier(**dict(settings, **params))


def test_balanced_class_weight_weighs_each_tasks_training_loss():
    import torch
    from sklearn.utils.class_weight import compute_class_weight

    X, y = _imbalanced()
    clf = _small(class_weight="balanced").fit(X, y)
    net = clf.nets_["task_1"]
    for i, t in enumerate(clf.tasks_):
        expected = compute_class_weight("balanced", classes=clf.classes_[t], y=y[t])
        np.testing.assert_allclose(net.class_weights[i], expected)
    logits = torch.tensor([[2.0, -1.0], [0.5, 0.2], [-1.0, 1.0]])
    target = torch.tensor([1, 1, 0])
    batch = {"task": torch.tensor([1, 1, 1])}
    weighted = torch.nn.functional.cross_entropy(
        logits, target, weight=torch.tensor(net.class_weights[1], dtype=torch.float32))
    assert net.get_loss(logits, target, X=batch, training=True).item() == pytest.approx(
        weighted.item())
    # validation scores stay unweighted
    plain = torch.nn.functional.cross_entropy(logits, target)
    assert net.get_loss(logits, target, X=batch, training=False).item() == pytest.approx(
        plain.item())
    assert weighted.item() != pytest.approx(plain.item())


def test_class_weight_per_task_and_for_one_tasks_array():
    X, y = _imbalanced()
    minority = [c for c in np.unique(y["task_1"]) if c != y["task_1"][0]][0]
    clf = _small(class_weight={"task_1": {minority: 3.0}}, multitask=False).fit(X, y)
    assert clf.nets_["task_0"].class_weights == [None]
    expected = [3.0 if c == minority else 1.0 for c in clf.classes_["task_1"]]
    assert clf.nets_["task_1"].class_weights == [expected]
    one = _small(class_weight={minority: 2.0}).fit(X["task_1"], y["task_1"])
    net = next(iter(one.nets_.values()))
    assert net.class_weights == [[2.0 if c == minority else 1.0 for c in one.classes_]]


@pytest.mark.parametrize("class_weight, match", [
    ({"task_9": "balanced"}, r"class_weight names tasks \['task_9'\]"),
    ({"task_0": {"zebra": 2.0}}, r"task 'task_0' names classes \['zebra'\]"),
    ({"task_0": "even"}, r"class_weight for task 'task_0' must be 'balanced' or a dict"),
    ("even", "class_weight"),
])
def test_bad_class_weight_names_the_task(class_weight, match):
    X, y = _imbalanced()
    with pytest.raises(ValueError, match=match):
        _small(class_weight=class_weight).fit(X, y)
    with pytest.raises(ValueError, match=r"task 'task_1', class .* finite number >= 0"):
        label = y["task_1"][0]
        _small(class_weight={"task_1": {label: -1.0}}).fit(X, y)


def test_warm_start_goes_on_training_the_previous_networks():
    X, y = _imbalanced()
    clf = _small(max_epochs=3).fit(X, y)
    net = clf.nets_["task_0"]
    optimizer, first = net.optimizer_, [r["train_loss"] for r in clf.history_]
    clf.set_params(warm_start=True, max_epochs=2)
    clf.fit(X, y)
    assert clf.nets_["task_0"] is net and net.optimizer_ is optimizer
    assert [r["epoch"] for r in clf.history_] == [1, 2, 3, 4, 5]
    assert [r["train_loss"] for r in clf.history_][:3] == first
    # without warm_start a fit starts anew
    clf.set_params(warm_start=False)
    clf.fit(X, y)
    assert len(clf.history_) == 2 and clf.nets_["task_0"] is not net
    # one network per task goes on too
    apart = _small(multitask=False, warm_start=True).fit(X, y)
    apart.fit(X, y)
    assert {t: len(h) for t, h in apart.history_.items()} == {"task_0": 4, "task_1": 4}


def test_warm_start_refuses_other_tasks_classes_or_checkpoints(tmp_path):
    X, y = _imbalanced()
    clf = _small(warm_start=True).fit(X, y)
    relabelled = dict(y, task_1=np.where(y["task_1"] == y["task_1"][0], "p", "q"))
    with pytest.raises(ValueError, match="warm_start needs the classes .* task 'task_1'"):
        clf.fit(X, relabelled)
    with pytest.raises(ValueError, match="warm_start goes on training .* multitask=False"):
        clf.set_params(multitask=False).fit(X, y)
    clf.set_params(multitask=True, checkpoint_dir=str(tmp_path))
    with pytest.raises(ValueError, match="set only one of them"):
        clf.fit(X, y)
