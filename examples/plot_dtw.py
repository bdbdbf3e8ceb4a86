"""
Dynamic time warping: distance, path and pairwise matrices
==========================================================

:mod:`sktsmtl.distances` computes exact DTW. Its conventions, worth knowing before
comparing numbers with other libraries:

* the distance is the **sum of squared differences** along the best warping path
  (``squared=True``, the default); ``squared=False`` returns its square root, which is
  what dtaidistance and tslearn report;
* ``window`` is a Sakoe-Chiba band given as a **fraction** of the series length; the
  integer radius is ``max(ceil(window * max(L_a, L_b)), |L_a - L_b|)``
  (:func:`~sktsmtl.distances.sakoe_chiba_radius`);
* series may have different lengths and several channels (shape ``(C, L)``).
"""

# %%
# Two series that differ by a time shift
# --------------------------------------
import matplotlib.pyplot as plt
import numpy as np

from sktsmtl.distances import (
    dtw_distance,
    dtw_path,
    pairwise_dtw,
    sakoe_chiba_radius,
)

t = np.linspace(0, 1, 60)
a = np.exp(-((t - 0.35) / 0.08) ** 2)                # a bump early on
b = np.exp(-((t[:50] - 0.55) / 0.08) ** 2) * 1.1     # a later, taller, shorter one

euclidean_part = np.sum((a[:50] - b) ** 2)
print(f"squared Euclidean on the first 50 steps: {euclidean_part:.3f}")
print(f"DTW (sum of squares):                    {dtw_distance(a, b):.3f}")
print(f"DTW, square root (dtaidistance-style):   {dtw_distance(a, b, squared=False):.3f}")

# %%
# A Sakoe-Chiba band limits how far the path may leave the diagonal. A narrow band
# cannot absorb the shift, so the distance grows as the window shrinks. The radius
# never drops below the length difference (10 here), or the last cell would be out of
# reach: ``window=0.0`` gives radius 10 for these two series.
for window in (None, 0.3, 0.2, 0.1, 0.0):
    radius = sakoe_chiba_radius(len(a), len(b), window)
    print(f"window={window!s:>4}  radius={radius:2d}  DTW={dtw_distance(a, b, window):.3f}")

# %%
# The warping path over the cost matrix
# -------------------------------------
# :func:`~sktsmtl.distances.dtw_path` returns the optimal path as ``(i, j)`` pairs and
# its cost. We draw it over the local cost ``(a[i] - b[j]) ** 2`` together with the
# band of ``window=0.3``.
path, cost = dtw_path(a, b)
path = np.array(path)
local_cost = (a[:, None] - b[None, :]) ** 2
radius = sakoe_chiba_radius(len(a), len(b), 0.3)

fig = plt.figure(figsize=(7, 6))
grid = fig.add_gridspec(2, 2, width_ratios=(1, 4), height_ratios=(4, 1),
                        wspace=0.05, hspace=0.05)
ax = fig.add_subplot(grid[0, 1])
ax.imshow(local_cost, origin="lower", cmap="magma_r", aspect="auto")
ax.plot(path[:, 1], path[:, 0], color="tab:cyan", lw=2, label=f"DTW path (cost {cost:.2f})")
i = np.arange(len(a))
ax.plot(i - radius, i, "w--", lw=1, label=f"band, window=0.3 (radius {radius})")
ax.plot(i + radius, i, "w--", lw=1)
ax.set_xlim(-0.5, len(b) - 0.5)
ax.set_ylim(-0.5, len(a) - 0.5)
ax.legend(loc="upper left", fontsize=8)
ax.set_xticks([])
ax.set_yticks([])
ax_a = fig.add_subplot(grid[0, 0], sharey=ax)
ax_a.plot(a, i, color="tab:blue")
ax_a.invert_xaxis()
ax_a.set_ylabel("a: index i")
ax_b = fig.add_subplot(grid[1, 1], sharex=ax)
ax_b.plot(np.arange(len(b)), b, color="tab:orange")
ax_b.set_xlabel("b: index j")
plt.show()

# %%
# The path also shows which points are matched.
fig, ax = plt.subplots(figsize=(7, 3))
ax.plot(a, label="a")
ax.plot(b + 1.5, label="b (shifted up)")
for i_, j_ in path[::2]:
    ax.plot([i_, j_], [a[i_], b[j_] + 1.5], color="grey", lw=0.5)
ax.legend(loc="upper right")
ax.set_yticks([])
ax.set_xlabel("time step")
fig.tight_layout()
plt.show()

# %%
# Pairwise matrices
# -----------------
# :func:`~sktsmtl.distances.pairwise_dtw` computes all pairs in parallel (numba). It
# takes a 2D/3D array, possibly NaN-padded at the end for shorter series, or a list of
# series of different lengths. Without a second collection it exploits symmetry.
rng = np.random.default_rng(0)
walks = [np.cumsum(rng.normal(size=n)) for n in (40, 45, 50, 55, 60, 40, 45, 50)]
D = pairwise_dtw(walks, window=0.2)
print(D.shape, np.allclose(D, D.T), np.allclose(np.diag(D), 0))

# %%
# Each entry equals the pairwise call.
print(np.isclose(D[1, 4], dtw_distance(walks[1], walks[4], window=0.2)))

# %%
# Against another collection, here two multivariate series of shape ``(2, L)``:
queries = [rng.normal(size=(2, 30)), rng.normal(size=(2, 35))]
references = rng.normal(size=(3, 2, 32))
print(pairwise_dtw(queries, references, window=0.1).round(1))

fig, ax = plt.subplots(figsize=(4, 3.5))
image = ax.imshow(D, cmap="viridis")
ax.set_title("pairwise DTW of 8 random walks")
fig.colorbar(image, ax=ax)
fig.tight_layout()
plt.show()
