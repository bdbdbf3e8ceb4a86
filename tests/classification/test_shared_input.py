"""Tasks over one X: ``fit(X, Y)`` with a label column per task (shared input)."""

import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sktsmtl import MultiTaskTimeSeriesClassifier
from sktsmtl.datasets import make_label_sets
from sktsmtl.training import SharedInputNet

FAST = dict(backbone="resnet1d", backbone__filters=(8, 8), max_epochs=4, batch_size=16,
            lr=1e-2, random_state=0)


@pytest.fixture(scope="module")
def data():
    X, Y = make_label_sets(n_series=96, length=48, n_subjects=4, noise=0.2,
                           random_state=0)
    return X, Y


def _columns(Y):
    return np.column_stack([Y["group"], Y["subject"], Y["weekend"]])


def test_array_columns_fit_predict(data):
    X, Y = data
    clf = MultiTaskTimeSeriesClassifier(**dict(FAST, max_epochs=12)).fit(X, _columns(Y))
    assert clf.tasks_ == [0, 1, 2]
    assert isinstance(clf.nets_[0], SharedInputNet)
    assert clf.nets_[0] is clf.nets_[2]  # one shared network
    pred = clf.predict(X)
    assert pred.shape == (96, 3) and pred.dtype == np.int64
    proba = clf.predict_proba(X)
    assert [p.shape for p in proba] == [(96, 2), (96, 4), (96, 2)]
    np.testing.assert_array_equal(np.argmax(proba[1], axis=1), pred[:, 1])
    assert [list(c) for c in clf.classes_] == [[0, 1], [0, 1, 2, 3], [0, 1]]
    assert clf.transform(X).shape == (96, 8)
    scores = clf.score_tasks(X, _columns(Y))
    assert set(scores) == {0, 1, 2}
    assert clf.score(X, _columns(Y)) == pytest.approx(np.mean(list(scores.values())))
    # the coarse and the fine label set are learnt (chance: 0.5 and 0.25)
    assert scores[0] > 0.85 and scores[1] > 0.7
    assert set(clf.heldout_accuracy_) == {0, 1, 2}
    assert {f"valid_acc_{t}" for t in "012"} <= set(clf.history_[-1])


def test_dict_and_frame_columns(data):
    X, Y = data
    frame = pd.DataFrame({"group": np.where(Y["group"], "b", "a"),
                          "subject": Y["subject"]})
    clf = MultiTaskTimeSeriesClassifier(**FAST).fit(X, frame)
    assert clf.tasks_ == ["group", "subject"]
    pred = clf.predict(X)
    assert pred.dtype == object and set(pred[:, 0]) <= {"a", "b"}
    clf.fit(X, {"group": Y["group"], "weekend": Y["weekend"]})
    pred = clf.predict(X)
    assert isinstance(pred, dict) and list(pred) == ["group", "weekend"]
    assert list(clf.classes_) == ["group", "weekend"]
    assert set(clf.predict_proba(X)) == {"group", "weekend"}
    assert set(clf.head_probabilities(X)["group"]) == {"group", "weekend"}


def test_missing_labels_train_the_heads_they_have(data):
    X, Y = data
    y = _columns(Y).astype(float)
    y[:48, 1] = np.nan  # half the series have no subject
    clf = MultiTaskTimeSeriesClassifier(**FAST).fit(X, y)
    assert clf.predict(X).shape == (96, 3)
    codes = np.asarray(clf.classes_[1])
    assert codes.dtype.kind == "f" and not np.isnan(codes).any()
    objects = _columns(Y).astype(object)
    objects[::3, 2] = None
    masked = np.ma.masked_array(_columns(Y), mask=np.zeros((96, 3), bool))
    masked.mask[::4, 0] = True
    frame = pd.DataFrame({"g": pd.array(Y["group"], dtype="Int64"), "s": Y["subject"]})
    frame.loc[::5, "g"] = pd.NA
    for labels in (objects, masked, frame):
        MultiTaskTimeSeriesClassifier(**dict(FAST, max_epochs=1)).fit(X, labels)


def test_missing_labels_do_not_train_the_head():
    # rows without a label of a task give its head no gradient
    X, Y = make_label_sets(n_series=16, length=24, n_subjects=2, random_state=0)
    y = np.column_stack([Y["group"], Y["weekend"]]).astype(float)
    y[:, 1] = np.nan
    y[0, 1], y[1, 1] = 0, 1
    clf = MultiTaskTimeSeriesClassifier(**dict(FAST, max_epochs=1, batch_size=16,
                                               validation_fraction=0.0))
    clf.fit(X, y)
    net = clf.nets_[0]
    batch = net.get_iterator(net.get_dataset(_dataset(X, y)), training=False)
    X_b, y_b = next(iter(batch))
    logits = net.infer(X_b)
    losses = net.task_losses(logits, y_b)
    assert set(losses) == {0, 1}
    y_b[:, 1] = -1
    assert set(net.task_losses(logits, y_b)) == {0}


