"""
Several label sets over one set of series
=========================================

When every task labels the same series (a merchant's week of transactions labelled by
category, region and channel; one recording labelled by gender and subject), the tasks
share their input. :class:`~sktsmtl.MultiTaskTimeSeriesClassifier` takes them as
scikit-learn's multi-output classifiers do: one array ``X`` and one label column per
task. Every mini-batch then runs the backbone once and all the heads on it, instead of
once per task as Algorithm 2 does when the same series are given as one dict entry per
task.

:func:`~sktsmtl.datasets.make_label_sets` makes such data: weeks of hourly activity
with a ``subject``, its ``group`` (a coarser view of the subject) and a ``weekend``
label independent of both. A third of the subject labels are removed: those series
train the two other heads only.
"""

# %%
# Three label sets over one array
# -------------------------------
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sktsmtl import MultiTaskTimeSeriesClassifier
from sktsmtl.datasets import make_label_sets

X, Y = make_label_sets(n_series=1200, random_state=0)
X_test, Y_test = make_label_sets(n_series=400, random_state=1)
Y = pd.DataFrame(Y)
Y.loc[::3, "subject"] = np.nan
print(X.shape, Y.notna().sum().to_dict())

# %%
# One backbone pass per batch, against Algorithm 2
# ------------------------------------------------
# The same network and budget both ways; the dict form repeats ``X`` once per task
# (the labels of each task without its missing ones).
params = dict(backbone="resnet1d", backbone__filters=(16, 32, 32), max_epochs=8,
              batch_size=64, random_state=0)
shared = MultiTaskTimeSeriesClassifier(**params)
start = time.perf_counter()
shared.fit(X, Y)
shared_s = time.perf_counter() - start

labelled = {t: Y[t].notna().to_numpy() for t in Y}
apart_X = {t: X[labelled[t]] for t in Y}
apart_y = {t: Y[t].to_numpy()[labelled[t]] for t in Y}
alg2 = MultiTaskTimeSeriesClassifier(**params)
start = time.perf_counter()
alg2.fit(apart_X, apart_y)
alg2_s = time.perf_counter() - start

shared_scores = shared.score_tasks(X_test, pd.DataFrame(Y_test))
alg2_scores = alg2.score_tasks({t: X_test for t in Y}, Y_test)
print(f"shared input: {shared_s:.1f} s, {shared_scores}")
print(f"Algorithm 2:  {alg2_s:.1f} s, {alg2_scores}")

# %%
# Predictions come as one column per task
# ---------------------------------------
print(shared.predict(X_test[:3]))

# %%
# Accuracy per task and fit time
# ------------------------------
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 3))
tasks = list(Y)
at = np.arange(len(tasks))
ax1.bar(at - 0.2, [shared_scores[t] for t in tasks], 0.4, label="shared input")
ax1.bar(at + 0.2, [alg2_scores[t] for t in tasks], 0.4, label="Algorithm 2")
ax1.set_xticks(at, tasks)
ax1.set_ylabel("test accuracy")
ax1.legend(loc="lower left")
ax2.bar(["shared input", "Algorithm 2"], [shared_s, alg2_s])
ax2.set_ylabel("fit time (s)")
fig.tight_layout()
plt.show()
