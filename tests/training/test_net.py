import numpy as np
import pytest
import torch

from sktsmtl.training import (
    BestEpochRestorer,
    TaskAccuracy,
    TaskDataset,
    predict_task_logits,
    split_per_task,
)


def _fit(**params):
    """The shared net of a classifier fit on the two tasks of ``_data``."""
    from sktsmtl import MultiTaskTimeSeriesClassifier

    series, task_index, y = _data()
    X = {t: [series[i][0] for i in np.flatnonzero(task_index == k)]
         for k, t in enumerate("ab")}
    labels = {t: y[task_index == k] for k, t in enumerate("ab")}
    settings = dict(backbone="resnet1d", backbone__filters=(4, 4, 4), batch_size=8,
                    random_state=0)
    clf = MultiTaskTimeSeriesClassifier(**dict(settings, **params)).fit(X, labels)
    return clf.nets_["a"]


def _data(seed=0):
    rng = np.random.default_rng(seed)
    series = [rng.normal(size=(1, n)) for n in rng.integers(10, 20, 60)]
    task_index = np.repeat([0, 1], [40, 20])
    y = np.concatenate([np.arange(40) % 2, np.arange(20) % 3])
    return series, task_index, y


def test_dataset_pads_to_reference_length_and_collates():
    series, task_index, y = _data()
    ds = TaskDataset(series, task_index, y, reference_lengths={0: 25})
    assert ds.padded_lengths[0] == 25
    X, yb = TaskDataset.collate([ds[0], ds[1]])
    assert X["x"].shape == (2, 1, 25) and X["lengths"].tolist() == [len(series[0][0]),
                                                                    len(series[1][0])]
    sub = ds.subset([0, 50])
    assert sub.task_rows().keys() == {0, 1}


def test_split_per_task_is_stratified_and_disjoint():
    _, task_index, y = _data()
    train, valid = split_per_task(task_index, y, 0.25, random_state=0)
    assert len(np.intersect1d(train, valid)) == 0
    assert len(train) + len(valid) == 60
    assert sum(task_index[valid] == 0) == 10 and sum(task_index[valid] == 1) == 5
    assert set(y[valid][task_index[valid] == 1]) == {0, 1, 2}


def test_epochs_see_different_batch_orders():
    series, task_index, y = _data()
    seen = []

    class Record(TaskAccuracy):
        def on_batch_begin(self, net, batch=None, training=None, **kw):
            if training:
                seen.append(batch[1].tolist())

    _fit(max_epochs=2, validation_fraction=0, callbacks=[("record", Record(["a", "b"]))])
    half = len(seen) // 2
    assert seen[:half] != seen[half:]


def test_best_epoch_restorer_restores_best_weights():
    series, task_index, y = _data()
    net = _fit(max_epochs=4, lr=1e-2)
    accs = net.history[:, "valid_acc"]
    assert net.best_epoch_ == int(np.argmax(accs)) + 1 or accs[net.best_epoch_ - 1] == max(accs)
    logits = predict_task_logits(net, series[:5], 0, 20)
    assert logits.shape == (5, 2)
    assert isinstance(BestEpochRestorer(), BestEpochRestorer)


def test_best_epoch_restorer_minimises_a_loss():
    net = _fit(max_epochs=4, lr=1e-2,
               callbacks__best_epoch__monitor="valid_loss",
               callbacks__best_epoch__lower_is_better=True)
    losses = net.history[:, "valid_loss"]
    assert net.best_epoch_ == int(np.argmin(losses)) + 1


def test_unknown_backbone():
    with pytest.raises(ValueError, match="unknown backbone 'lstm'"):
        _fit(backbone="lstm")


def test_device_auto_resolves():
    from sktsmtl.training import resolve_device

    assert resolve_device("auto") == ("cuda" if torch.cuda.is_available() else "cpu")
    with pytest.raises(ValueError):
        resolve_device("tpu")
