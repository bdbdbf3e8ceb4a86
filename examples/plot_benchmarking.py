"""
Benchmarking methods on a task group: the papers' rank table
============================================================

:func:`~sktsmtl.benchmarking.run_benchmark` fits named methods on every task of a group,
for several seeds, under an evaluation protocol, and returns a tidy table of per-task
test accuracies. :func:`~sktsmtl.benchmarking.rank_table` turns it into the layout of
Table I of Yeh et al. (2023): each method's accuracy per task with its rank in brackets,
and the average rank over tasks, the papers' primary comparison (ties share the mean
rank).

The ``sktsmtl benchmark`` command does the same from the shell and writes the files::

    sktsmtl benchmark --group basic_motions --methods 1nn-dtw resnet1d resnet1d-mtl \\
        --epochs 30 --lr 1e-3 --seeds 0 --out results

Here everything is small so that the script runs in well under a minute on one CPU
core: the six univariate tasks of the embedded ``basic_motions`` group, two seeds, and
a small ResNet1D trained for a few epochs. The figures are those of this miniature, not
of the papers.
"""

# %%
# Methods
# -------
# Methods are known by name: the papers' systems are built in, each with its paper's
# defaults (optimiser settings, batch size).
from sktsmtl.benchmarking import list_methods, make_method

print(list_methods())
for name in ("resnet1d-mtl", "mtcs-svm", "convtimenet"):
    clf = make_method(name, random_state=0)
    print(f"{name:13s} backbone={clf.backbone} multitask={clf.multitask} lr={clf.lr} "
          f"batch_size={clf.batch_size}")

# %%
# A method can also be any estimator under a name of our choosing. A single-task
# scikit-learn classifier is fitted per task (through
# :class:`~sktsmtl.classification.PerTaskClassifier`); a multi-task estimator of
# sktsmtl learns all tasks at once. The runner gives every fit its seed and the run's
# settings (``max_epochs``, ``lr``, ...) through the parameters of those names.
from sklearn.neighbors import KNeighborsClassifier

from sktsmtl import MultiTaskTimeSeriesClassifier

small_resnet1d_mtl = MultiTaskTimeSeriesClassifier(
    backbone="resnet1d", multitask=True, backbone__filters=(16, 32, 32),
    batch_size=16, lr=1e-3)
methods = [
    "1nn-dtw",
    ("1nn-euclidean", KNeighborsClassifier(n_neighbors=1)),
    ("small-resnet1d-mtl", small_resnet1d_mtl),
]

# %%
# Running the benchmark
# ---------------------
# The ``"paper"`` protocol merges each task's archive train and test rows and splits
# them per task, stratified, into 60 % train, 20 % validation and 20 % test with each
# seed. Every method fits on train plus validation; the network holds the validation
# part out again to keep its best epoch. Each (method, seed) is one *cell*: the
# multi-task network is one fit over all six tasks.
import tempfile

from sktsmtl.benchmarking import run_benchmark

out_dir = tempfile.mkdtemp()
results = run_benchmark("basic_motions", methods, protocol="paper", seeds=[0, 1],
                        max_epochs=8, out_dir=out_dir)
print(results[["method", "task", "seed", "accuracy", "fit_seconds"]].head(8))

# %%
# With ``out_dir``, every finished cell is stored at once (atomically), and a second
# call with the same arguments reads the cells back instead of fitting again: an
# interrupted benchmark goes on where it stopped.
import time

start = time.perf_counter()
again = run_benchmark("basic_motions", methods, protocol="paper", seeds=[0, 1],
                      max_epochs=8, out_dir=out_dir)
print(f"second call: {time.perf_counter() - start:.2f} s, "
      f"same results: {again.equals(results)}")

# %%
# The rank table
# --------------
# Accuracies are averaged over seeds, then ranked per task (1 = best). Ranks are taken
# on the accuracies as printed (two decimals), so methods shown with the same figure
# share a rank.
from sktsmtl.benchmarking import rank_table, settings_table, to_markdown

print(to_markdown(rank_table(results)))

# %%
# The settings in effect are part of the results, and of the Markdown report that
# :func:`~sktsmtl.benchmarking.write_report` writes; empty cells are parameters a
# method does not have.
print(to_markdown(settings_table(results)))

# %%
# The figure
# ----------
# Accuracy per task (error bars: spread over the seeds) and average ranks.
import matplotlib.pyplot as plt

from sktsmtl.benchmarking import plot_benchmark

fig = plot_benchmark(results)
plt.show()
