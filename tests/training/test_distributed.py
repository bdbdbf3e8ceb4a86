"""Data-parallel training: two processes on CPU (gloo) against one process."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from sktsmtl import MultiTaskTimeSeriesClassifier
from sktsmtl.training.distributed import ShardedBatches, data_parallel_group

SCRIPT = Path(__file__).with_name("distributed_fit.py")

pytestmark = pytest.mark.skipif(not torch.distributed.is_available() or
                                not torch.distributed.is_gloo_available(),
                                reason="torch without the gloo backend")


def _run(mode, out, processes, **env):
    env = dict(os.environ, OMP_NUM_THREADS="1", **env)
    launcher = [] if processes == 1 else [
        "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={processes}"]
    return subprocess.run([sys.executable, *launcher, str(SCRIPT), mode, str(out)],
                          capture_output=True, text=True, env=env, timeout=300)


@pytest.mark.parametrize("mode", ["alg2", "alg2-pcgrad", "shared-pcgrad"])
def test_two_processes_follow_one_process(tmp_path, mode):
    one = _run(mode, tmp_path / "one.json", 1)
    assert one.returncode == 0, one.stderr[-3000:]
    two = _run(mode, tmp_path / "two.json", 2)
    assert two.returncode == 0, two.stderr[-3000:]
    single = json.loads((tmp_path / "one.json.0").read_text())
    ranks = [json.loads((tmp_path / f"two.json.{r}").read_text()) for r in (0, 1)]
    # the processes hold one model: same weights, history, best epoch and predictions
    assert ranks[0] == ranks[1]
    # one epoch is Algorithm 2's epoch over the whole data (each process half a batch)
    assert ranks[0]["batches"] == single["batches"]
    # the loss of the global batch follows the one-process run; batch-norm statistics
    # are computed per process (half batches), hence the tolerance
    np.testing.assert_allclose(ranks[0]["train_loss"], single["train_loss"], rtol=0.1)
    assert abs(ranks[0]["train_loss"][0] - single["train_loss"][0]) < \
        0.02 * single["train_loss"][0]
    # only process 0 prints its progress
    assert two.stdout.count("epoch 1/4") == 1


def test_processes_given_different_data_refuse(tmp_path):
    run = _run("shared-pcgrad", tmp_path / "x.json", 2, UNEQUAL="1")
    assert run.returncode != 0
    assert "same data on every process" in run.stderr


def test_sharded_batches():
    batches = [[0, 1, 2, 3, 4], [5, 6]]
    assert list(ShardedBatches(batches, 0, 2)) == [[0, 2, 4], [5]]
    assert len(ShardedBatches(batches, 1, 2)) == 2
    assert data_parallel_group() is None


@pytest.mark.parametrize("params, message", [
    (dict(random_state=None), "random_state must be an int"),
    (dict(random_state=0, checkpoint_dir="ckpt"), "checkpoint_dir"),
])
def test_data_parallel_parameters(monkeypatch, params, message):
    import sktsmtl.training.estimator as estimator

    monkeypatch.setattr(estimator, "data_parallel_group", lambda: (0, 2))
    clf = MultiTaskTimeSeriesClassifier(max_epochs=1, **params)
    with pytest.raises(ValueError, match=message):
        clf.fit({"a": np.zeros((4, 8))}, {"a": [0, 1, 0, 1]})


def test_user_guide_script_under_torchrun(tmp_path):
    import joblib

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from test_doc_snippets import snippets

    script = next(s for s in snippets("docs/user_guide.rst") if "init_process_group" in s)
    (tmp_path / "train.py").write_text(script)
    env = dict(os.environ, OMP_NUM_THREADS="1")
    run = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone",
                          "--nproc_per_node=2", "train.py"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    clf = joblib.load(tmp_path / "model.joblib")
    assert clf.predict(np.zeros((3, 168), np.float32)).shape == (3, 2)
    assert run.stdout.count("epoch 1/5") == 1