def _dataset(X, y):
    from sktsmtl.training import SharedInputDataset

    codes = np.where(np.isnan(y), -1, y).astype(np.int64)
    return SharedInputDataset(X[:, None, :].astype(np.float32), y=codes)


def test_one_backbone_pass_per_batch(data):
    X, Y = data
    calls = []
    clf = MultiTaskTimeSeriesClassifier(**dict(FAST, max_epochs=1, validation_fraction=0))
    clf.fit(X, _columns(Y))
    backbone = clf.nets_[0].module_.backbone
    handle = backbone.register_forward_hook(lambda *a: calls.append(1))
    clf.nets_[0].partial_fit(clf.nets_[0].get_dataset(_dataset(X, _columns(Y))))
    handle.remove()
    # 96 series in batches of 16: 6 passes for three tasks (Algorithm 2 would take 18)
    assert len(calls) == 6


@pytest.mark.parametrize("params", [
    dict(model_selection="per_task"), dict(gradient_surgery="pcgrad"),
    dict(class_weight="balanced", task_weights={0: 2.0}), dict(multitask=False),
    dict(sharing="mtcs"), dict(final_estimator="svm"), dict(normalize=True),
], ids=lambda p: next(iter(p)))
def test_recipes_on_label_columns(data, params):
    X, Y = data
    clf = MultiTaskTimeSeriesClassifier(**dict(FAST, max_epochs=2, **params))
    clf.fit(X, _columns(Y))
    pred = clf.predict(X)
    assert pred.shape == (96, 3)
    assert 0 <= clf.score(X, _columns(Y)) <= 1
    if params.get("multitask") is False or "model_selection" in params:
        assert len({id(n) for n in clf.nets_.values()}) == 3
        assert clf.transform(X).shape == (96, 3 * 8)


def test_fit_is_repeatable_and_padded_series(data):
    X, Y = data
    X = X.astype(np.float64).copy()
    X[0, -6:] = np.nan  # a shorter series
    X[1, 5] = np.nan  # a missing value
    a = MultiTaskTimeSeriesClassifier(**FAST).fit(X, _columns(Y))
    b = MultiTaskTimeSeriesClassifier(**FAST).fit(X, _columns(Y))
    np.testing.assert_array_equal(a.predict_proba(X)[1], b.predict_proba(X)[1])
    shorter = X.copy()
    shorter[:, 40:] = np.nan  # NaN-padded to the fitted length
    assert a.predict(shorter).shape == (96, 3)


def test_grid_search_without_task_panel(data):
    X, Y = data
    search = GridSearchCV(MultiTaskTimeSeriesClassifier(**dict(FAST, max_epochs=1)),
                          {"lr": [1e-2, 1e-3]}, cv=KFold(2))
    search.fit(X, _columns(Y))
    assert search.best_estimator_.predict(X).shape == (96, 3)
    scores = cross_val_score(MultiTaskTimeSeriesClassifier(**dict(FAST, max_epochs=1)),
                             X, _columns(Y), cv=KFold(2))
    assert scores.shape == (2,)
    pipe = make_pipeline(FunctionTransformer(lambda x: x * 2.0),
                         MultiTaskTimeSeriesClassifier(**dict(FAST, max_epochs=1)))
    assert pipe.fit(X, _columns(Y)).predict(X).shape == (96, 3)


def test_multichannel_series(data):
    X, Y = data
    X3 = np.stack([X, -X], axis=1)
    clf = MultiTaskTimeSeriesClassifier(**dict(FAST, max_epochs=1)).fit(X3, _columns(Y))
    assert clf.predict(X3).shape == (96, 3)
    with pytest.raises(ValueError, match="channel"):
        clf.predict(X)


