"""A fit run as its own process by the interrupt and checkpoint tests.

``python fit_script.py CHECKPOINT_DIR OUT.npz`` (``-`` for no checkpoint folder). With
``SIGNAL`` and ``AT`` in the environment, the process sends itself that signal during
training epoch ``AT`` (counted over every network the fit trains). It prints every
training epoch it starts as ``epoch <stage epoch>``.
"""

import os
import signal
import sys

import numpy as np
import torch
from skorch.callbacks import Callback

from sktsmtl import MultiTaskTimeSeriesClassifier


class SignalAt(Callback):
    started = 0

    def on_epoch_begin(self, net, **kwargs):
        type(self).started += 1
        print("epoch", len(net.history), flush=True)

    def on_batch_end(self, net, training=False, **kwargs):
        at = os.environ.get("AT")
        if training and at and type(self).started == int(at):
            os.kill(os.getpid(), getattr(signal, os.environ["SIGNAL"]))


def main(checkpoint_dir, out):
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    t = np.linspace(0, 6, 40)
    X = {"a": np.sin(t * rng.uniform(1, 3, (30, 1))),
         "b": np.sin(t[:30] * rng.uniform(1, 3, (24, 1)))}
    y = {"a": np.repeat([0, 1], 15), "b": np.repeat(["u", "v"], 12)}
    clf = MultiTaskTimeSeriesClassifier(
        backbone="resnet1d", backbone__filters=(8, 8, 8), batch_size=8, max_epochs=6,
        lr=1e-2, model_selection="per_task", finetune_epochs=3, finetune="all",
        random_state=0, checkpoint_dir=None if checkpoint_dir == "-" else checkpoint_dir,
        callbacks=[SignalAt()])
    clf.fit(X, y)
    print("interrupted", clf.interrupted_, flush=True)
    proba = clf.predict_proba(X)
    embeddings = clf.transform(X)
    np.savez(out, **{f"proba_{k}": v for k, v in proba.items()},
             **{f"embedding_{k}": v for k, v in embeddings.items()})


if __name__ == "__main__":
    # a shell starts background jobs with SIGINT ignored, and Python then leaves it
    # ignored: give the fit the terminal's Ctrl+C, whoever started the tests
    signal.signal(signal.SIGINT, signal.default_int_handler)
    main(*sys.argv[1:3])
