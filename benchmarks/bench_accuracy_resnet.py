"""Accuracy of 1NN-DTW, ResNet1D and ResNet2D with and without MTL (ResNet2D paper, Table I).

A thin front end of ``sktsmtl benchmark`` (see docs/benchmarking.rst) that defaults to the
UCR folder beside the repository and to the paper's five methods under the paper's
protocol: each task's archive train+test merged and split per task, stratified, 60% train
/ 20% validation / 20% test with the seed; deep models pick their best epoch on the
validation part; accuracy per task on the test part, rank per task (ties share the mean
rank), average rank, figures averaged over seeds; the paper's Table I printed beside.

Usage::

    python benchmarks/bench_accuracy_resnet.py --group DodgerLoop --epochs 50 --seeds 0 1
    python benchmarks/bench_accuracy_resnet.py --group ECG --epochs 400 --lr 1e-4 \\
        --seeds 0 1 2 3 4 --device cuda

Any further option of ``sktsmtl benchmark`` is passed through (``--methods``,
``--normalize``, ``--tasks``, ``--scheduler``, ...). The UCR folder comes from
``--data-dir`` or ``SKTSMTL_UCR_DIR`` (default: ``../shared/data/ucr`` beside the
repository). Missing datasets of a group are skipped (the shared folder holds 3 of the 6
ECG tasks).
"""

import sys

from sktsmtl.cli import main as cli_main

from _common import ucr_dir

TABLE_I_METHODS = ["1nn-dtw", "resnet1d", "resnet1d-mtl", "resnet2d", "resnet2d-mtl"]


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--data-dir" not in argv:
        argv += ["--data-dir", ucr_dir()]
    if "--methods" not in argv:
        argv += ["--methods", *TABLE_I_METHODS]
    if "--out" not in argv:
        argv += ["--out", "benchmarks/results"]
    return cli_main(["benchmark", *argv])


if __name__ == "__main__":
    sys.exit(main())
