"""Benchmark: how well ResNet1D and ResNet2D learn the DTW distance (Yeh et al. 2023, Fig. 1).

Run from the repository root::

    python benchmarks/bench_dtw_approximation.py [--n-pairs 1000] [--length 48]
        [--epochs 30] [--windows 0 0.05 0.1 0.2 none] [--out dtw_approximation.png]
        [--batch-size 32] [--lr 2e-3] [--validation-fraction 0.2] [--early-stopping N]

For every Sakoe-Chiba window, a Siamese ResNet1D and a distance-matrix ResNet2D
(:class:`sktsmtl.approximation.DTWApproximator`) are trained on ``--n-pairs`` pairs of
z-normalised random walks against exact DTW (sum of squared differences along the best
path; ``none`` is unconstrained), the best epoch chosen on 20 % of them, and evaluated on
``--n-test`` fresh pairs. The script prints the median absolute and relative errors per
window and model, the training time, and writes the error box plots (the paper's Fig. 1)
to ``--out``. The paper's setting is 100,000 training pairs of length 512 and 200 epochs
on a GPU; the defaults here are a CPU-sized miniature.
"""

import argparse
import time

import numpy as np
import torch

from sktsmtl.approximation import DTWApproximator
from sktsmtl.datasets import make_random_walk_pairs
from sktsmtl.distances import dtw_distance

BACKBONES = {
    "ResNet1D": dict(backbone="resnet1d",
                     backbone__filters=(32, 64, 64), backbone__kernel_sizes=(8, 5, 3)),
    "ResNet2D": dict(backbone="resnet2d",
                     backbone__n_blocks=4, backbone__width=32, backbone__stem_stride=1),
}


def _window(text):
    return None if text.lower() == "none" else float(text)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-pairs", type=int, default=1000, help="training pairs")
    parser.add_argument("--n-test", type=int, default=300, help="test pairs")
    parser.add_argument("--length", type=int, default=48, help="series length")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--validation-fraction", type=float, default=0.2,
                        help="pairs held out to choose the best epoch")
    parser.add_argument("--early-stopping", type=int, default=None,
                        help="epochs without a better validation loss before stopping")
    parser.add_argument("--models", nargs="+", default=list(BACKBONES),
                        choices=list(BACKBONES))
    parser.add_argument("--windows", type=_window, nargs="+",
                        default=[0.0, 0.05, 0.1, 0.2, None],
                        help="window fractions; 'none' for unconstrained DTW")
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="dtw_approximation.png", help="PNG of the box plots")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    X_train = make_random_walk_pairs(args.n_pairs, args.length, random_state=args.seed)
    X_test = make_random_walk_pairs(args.n_test, args.length, random_state=args.seed + 1)
    print(f"{args.n_pairs} training / {args.n_test} test pairs, length {args.length}, "
          f"{args.epochs} epochs, torch threads {args.threads}")
    print(f"{'window':>7} {'model':>9} {'median |err|':>13} {'median rel':>11} "
          f"{'mean DTW':>9} {'R^2':>7} {'best ep':>8} {'fit s':>7}")
    backbones = {name: BACKBONES[name] for name in args.models}
    errors = {name: [] for name in backbones}
    summary = []
    for window in args.windows:
        y_test = np.array([dtw_distance(a, b, window=window) for a, b in X_test])
        for name, params in backbones.items():
            t0 = time.perf_counter()
            reg = DTWApproximator(window=window, max_epochs=args.epochs,
                                  batch_size=args.batch_size, lr=args.lr,
                                  validation_fraction=args.validation_fraction,
                                  early_stopping=args.early_stopping,
                                  random_state=args.seed, **params).fit(X_train)
            fit_s = time.perf_counter() - t0
            pred = reg.predict(X_test)
            abs_err = np.abs(pred - y_test)
            errors[name].append(abs_err)
            med_abs, med_rel = np.median(abs_err), np.median(abs_err / y_test)
            summary.append((window, name, med_abs))
            print(f"{str(window):>7} {name:>9} {med_abs:13.3f} {med_rel:11.3f} "
                  f"{y_test.mean():9.2f} {reg.score(X_test, y_test):7.3f} "
                  f"{reg.best_epoch_:>8} {fit_s:7.1f}", flush=True)
    if len(backbones) == 2:
        wins = sum(a[2] > b[2] for a, b in zip(summary[0::2], summary[1::2]))
        print(f"ResNet2D has the lower median absolute error at {wins} of "
              f"{len(args.windows)} windows.")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.5))
    positions = np.arange(len(args.windows))
    for k, (name, color) in enumerate(zip(backbones, ["tab:blue", "tab:orange"])):
        box = ax.boxplot(errors[name], positions=positions + (k - 0.5) * 0.35, widths=0.3,
                         patch_artist=True, showfliers=False)
        for patch in box["boxes"]:
            patch.set_facecolor(color)
        ax.plot([], [], color=color, linewidth=8, label=name)
    ax.set_xticks(positions, [str(w) for w in args.windows])
    ax.set_xlabel("warping window")
    ax.set_ylabel("|predicted - DTW|")
    ax.set_title(f"DTW approximation, {args.n_pairs} pairs of length {args.length}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.out, dpi=100)
    print(f"box plots written to {args.out}")


if __name__ == "__main__":
    main()
