"""
Task groups and the paper's 60/20/20 split
==========================================

A *task group* is a set of related classification tasks learnt together.
:mod:`sktsmtl.datasets` knows two kinds:

* groups of UCR archive data sets, as in the papers (for example ``DodgerLoop`` or
  ``ECG``), read from a local copy of the archive named by the environment variable
  ``SKTSMTL_UCR_DIR`` (or the ``data_dir`` argument); nothing is downloaded;
* embedded groups built from data files that installed packages ship, available
  everywhere: ``basic_motions``, ``japanese_vowels`` and their multivariate variants.
"""

# %%
# Which groups exist, and which are available here
# ------------------------------------------------
from sktsmtl.datasets import list_task_groups

for group in list_task_groups():
    state = "available" if group["available"] else "needs SKTSMTL_UCR_DIR"
    print(f"{group['name']:29s} {group['source']:8s} {group['n_tasks']:2d} tasks  {state}")

# %%
# Group names are matched ignoring case, ``_``, ``-`` and spaces; the definition lists
# the tasks and where they come from.
from sktsmtl.datasets import get_task_group

group = get_task_group("Basic-Motions")
print(group.name, group.tasks)
print(group.description)

# %%
# The archive split
# -----------------
# ``split="train"`` and ``"test"`` give the archive's own split, as two dicts
# ``{task: X_t}`` and ``{task: y_t}``.
import numpy as np

from sktsmtl.datasets import load_task_group

X_train, y_train = load_task_group("basic_motions", split="train")
X_test, y_test = load_task_group("basic_motions", split="test")
print({task: X_t.shape for task, X_t in X_train.items()})

# %%
# The paper's 60/20/20 split
# --------------------------
# The ResNet2D paper merges every task's train and test series and splits them again
# into 60 % training, 20 % validation and 20 % test series, stratified by class. The
# three parts come from ``split="paper_train"``, ``"paper_val"`` and ``"paper_test"``;
# with the same integer ``random_state`` the three calls give disjoint parts.
parts = {
    name: load_task_group("basic_motions", split=f"paper_{name}", random_state=0)
    for name in ("train", "val", "test")
}
for name, (X_part, y_part) in parts.items():
    classes, counts = np.unique(y_part["accel_x"], return_counts=True)
    per_class = dict(zip(classes.tolist(), counts.tolist()))
    print(f"{name:5s} {X_part['accel_x'].shape}  per class: {per_class}")

# %%
# The same split of dicts you already hold is :func:`~sktsmtl.datasets.paper_split`
# (or :func:`~sktsmtl.datasets.train_val_test_split_tasks` for other proportions).
# Every task is split on its own with the same seed, so a task's split does not depend
# on which other tasks are loaded with it.
from sktsmtl.datasets import paper_split

all_X, all_y = load_task_group("basic_motions", split="all")
(Xtr, ytr), (Xva, yva), (Xte, yte) = paper_split(all_X, all_y, random_state=0)
print(len(ytr["gyro_z"]), len(yva["gyro_z"]), len(yte["gyro_z"]))
print(np.array_equal(Xte["gyro_z"], parts["test"][0]["gyro_z"]))

# %%
# A look at the series
# --------------------
# One series per activity, on the six tasks of the group: every task sees the same
# recording through a different sensor channel.
import matplotlib.pyplot as plt

activities = np.unique(y_train["accel_x"])
first_of = {a: int(np.flatnonzero(y_train["accel_x"] == a)[0]) for a in activities}
fig, axes = plt.subplots(2, 3, figsize=(10, 5), sharex=True)
for ax, (task, X_t) in zip(axes.ravel(), X_train.items()):
    for activity, row in first_of.items():
        ax.plot(X_t[row], label=activity, lw=1)
    ax.set_title(task)
axes[0, 0].legend(fontsize=7)
for ax in axes[1]:
    ax.set_xlabel("time step")
fig.tight_layout()
plt.show()

# %%
# Variable-length groups
# ----------------------
# In ``japanese_vowels`` the utterances have different lengths: shorter series are
# NaN-padded at the end of the task's array, the form UCR files use. Every estimator
# of sktsmtl reads trailing NaN as the end of a series.
X_vowels, y_vowels = load_task_group("japanese_vowels", split="train", tasks=["lpcc_01"])
X_v = X_vowels["lpcc_01"]
lengths = (~np.isnan(X_v)).sum(axis=1)
fig, ax = plt.subplots(figsize=(6, 3))
ax.hist(lengths, bins=np.arange(lengths.min(), lengths.max() + 2) - 0.5)
ax.set_xlabel("series length (frames)")
ax.set_ylabel("series")
ax.set_title(f"japanese_vowels: {X_v.shape[0]} series, array width {X_v.shape[1]}")
fig.tight_layout()
plt.show()
