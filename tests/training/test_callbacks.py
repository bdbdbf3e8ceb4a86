import re

import pytest
from skorch.callbacks import Callback, ProgressBar

from sktsmtl import MultiTaskTimeSeriesClassifier
from sktsmtl.datasets import make_warped_tasks
from sktsmtl.training import TaskProgressBar


def _tasks(n_tasks):
    # tasks of different sizes: Algorithm 2's epoch is not rows / batch size batches
    X, y = make_warped_tasks(n_tasks=n_tasks, n_classes=2, n_per_class=8, length=32,
                             length_step=0, random_state=0)
    X["task_0"], y["task_0"] = X["task_0"][:6], y["task_0"][:6]
    return X, y


def _tiny(**params):
    return MultiTaskTimeSeriesClassifier(backbone="resnet1d", backbone__preset="tiny",
                                         batch_size=4, random_state=0, **params)


class _Batches(Callback):
    def on_epoch_begin(self, net, **kwargs):
        self.count = 0

    def on_batch_end(self, net, **kwargs):
        self.count += 1


def test_verbose_1_prints_one_short_plain_line_per_epoch(capsys):
    X, y = _tasks(6)
    _tiny(max_epochs=3, verbose=1).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "valid = mean (" + " ".join(sorted(X)) + ")"
    epochs = lines[1:]
    assert len(epochs) == 3
    for i, line in enumerate(epochs, start=1):
        assert re.fullmatch(
            rf"epoch {i}/3  loss \d\.\d{{3}}  valid \d\.\d{{3}} \((\d\.\d\d ?){{6}}\)"
            r"(  best)?  \d+\.\d s", line), line
        assert len(line) <= 100
    assert "\x1b" not in "".join(lines)


def test_verbose_levels(capsys):
    X, y = _tasks(2)
    _tiny(max_epochs=2, verbose=0).fit(X, y)
    assert capsys.readouterr().out == ""
    _tiny(max_epochs=2, verbose=2).fit(X, y)
    assert "train_loss" in capsys.readouterr().out  # skorch's table
    # more tasks than a line lists: the mean only; a task's own network is named
    X7, y7 = _tasks(7)
    _tiny(max_epochs=1, verbose=1).fit(X7, y7)
    line = capsys.readouterr().out.splitlines()[-1]
    assert re.search(r"  valid \d\.\d{3}  ", line) and "(" not in line
    _tiny(max_epochs=1, verbose=1, multitask=False).fit(X, y)
    assert capsys.readouterr().out.splitlines()[-1].startswith("task task_1: epoch 1/1")


@pytest.mark.parametrize("bar", [ProgressBar(), TaskProgressBar()])
def test_progress_bar_counts_the_batches_of_algorithm_2(bar, monkeypatch):
    X, y = _tasks(3)
    totals, skorch_totals = [], []

    def record(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        totals.append(self._get_batches_per_epoch(net, dataset_train, dataset_valid))
        skorch_totals.append(ProgressBar()._get_batches_per_epoch(
            net, dataset_train, dataset_valid))

    monkeypatch.setattr(TaskProgressBar, "on_epoch_begin", record)
    monkeypatch.setattr(TaskProgressBar, "on_batch_end", lambda *a, **k: None)
    monkeypatch.setattr(TaskProgressBar, "on_epoch_end", lambda *a, **k: None)
    clf = _tiny(max_epochs=2, callbacks=[("bar", bar), ("count", _Batches())]).fit(X, y)
    net = clf.nets_[next(iter(clf.nets_))]
    counter = dict(net.callbacks_)["count"]  # the estimator's copy
    assert isinstance(dict(net.callbacks_)["bar"], TaskProgressBar)
    # Algorithm 2 runs n_tasks x max_t ceil(|D_t| / 4) iterations, then every task's
    # validation batches: not skorch's rows / batch size
    assert totals == [counter.count, counter.count]
    assert skorch_totals[0] != counter.count
