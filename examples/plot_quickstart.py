"""
Quick start: multi-task versus per-task classification
======================================================

Six related tasks come from one smart-watch recording: the embedded ``basic_motions``
group turns each of the six sensor channels (three accelerometer axes, three gyroscope
axes) of the BasicMotions data set into its own univariate classification task. All six
tasks predict the same activity, so they are related, which is the situation multi-task
learning is for.

We fit two models on the archive's train split and score them on its test split:

* :class:`~sktsmtl.classification.MultiTaskTimeSeriesClassifier`: one shared ResNet1D
  backbone with a small linear head per task, trained on task-homogeneous mini-batches;
* :class:`~sktsmtl.classification.PerTaskClassifier` wrapping
  :class:`~sktsmtl.classification.KNeighborsDTWClassifier`: an independent 1NN-DTW
  classifier per task, the classic baseline.

The network is kept tiny and trained for a few epochs so the example runs in seconds;
its accuracy is therefore no indication of what the method reaches with a full budget.
"""

# %%
# Load the task group
# -------------------
# :func:`~sktsmtl.datasets.load_task_group` returns two dicts, ``{task: X_t}`` and
# ``{task: y_t}``. Every ``X_t`` here is an array of shape ``(n_series, length)``.
import numpy as np

from sktsmtl.datasets import load_task_group

X_train, y_train = load_task_group("basic_motions", split="train")
X_test, y_test = load_task_group("basic_motions", split="test")

for task, X_t in X_train.items():
    print(f"{task:8s} X shape {X_t.shape}, classes {np.unique(y_train[task]).tolist()}")

# %%
# A shared network for all tasks
# ------------------------------
# ``backbone__filters`` shrinks ResNet1D to 16 filters per block (every argument of the
# backbone class is a ``backbone__`` parameter); ``random_state`` makes
# the CPU fit repeatable. A quarter of every task is held out internally and the epoch
# with the best mean validation accuracy is restored at the end of ``fit``.
from sktsmtl import MultiTaskTimeSeriesClassifier

mtl = MultiTaskTimeSeriesClassifier(
    backbone="resnet1d",
    backbone__filters=(16, 16, 16),
    max_epochs=10,
    batch_size=16,
    lr=1e-2,
    random_state=0,
)
mtl.fit(X_train, y_train)
print("epoch restored:", mtl.best_epoch_)

# %%
# ``predict`` answers in the form of its input: a dict of tasks gives a dict of labels.
predictions = mtl.predict(X_test)
print({task: labels[:3].tolist() for task, labels in list(predictions.items())[:2]})

# %%
# One 1NN-DTW classifier per task
# -------------------------------
# :class:`~sktsmtl.classification.PerTaskClassifier` clones its estimator for every
# task; nothing is shared between tasks.
from sktsmtl import KNeighborsDTWClassifier, PerTaskClassifier

knn = PerTaskClassifier(KNeighborsDTWClassifier(window=0.1))
knn.fit(X_train, y_train)

# %%
# Compare per-task accuracy
# -------------------------
# ``score_tasks`` gives ``{task: accuracy}``; ``score`` is their mean, each task
# counting once whatever its size (the unit of the papers' tables).
mtl_scores = mtl.score_tasks(X_test, y_test)
knn_scores = knn.score_tasks(X_test, y_test)

print(f"{'task':8s}  {'MTL ResNet1D':>12s}  {'1NN-DTW':>8s}")
for task in mtl_scores:
    print(f"{task:8s}  {mtl_scores[task]:12.3f}  {knn_scores[task]:8.3f}")
print(f"{'mean':8s}  {mtl.score(X_test, y_test):12.3f}  {knn.score(X_test, y_test):8.3f}")

# %%
# The same numbers as a bar chart.
import matplotlib.pyplot as plt

tasks = list(mtl_scores)
positions = np.arange(len(tasks))
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.bar(positions - 0.2, [mtl_scores[t] for t in tasks], width=0.4, label="MTL ResNet1D")
ax.bar(positions + 0.2, [knn_scores[t] for t in tasks], width=0.4, label="1NN-DTW per task")
ax.set_xticks(positions, tasks)
ax.set_ylim(0, 1.05)
ax.set_ylabel("test accuracy")
ax.legend(loc="lower right")
fig.tight_layout()
plt.show()
