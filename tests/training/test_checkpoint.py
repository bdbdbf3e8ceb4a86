import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from skorch.callbacks import Callback

from sktsmtl import DTWApproximator, MultiTaskTimeSeriesClassifier
from sktsmtl.training import CheckpointStore, fit_fingerprint

SCRIPT = Path(__file__).with_name("fit_script.py")


def _run(checkpoint_dir, out, **env):
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(checkpoint_dir), str(out)],
        env={**os.environ, "OMP_NUM_THREADS": "1", **env}, capture_output=True,
        text=True, timeout=300)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    out = tmp_path_factory.mktemp("reference") / "reference.npz"
    run = _run("-", out)
    assert run.returncode == 0, run.stderr
    return np.load(out)


# 6 epochs of the shared network, then 3 of fine-tuning for task a, then for task b:
# a kill in the shared network's epoch 3, or in task b's second fine-tuning epoch
@pytest.mark.parametrize("kill_at, resumed_epochs", [
    (3, ["3", "4", "5", "6", "1", "2", "3", "1", "2", "3"]),
    (11, ["2", "3"]),
])
def test_a_killed_fit_resumes_and_equals_an_uninterrupted_one(
        tmp_path, uninterrupted, kill_at, resumed_epochs):
    folder = tmp_path / "checkpoints"
    killed = _run(folder, tmp_path / "killed.npz", SIGNAL="SIGKILL", AT=str(kill_at))
    assert killed.returncode == -9
    assert list(folder.rglob("*.ckpt"))  # the finished epochs were kept
    resumed = _run(folder, tmp_path / "resumed.npz")
    assert resumed.returncode == 0, resumed.stderr
    epochs = [line.split()[1] for line in resumed.stdout.splitlines()
              if line.startswith("epoch")]
    assert epochs == resumed_epochs  # it went on from the last finished epoch
    assert "interrupted False" in resumed.stdout
    result = np.load(tmp_path / "resumed.npz")
    assert sorted(result.files) == sorted(uninterrupted.files)
    for key in uninterrupted.files:  # bit for bit
        np.testing.assert_array_equal(result[key], uninterrupted[key])
    assert not list(folder.rglob("*.ckpt"))  # a finished fit removes its checkpoints


def _toy():
    rng = np.random.default_rng(1)
    X = {"a": rng.normal(size=(20, 30)), "b": rng.normal(size=(16, 30))}
    y = {"a": np.repeat([0, 1], 10), "b": np.repeat([0, 1], 8)}
    return X, y


class _StopIn(Callback):
    """Raise KeyboardInterrupt (as Ctrl-C does) in training epoch ``epoch``; a class
    attribute, so that a fit's parameters (and checkpoint folder) do not change with
    it."""

    epoch = None

    def on_batch_end(self, net, training=False, **kwargs):
        if training and len(net.history) == _StopIn.epoch:
            raise KeyboardInterrupt


def test_the_fingerprint_follows_parameters_and_data_not_the_folder():
    X, y = _toy()
    clf = MultiTaskTimeSeriesClassifier(backbone="resnet1d", random_state=0)
    same = fit_fingerprint(clf.set_params(checkpoint_dir="x", verbose=1), X, y)
    assert same == fit_fingerprint(MultiTaskTimeSeriesClassifier(
        backbone="resnet1d", random_state=0), X, y)
    assert same != fit_fingerprint(clf.set_params(lr=0.5), X, y)
    assert same != fit_fingerprint(clf.set_params(lr=1e-4, backbone__preset="tiny"), X, y)
    X2 = {**X, "a": X["a"].copy()}
    X2["a"][0, 0] += 1e-9
    assert fit_fingerprint(MultiTaskTimeSeriesClassifier(backbone="resnet1d",
                                                         random_state=0), X2, y) != same


def test_a_damaged_checkpoint_is_ignored_with_a_warning(tmp_path):
    store = CheckpointStore(tmp_path, "abc")
    store.path.mkdir(parents=True)
    (store.path / "shared.ckpt").write_bytes(b"not a pickle")
    with pytest.warns(UserWarning, match="ignoring the checkpoint.*trained from the start"):
        assert store.load("shared") is None


def test_an_unpicklable_callback_is_named(tmp_path):
    from skorch.callbacks import EpochScoring

    X, y = _toy()
    clf = MultiTaskTimeSeriesClassifier(
        backbone="resnet1d", backbone__preset="tiny", max_epochs=1, random_state=0,
        checkpoint_dir=tmp_path, callbacks=[("lambda", EpochScoring(lambda *a: 0.0))])
    with pytest.raises(TypeError, match="checkpoint_dir.*picklable"):
        clf.fit(X, y)


def test_the_approximator_resumes_too(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(24, 2, 20))
    kwargs = dict(backbone="resnet1d", max_epochs=4, batch_size=8, random_state=0,
                  backbone__preset="tiny")
    reference = DTWApproximator(callbacks=[_StopIn()], **kwargs).fit(X).predict(X)
    approx = DTWApproximator(checkpoint_dir=tmp_path, callbacks=[_StopIn()], **kwargs)
    _StopIn.epoch = 3
    with pytest.warns(UserWarning, match="interrupted .*stage 'pairs' after 2 of 4"):
        approx.fit(X)
    assert approx.interrupted_ and list(tmp_path.rglob("*.ckpt"))
    _StopIn.epoch = None  # the same fit, now left to finish
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        approx.fit(X)
    assert not approx.interrupted_ and not list(tmp_path.rglob("*.ckpt"))
    np.testing.assert_array_equal(approx.predict(X), reference)