def test_memory_mapped_series_are_not_copied(tmp_path, data):
    X, Y = data
    path = tmp_path / "series.f32"
    mm = np.memmap(path, dtype=np.float32, mode="w+", shape=X.shape)
    mm[:] = X
    mm.flush()
    X_disk = np.memmap(path, dtype=np.float32, mode="r", shape=X.shape)
    seen = []
    clf = MultiTaskTimeSeriesClassifier(**dict(FAST, max_epochs=1))
    original = SharedInputNet.fit

    def spy(self, X, y=None, **kwargs):
        seen.append(X.x)
        return original(self, X, y, **kwargs)

    SharedInputNet.fit = spy
    try:
        clf.fit(X_disk, _columns(Y))
    finally:
        SharedInputNet.fit = original
    # the dataset reads the file's pages (no copy of the series in memory)
    assert np.shares_memory(seen[0], X_disk)


@pytest.mark.parametrize("y, message", [
    (lambda Y: np.column_stack([Y["group"], np.zeros(96, int)]), "task 1: y has one class"),
    (lambda Y: {"g": Y["group"], "s": Y["subject"][:90]}, "differ in length"),
    (lambda Y: {"g": Y["group"], "s": np.full(96, np.nan)}, "task 's': y has no label"),
    (lambda Y: np.column_stack([Y["group"], Y["subject"]])[:90], "task 0: X has 96 series"),
    (lambda Y: pd.DataFrame(np.column_stack([Y["group"], Y["subject"]]),
                            columns=["a", "a"]), "repeated column names"),
    (lambda Y: {"g": Y["group"], "s": np.array(["a", 1] * 48, dtype=object)},
     "task 's': labels of mixed types"),
])
def test_bad_label_columns_name_the_task(data, y, message):
    X, Y = data
    clf = MultiTaskTimeSeriesClassifier(**dict(FAST, max_epochs=1))
    with pytest.raises((ValueError, TypeError), match=message):
        clf.fit(X, y(Y))


@pytest.mark.parametrize("param", [dict(finetune_epochs=2), dict(recalibrate_norm=True),
                                   dict(warm_start=True)])
def test_recipes_that_need_task_rows_are_refused(data, param):
    X, Y = data
    name = next(iter(param))
    with pytest.raises(ValueError, match=f"{name}=.*label columns"):
        MultiTaskTimeSeriesClassifier(**dict(FAST, **param)).fit(X, _columns(Y))


def test_warm_start_after_label_columns_is_refused(data):
    X, Y = data
    clf = MultiTaskTimeSeriesClassifier(**dict(FAST, max_epochs=1)).fit(X, _columns(Y))
    clf.set_params(warm_start=True)
    with pytest.raises(ValueError, match="warm_start"):
        clf.fit({"a": X}, {"a": Y["group"]})


def test_dict_fit_after_label_columns_predicts_dicts(data):
    X, Y = data
    clf = MultiTaskTimeSeriesClassifier(**dict(FAST, max_epochs=1)).fit(X, _columns(Y))
    clf.fit({"a": X, "b": X}, {"a": Y["group"], "b": Y["weekend"]})
    assert set(clf.predict({"a": X})) == {"a"}
    torch.manual_seed(0)


@pytest.mark.skipif(not sys.platform.startswith("linux"),
                    reason="RLIMIT_DATA and /proc/self/status are Linux's")
def test_memory_mapped_series_larger_than_the_memory_limit(tmp_path):
    import subprocess

    script = Path(__file__).with_name("memory_limited_fit.py")
    run = subprocess.run([sys.executable, str(script), str(tmp_path)], capture_output=True,
                         text=True, timeout=600, env=dict(os.environ, OMP_NUM_THREADS="1"))
    assert run.returncode == 0, run.stderr[-3000:]
    assert "fit ok" in run.stdout and "copy refused" in run.stdout
    assert "resident bounded" in run.stdout, run.stdout


def test_loader_workers_and_pickling(data):
    import pickle

    X, Y = data
    clf = MultiTaskTimeSeriesClassifier(**dict(FAST, max_epochs=1),
                                        iterator_train__num_workers=1)
    clf.fit(X, _columns(Y))
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict(X), clf.predict(X))


@pytest.mark.parametrize("where", ["fit", "predict"])
def test_infinity_is_refused_and_nan_imputed(data, where):
    X, Y = data
    bad = X.copy()
    bad[5, 7] = np.inf
    clf = MultiTaskTimeSeriesClassifier(**dict(FAST, max_epochs=1))
    if where == "fit":
        with pytest.raises(ValueError, match="Input X contains infinity"):
            clf.fit(bad, _columns(Y))
    else:
        clf.fit(X, _columns(Y))
        with pytest.raises(ValueError, match="Input X contains infinity"):
            clf.predict(bad)
    holes = X.copy()
    holes[5, 7] = np.nan
    clf.fit(holes, _columns(Y))
    assert clf.predict(holes).shape == (len(X), 3)
