import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from skorch.callbacks import Callback

from sktsmtl import MultiTaskTimeSeriesClassifier
from sktsmtl.exceptions import FitInterruptedWarning
from sktsmtl.training import propagate_interrupts

SCRIPT = Path(__file__).with_name("fit_script.py")


class _StopIn(Callback):
    """Raise KeyboardInterrupt, as Ctrl-C does, in the ``at``-th training epoch
    started in this process (counted over every network of a fit)."""

    at = None
    started = 0

    def on_epoch_begin(self, net, **kwargs):
        _StopIn.started += 1

    def on_batch_end(self, net, training=False, **kwargs):
        if training and _StopIn.started == _StopIn.at:
            raise KeyboardInterrupt


@pytest.fixture(autouse=True)
def _reset():
    _StopIn.at, _StopIn.started = None, 0


def _toy():
    rng = np.random.default_rng(1)
    X = {"a": rng.normal(size=(20, 30)), "b": rng.normal(size=(16, 30))}
    y = {"a": np.repeat([0, 1], 10), "b": np.repeat([0, 1], 8)}
    return X, y


def _clf(**params):
    params = {"max_epochs": 4, **params}
    return MultiTaskTimeSeriesClassifier(
        backbone="resnet1d", backbone__preset="tiny", batch_size=8, random_state=0,
        callbacks=[_StopIn()], **params)


def test_ctrl_c_in_a_users_fit_is_said_and_recorded():
    # a real SIGINT, sent during the shared network's third epoch
    run = subprocess.run([sys.executable, str(SCRIPT), "-", os.devnull + ".npz"],
                         env={**os.environ, "SIGNAL": "SIGINT", "AT": "3"},
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "interrupted True" in run.stdout
    assert "FitInterruptedWarning" in run.stderr
    assert "stage 'shared' after 2 of 6 epochs" in run.stderr
    # the fine-tuning stage that was to follow did not start
    assert [line for line in run.stdout.splitlines() if line.startswith("epoch")] == [
        "epoch 1", "epoch 2", "epoch 3"]


def test_an_interrupted_fit_keeps_its_finished_epochs_and_says_so():
    X, y = _toy()
    _StopIn.at = 3
    clf = _clf()
    with pytest.warns(FitInterruptedWarning, match="after 2 of 4 epochs.*interrupted_"):
        clf.fit(X, y)
    assert clf.interrupted_
    assert len(clf.history_) == 2 and clf.best_epoch_ in (1, 2)  # no half epoch
    assert set(clf.predict(X)) == {"a", "b"}
    _StopIn.at = None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf.fit(X, y)
    assert not clf.interrupted_ and len(clf.history_) == 4


def test_an_interrupt_in_the_fine_tuning_keeps_the_shared_state_for_the_rest():
    X, y = _toy()
    _StopIn.at = 4 + 2  # the second fine-tuning epoch of task a
    clf = _clf(finetune_epochs=3)
    with pytest.warns(FitInterruptedWarning, match="stage 'finetune-0' after 1 of 3"):
        clf.fit(X, y)
    assert clf.interrupted_ and clf.finetune_epoch_["b"] == 0
    assert clf.nets_["b"].history is clf.history_  # task b keeps the shared net
    assert list(clf.finetune_history_) == ["a"]


@pytest.mark.parametrize("params, at", [
    (dict(), 1),  # no finished epoch: nothing to return
    (dict(multitask=False), 2),  # task b would have no network
])
def test_an_interrupt_that_leaves_nothing_usable_is_raised(params, at):
    X, y = _toy()
    _StopIn.at = at
    clf = _clf(**params)
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X, y)
    assert not hasattr(clf, "nets_") and not hasattr(clf, "interrupted_")


def test_inside_propagate_interrupts_an_interrupt_is_raised():
    X, y = _toy()
    _StopIn.at = 3
    clf = _clf()
    with propagate_interrupts(), pytest.raises(KeyboardInterrupt):
        clf.fit(X, y)
    assert not hasattr(clf, "nets_")


def test_early_stopping_is_not_an_interrupt():
    X, y = _toy()
    clf = _clf(early_stopping=1, max_epochs=30, lr=0.05)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf.fit(X, y)
    assert not clf.interrupted_ and len(clf.history_) < 30
