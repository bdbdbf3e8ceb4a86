"""
ConvTimeNet backbone: multi-task versus single task, and the learned patches
============================================================================

ConvTimeNet (Cheng et al. 2024) cuts a series into overlapping patches, lets a small
network move and stretch every patch window (the *deformable* patch layer), embeds each
patch and reads the patch sequence with large-kernel depthwise convolutions. In
:class:`~sktsmtl.MultiTaskTimeSeriesClassifier` it is selected with
``backbone="convtimenet"``; every argument of :class:`~sktsmtl.nets.ConvTimeNet`
(``patch_size``, ``patch_stride``, ``d_model``, ``kernel_sizes``, ...) is an estimator
parameter ``backbone__<name>``.

We fit it on the six univariate tasks of the embedded ``basic_motions`` group (one task
per sensor axis of a smart watch, all predicting the activity), once with one shared
backbone (multi-task) and once with one network per task (``multitask=False``), then
look at where the deformable patches ended up. The networks are tiny and trained for a
few epochs so that the example runs in seconds: the accuracies say nothing about what
the method reaches with a full budget (see ``benchmarks/bench_convtimenet.py``).
"""

# %%
# Load the task group
# -------------------
import numpy as np

from sktsmtl.datasets import load_task_group

X_train, y_train = load_task_group("basic_motions", split="train")
X_test, y_test = load_task_group("basic_motions", split="test")
print({task: X.shape for task, X in X_train.items()})

# %%
# Multi-task and single-task fits
# -------------------------------
# Patches of 8 steps with stride 4 give 24 patches per series of length 100; two blocks
# of kernels 7 and 13 over a 16-feature embedding keep the network tiny. The
# validation share picks the best epoch of each fit.
from sktsmtl import MultiTaskTimeSeriesClassifier

settings = dict(
    backbone="convtimenet",
    backbone__patch_size=8,
    backbone__patch_stride=4,
    backbone__d_model=16,
    backbone__kernel_sizes=(7, 13),
    backbone__d_ff=32, backbone__dropout=0.1,
    max_epochs=15,
    batch_size=16,
    lr=3e-3,
    random_state=0,
)
mtl = MultiTaskTimeSeriesClassifier(multitask=True, **settings).fit(X_train, y_train)
single = MultiTaskTimeSeriesClassifier(multitask=False, **settings).fit(X_train, y_train)

mtl_scores = mtl.score_tasks(X_test, y_test)
single_scores = single.score_tasks(X_test, y_test)
print(f"{'task':8s}  {'multi-task':>10s}  {'single':>7s}")
for task in mtl_scores:
    print(f"{task:8s}  {mtl_scores[task]:10.3f}  {single_scores[task]:7.3f}")
print(f"{'mean':8s}  {mtl.score(X_test, y_test):10.3f}  {single.score(X_test, y_test):7.3f}")

# %%
# Per-task test accuracy
# ----------------------
import matplotlib.pyplot as plt

tasks = list(mtl_scores)
positions = np.arange(len(tasks))
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.bar(positions - 0.2, [mtl_scores[t] for t in tasks], width=0.4,
       label="ConvTimeNet, multi-task")
ax.bar(positions + 0.2, [single_scores[t] for t in tasks], width=0.4,
       label="ConvTimeNet, one net per task")
ax.set_xticks(positions, tasks)
ax.set_ylim(0, 1.2)
ax.set_ylabel("test accuracy")
ax.legend(loc="upper center", ncol=2)
fig.tight_layout()

# %%
# Where the deformable patches went
# ---------------------------------
# The offset predictor starts at zero, so before training every window is the regular
# patch ``[4 i, 4 i + 7]``: centre ``4 i + 3.5``, width 7. After training each window of
# each series has its own centre and width. We read the sampling positions of the shared
# backbone on the test series of task ``accel_x`` and plot, per patch, the shift of the
# window centre and the window width, averaged over the series of each activity.
import torch

backbone = mtl.nets_["accel_x"].module_.backbone
x = torch.as_tensor(X_test["accel_x"], dtype=torch.float32)[:, None, :]
with torch.no_grad():
    sample_positions = backbone.patch_embedding.sample_patches(x)[1].numpy()  # (n, N, P)
regular_centre = 4 * np.arange(sample_positions.shape[1]) + 3.5
shift = sample_positions.mean(axis=-1) - regular_centre
width = sample_positions[..., -1] - sample_positions[..., 0]

labels = y_test["accel_x"]
fig, (ax_shift, ax_width) = plt.subplots(1, 2, figsize=(10, 3.6), sharex=True)
for activity in dict.fromkeys(labels):
    rows = labels == activity
    ax_shift.plot(regular_centre, shift[rows].mean(axis=0), marker=".", label=activity)
    ax_width.plot(regular_centre, width[rows].mean(axis=0), marker=".", label=activity)
ax_shift.axhline(0, color="0.6", ls="--", lw=1)
ax_width.axhline(7, color="0.6", ls="--", lw=1)
ax_shift.set_ylabel("window centre shift (steps)")
ax_width.set_ylabel("window width (steps)")
for ax in (ax_shift, ax_width):
    ax.set_xlabel("regular patch centre (time step)")
ax_width.legend(fontsize="small")
fig.suptitle("Learned deformable patches, task accel_x (dashed: regular patch)")
fig.tight_layout()
plt.show()
