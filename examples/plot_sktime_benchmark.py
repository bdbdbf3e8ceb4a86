"""
sktsmtl's methods in sktime's benchmarking harness
==================================================

sktime's :class:`~sktime.benchmarking.classification.ClassificationBenchmark` runs
sktime classifiers over data sets and gathers their scores in one table. sktsmtl's
estimators are scikit-learn estimators, which the harness does not take;
:class:`~sktsmtl.sktime.MultiTaskSktimeClassifier` makes them sktime classifiers, and
:func:`~sktsmtl.sktime.make_classification_benchmark` puts a whole task group into the
harness, one data set per task, beside sktime's own classifiers.

The harness fits one data set at a time. A multi-task network still learns from the
other tasks: the adapter holds the group's training split as *auxiliary tasks*, trains
on them together with the training rows of the data set at hand, and answers that data
set only. Test rows are scored on the archive's own train/test split, so no test series
reaches training in any form.

Here the embedded ``basic_motions`` group (the six sensor channels of BasicMotions as six
tasks) is run with four methods:

* sktime's 1NN-DTW (``KNeighborsTimeSeriesClassifier``) and its ``ResNetClassifierTorch``;
* sktsmtl's :class:`~sktsmtl.KNeighborsDTWClassifier` and a multi-task ResNet1D
  (:class:`~sktsmtl.MultiTaskTimeSeriesClassifier`).

Both networks are tiny and get the same budget (10 epochs, batch 16, learning rate
1e-2, the same filters) so that the example runs in seconds and compares like with
like: their accuracies say nothing about what the methods reach with a full budget.
"""

# %%
# Build the benchmark
# -------------------
# ``methods`` holds sktsmtl (or any scikit-learn) classifiers, which are wrapped in the
# adapter; ``sktime_classifiers`` holds sktime's, registered as they are. The multi-task
# network learns tasks jointly, so it gets the group's training split as auxiliary
# tasks; the 1NN-DTW classifiers do not need them.
import warnings

from sktime.classification.deep_learning import ResNetClassifierTorch
from sktime.classification.distance_based import KNeighborsTimeSeriesClassifier

from sktsmtl import KNeighborsDTWClassifier, MultiTaskTimeSeriesClassifier
from sktsmtl.sktime import make_classification_benchmark, results_table

methods = {
    "sktsmtl 1NN-DTW": KNeighborsDTWClassifier(),
    "sktsmtl ResNet1D MTL": MultiTaskTimeSeriesClassifier(
        backbone="resnet1d",
        backbone__filters=(16, 16, 16),
        max_epochs=10,
        batch_size=16,
        lr=1e-2,
        validation_fraction=0,
        random_state=0,
    ),
}
sktime_classifiers = {
    "sktime 1NN-DTW": KNeighborsTimeSeriesClassifier(distance="dtw"),
    "sktime ResNet": ResNetClassifierTorch(
        n_filters=(16, 16, 16), kernel_size=(7, 5, 3), num_epochs=10, batch_size=16,
        lr=1e-2, random_state=0,
    ),
}
benchmark = make_classification_benchmark("basic_motions", methods, sktime_classifiers)

for name, estimator in benchmark.estimators.entities.items():
    auxiliary = getattr(estimator, "auxiliary_X", None)
    print(f"{name:22s} {type(estimator).__name__:32s} auxiliary tasks: "
          f"{list(auxiliary) if auxiliary is not None else 'none'}")

# %%
# Run it
# ------
# ``run`` evaluates every method on every task and returns sktime's results table: one
# row per (task, method) with the mean and standard deviation of every metric over the
# folds, and the fit and predict times. With the archive's split there is one fold,
# so the standard deviations are NaN (numpy warns about it; the warning is silenced).
import pandas as pd

with warnings.catch_warnings():
    warnings.simplefilter("ignore", RuntimeWarning)
    results = benchmark.run()

with pd.option_context("display.width", 120, "display.max_columns", 8):
    print(results[["validation_id", "model_id", "accuracy_score_mean", "runtime_secs"]])

# %%
# Task by method
# --------------
# :func:`~sktsmtl.sktime.results_table` pivots the results into a table of the mean of
# one metric, tasks in rows and methods in columns.
table = results_table(results)
with pd.option_context("display.width", 120, "display.precision", 3):
    print(table)
    print(table.mean().rename("mean").to_frame().T)

# %%
# The same accuracies as a chart.
import matplotlib.pyplot as plt
import numpy as np

positions = np.arange(len(table))
width = 0.8 / table.shape[1]
fig, ax = plt.subplots(figsize=(8, 3.5))
for i, model in enumerate(table.columns):
    ax.bar(positions + (i - (table.shape[1] - 1) / 2) * width, table[model], width=width,
           label=model)
ax.set_xticks(positions, table.index)
ax.set_ylim(0, 1.05)
ax.set_ylabel("test accuracy")
ax.legend(loc="lower right", fontsize="small")
fig.tight_layout()
plt.show()
