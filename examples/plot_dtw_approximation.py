"""
Learning the DTW distance: ResNet1D against ResNet2D
====================================================

A miniature of Fig. 1 and Fig. 4 of Yeh et al. (2023). Two networks learn to
approximate the exact DTW distance of pairs of random walks under several Sakoe-Chiba
windows (0 is the squared Euclidean distance, None is unconstrained DTW):

* ``backbone="resnet1d"``: a Siamese ResNet1D embeds each series; the prediction is the
  l2 distance of the two embeddings. It never sees how the points of the two series
  align.
* ``backbone="resnet2d"``: a ResNet2D reads the ``n x m`` matrix of squared point
  distances of the pair, the very matrix DTW's recursion walks through.

Everything here is tiny so that the script runs in about a minute on a CPU: three
windows, 240 training pairs of length 24, 25 epochs, small networks. The paper trains
on 100,000 pairs for 200 epochs; ``benchmarks/bench_dtw_approximation.py`` runs a
larger version.
With so little training the ranking of the two models can vary with the window.
"""

# %%
# Data and targets
# ----------------
# :func:`~sktsmtl.datasets.make_random_walk_pairs` gives z-normalised random walks in
# an array ``(n_pairs, 2, L)``, the input form of
# :class:`~sktsmtl.approximation.DTWApproximator`. With ``y=None`` the approximator
# computes its own targets, the exact DTW distance (sum of squared differences along
# the best path) with its ``window``.
import matplotlib.pyplot as plt
import numpy as np
import torch

from sktsmtl.approximation import DTWApproximator
from sktsmtl.datasets import make_random_walk_pairs
from sktsmtl.distances import dtw_distance
from sktsmtl.inspection import pixel_importance, plot_pixel_importance

torch.set_num_threads(1)  # tiny networks: one thread is fastest

LENGTH = 24
X_train = make_random_walk_pairs(240, LENGTH, random_state=0)
X_test = make_random_walk_pairs(80, LENGTH, random_state=1)
WINDOWS = [0.0, 0.1, None]

BACKBONES = {
    "ResNet1D": dict(backbone="resnet1d",
                     backbone__filters=(16, 32, 32), backbone__kernel_sizes=(5, 3, 3)),
    "ResNet2D": dict(backbone="resnet2d",
                     backbone__n_blocks=3, backbone__width=16, backbone__stem_stride=1),
}

# %%
# Training both models for every window
# -------------------------------------
errors = {name: [] for name in BACKBONES}
fitted = {}
print(f"{'window':>7} {'model':>9} {'median |err|':>13} {'median rel err':>15}")
for window in WINDOWS:
    y_test = np.array([dtw_distance(a, b, window=window) for a, b in X_test])
    for name, params in BACKBONES.items():
        reg = DTWApproximator(window=window, max_epochs=25, batch_size=16, lr=3e-3,
                              random_state=0, **params).fit(X_train)
        abs_err = np.abs(reg.predict(X_test) - y_test)
        errors[name].append(abs_err)
        fitted[name, window] = reg
        print(f"{str(window):>7} {name:>9} {np.median(abs_err):13.3f} "
              f"{np.median(abs_err / y_test):15.3f}")

# %%
# Absolute errors on the test pairs
# ---------------------------------
# One pair of boxes per window, as in the paper's Fig. 1.
fig, ax = plt.subplots(figsize=(7, 3.5))
positions = np.arange(len(WINDOWS))
for k, (name, color) in enumerate(zip(BACKBONES, ["tab:blue", "tab:orange"])):
    box = ax.boxplot(errors[name], positions=positions + (k - 0.5) * 0.35, widths=0.3,
                     patch_artist=True, showfliers=False)
    for patch in box["boxes"]:
        patch.set_facecolor(color)
    ax.plot([], [], color=color, linewidth=8, label=name)
ax.set_xticks(positions, [str(w) for w in WINDOWS])
ax.set_xlabel("warping window")
ax.set_ylabel("|predicted - DTW|")
ax.legend()
fig.tight_layout()

# %%
# What the ResNet2D looks at
# --------------------------
# Pixel perturbation (Fig. 4): each cell of the pair's distance matrix is set to 0 in
# turn and the change of the predicted distance is recorded. The red line is the exact
# DTW warping path; cells near it should matter most for a model that learnt the
# warping mechanism.
window = 0.1
reg2d = fitted["ResNet2D", window]
pair = X_test[0]
importance = pixel_importance(reg2d, pair)
plot_pixel_importance(importance, pair=pair, window=window)
plt.show()
