"""A fit run by the data-parallel test, alone or under ``torchrun``.

``python distributed_fit.py MODE OUT.json`` trains in one process;
``python -m torch.distributed.run --nproc_per_node 2 distributed_fit.py MODE OUT.json``
trains data-parallel over two processes with the gloo backend (each process loads the
same data and takes its share of every mini-batch). MODE is ``alg2`` (tasks as dicts,
Algorithm 2's batches) or ``shared`` (label columns over one X), with ``-pcgrad`` for
gradient surgery (``alg2-pcgrad``, ``shared-pcgrad``). Every process writes
``OUT.json.<rank>``: its training losses, validation accuracies, best epoch, a checksum
of its final weights and its predictions. With ``UNEQUAL=1`` in the environment, process
1 loads other data (the fit must refuse it).
"""

import json
import os
import sys

import numpy as np
import torch

from sktsmtl import MultiTaskTimeSeriesClassifier
from sktsmtl.datasets import make_label_sets, make_warped_tasks


def main(mode, out):
    torch.set_num_threads(1)
    if "WORLD_SIZE" in os.environ:
        torch.distributed.init_process_group("gloo")
    rank = torch.distributed.get_rank() if torch.distributed.is_initialized() else 0
    seed = 1 if os.environ.get("UNEQUAL") and rank == 1 else 0
    clf = MultiTaskTimeSeriesClassifier(
        backbone="resnet1d", backbone__filters=(8, 8), max_epochs=4, batch_size=16,
        lr=1e-2, random_state=0, gradient_surgery="pcgrad" if "pcgrad" in mode else None,
        verbose=1)
    if mode.startswith("alg2"):
        X, y = make_warped_tasks(n_tasks=2, n_per_class=16, length=48, length_step=0,
                                 random_state=seed)
        clf.fit(X, y)
        pred = {t: p.tolist() for t, p in clf.predict(X).items()}
    else:
        X, Y = make_label_sets(n_series=128, length=48, n_subjects=4, random_state=seed)
        clf.fit(X, np.column_stack([Y["group"], Y["subject"]]))
        pred = clf.predict(X).tolist()
    net = next(iter(clf.nets_.values()))
    weights = float(sum(p.detach().double().abs().sum() for p in net.module_.parameters()))
    record = dict(train_loss=[r["train_loss"] for r in clf.history_],
                  valid_acc=[r["valid_acc"] for r in clf.history_],
                  best_epoch=clf.best_epoch_, weights=weights, predictions=pred,
                  batches=[len(r["batches"]) for r in clf.history_])
    with open(f"{out}.{rank}", "w") as f:
        json.dump(record, f)
    if torch.distributed.is_initialized():
        torch.distributed.destroy_process_group()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
