"""
MTCS: classifier sharing, SVM fine-tuning and the learnt task relations
=======================================================================

Multi-task Classifier Sharing (Wang et al. 2022) trains a TS2Vec encoder on several
tasks with one head per task, and adds a loss that pulls together the weight rows of
classes the heads predict together. The encoder is then frozen and one SVM per task is
fitted on its embeddings.

Here the six sensor axes of the embedded ``basic_motions`` group are the tasks. All six
predict the same four activities, so the heads of different axes should learn that
their classes correspond: the task-relation heatmap at the end shows which pairs the
sharing loss ties together.

The encoder is tiny and trained for a few epochs so the example runs in seconds; see
:doc:`/mtcs` for the accuracy run on the paper's datasets.
"""

# %%
# Three settings of one estimator
# -------------------------------
# The single-task TS2Vec encoder, plain multi-task learning (hard sharing) and MTCS,
# each followed by the SVM stage. Every series is z-normalised, as in the paper.
import time

from sktsmtl import MultiTaskTimeSeriesClassifier
from sktsmtl.datasets import load_task_group

X_train, y_train = load_task_group("basic_motions", split="train")
X_test, y_test = load_task_group("basic_motions", split="test")

common = dict(backbone="ts2vec", final_estimator="svm", normalize=True,
              backbone__hidden_dim=16, backbone__output_dim=32, backbone__depth=4,
              max_epochs=15, batch_size=16, lr=3e-3, validation_fraction=0,
              random_state=0)
settings = {
    "TS2Vec + SVM (per task)": dict(multitask=False),
    "MTL + SVM": dict(sharing="hard"),
    "MTCS + SVM": dict(sharing="mtcs", alpha=0.1, tau=2.0),
}
models = {}
for name, params in settings.items():
    start = time.perf_counter()
    models[name] = MultiTaskTimeSeriesClassifier(**common, **params).fit(X_train, y_train)
    scores = models[name].score_tasks(X_test, y_test)
    print(f"{name:24s} fit {time.perf_counter() - start:5.1f} s  mean accuracy "
          f"{sum(scores.values()) / len(scores):.3f}  "
          + " ".join(f"{task}={acc:.2f}" for task, acc in scores.items()))

# %%
# The sharing loss during training
# --------------------------------
# With ``sharing="mtcs"`` every batch goes through all six heads; the history records
# the sharing term of every batch. It stays at zero until the heads become confident
# enough for some class pairs to co-occur more than ``tau`` times the uniform rate.
import numpy as np

history = models["MTCS + SVM"].history_
sharing = [np.mean([b["sharing_loss"] for b in row["batches"]]) for row in history]
print("mean sharing loss per epoch:", np.round(sharing, 4).tolist())

# %%
# The learnt task relations
# -------------------------
# :func:`~sktsmtl.inspection.task_relations` feeds every task's series to every head
# and reports, per pair of tasks, the share of class pairs that the MTCS relevance rule
# marks as related (the pairs whose weight rows the loss pulls together).
from sktsmtl.inspection import plot_task_relations, task_relations

relations = task_relations(models["MTCS + SVM"], X_train)
print(relations.round(2))
ax = plot_task_relations(relations)
ax.set_title("MTCS task relations on basic_motions")
