"""
Learnt representations of two related tasks in 2D (t-SNE)
=========================================================

Fig. 5 of the ResNet2D paper (Yeh et al. 2023) draws the t-SNE map of the representations
that a multi-task network learnt for two tasks of the same series with hierarchically
related label sets: the subject who made a gesture, and that subject's gender. A good
shared representation separates the subjects, and groups them by gender.

The embedded ``basic_motions`` group gives such a pair with no download: the
accelerometer's x axis labelled by activity (standing, walking, running, badminton)
and the same series labelled by intensity (standing and walking are "low", running and
badminton "high"). One small multi-task ResNet1D learns both tasks; then
:func:`~sktsmtl.inspection.plot_embeddings` projects the representations of both tasks
together (one map) and colours each panel by its task's labels. For comparison, the
same view of a self-supervised :class:`~sktsmtl.representation.TS2VecTransformer`,
which never saw a label.

The networks are tiny and trained briefly so that the example runs in seconds.
"""

# %%
# Two tasks on the same series, with nested label sets
# ----------------------------------------------------
import numpy as np

from sktsmtl.datasets import load_task_group

X_all, y_all = load_task_group("basic_motions", split="train")
series = X_all["accel_x"]
activity = np.asarray(y_all["accel_x"])
intensity = np.where(np.isin(activity, ["Standing", "Walking"]), "low", "high")
X = {"activity": series, "intensity": series.copy()}
y = {"activity": activity, "intensity": intensity}
for task, labels in y.items():
    print(task, {str(c): int(n) for c, n in zip(*np.unique(labels, return_counts=True))})

# %%
# A multi-task network learns both label sets
# -------------------------------------------
import matplotlib.pyplot as plt

from sktsmtl import MultiTaskTimeSeriesClassifier
from sktsmtl.inspection import plot_embeddings

mtl = MultiTaskTimeSeriesClassifier(
    backbone="resnet1d", backbone__filters=(16, 16, 16), normalize=True,
    max_epochs=30, lr=1e-2, batch_size=20, validation_fraction=0, random_state=0)
mtl.fit(X, y)
print("training accuracy per task:", mtl.score_tasks(X, y))
axes = plot_embeddings(mtl, X, y, method="tsne", title="multi-task ResNet1D: t-SNE")
plt.show()

# %%
# A self-supervised encoder, for comparison
# -----------------------------------------
# TS2Vec's contrastive objective uses no label: the activity classes still form groups,
# since the four activities move the sensor very differently.
from sktsmtl.preprocessing import ZNormalizer
from sktsmtl.representation import TS2VecTransformer

Xz = ZNormalizer().fit_transform(X)
ssl = TS2VecTransformer(output_dim=32, hidden_dim=16, depth=4, n_iters=25, random_state=0)
ssl.fit(Xz)
axes = plot_embeddings(ssl, Xz, y, method="tsne", title="self-supervised TS2Vec: t-SNE")
plt.show()
