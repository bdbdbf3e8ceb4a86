"""A task group in sktime's ``ClassificationBenchmark``, beside sktime's own classifiers.

Every task of the group becomes one benchmark data set: its train and test series in
one ``pd-multiindex`` panel (instance ids ``"task::i"``, train rows first), evaluated by
default on the archive's own train/test split. sktsmtl's methods enter through
:class:`~sktsmtl.sktime.MultiTaskSktimeClassifier`. A method that learns tasks jointly is given the
training split of the whole group as auxiliary tasks: at each data set it trains on the
harness's training rows of that task and the training split of the others, and is
scored on that task's test rows, which it never saw in any form.
"""

import warnings

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.metrics import accuracy_score
from sklearn.model_selection import KFold, PredefinedSplit
from sktime.classification.base import BaseClassifier

from ..classification import (
    KNeighborsDTWClassifier,
    MultiTaskClassifierMixin,
    MultiTaskTimeSeriesClassifier,
    PerTaskClassifier,
)
from .._deprecation import DEPRECATED, renamed
from ..data import TaskPanel
from ..datasets import load_task_group
from .classifier import MultiTaskSktimeClassifier
from .panel import to_sktime_panel

__all__ = [
    "sktime_baselines",
    "add_task_group",
    "make_classification_benchmark",
    "results_table",
]


def sktime_baselines(max_epochs=100, random_state=0, *, epochs=DEPRECATED):
    """sktime's own classifiers to compare with: 1NN-DTW, ResNet and ConvTimeNet.

    Parameters
    ----------
    max_epochs : int, default=100
        Training epochs of the two networks.
    random_state : int, default=0
        Seed of the two networks.
    epochs : int
        Deprecated: the old name of ``max_epochs`` (removed in 0.3).

    Returns
    -------
    dict
        ``{"sktime 1NN-DTW": KNeighborsTimeSeriesClassifier(distance="dtw"),
        "sktime ResNet": ResNetClassifierTorch(...), "sktime ConvTimeNet":
        ConvTimeNetClassifier(...)}``. ResNet keeps sktime's architecture with batches of
        16; ConvTimeNet takes the UEA settings of Cheng et al. (2024): ``d_model`` 64,
        ``d_ff`` 256, dropout 0.1, six blocks of kernels (7, 7, 13, 13, 19, 19), patches
        of 16 with stride 8, batches of 32.

    Examples
    --------
    >>> from sktsmtl.sktime import sktime_baselines
    >>> sorted(sktime_baselines(max_epochs=2))
    ['sktime 1NN-DTW', 'sktime ConvTimeNet', 'sktime ResNet']
    """
    from sktime.classification.deep_learning import (
        ConvTimeNetClassifier,
        ResNetClassifierTorch,
    )

    epochs = renamed("epochs", epochs, "max_epochs", max_epochs, "sktime_baselines")
    from sktime.classification.distance_based import KNeighborsTimeSeriesClassifier

    return {
        "sktime 1NN-DTW": KNeighborsTimeSeriesClassifier(n_neighbors=1, distance="dtw"),
        "sktime ResNet": ResNetClassifierTorch(
            num_epochs=epochs, batch_size=16, random_state=random_state),
        "sktime ConvTimeNet": ConvTimeNetClassifier(
            d_model=64, d_ff=256, dropout=0.1, dw_ks=[7, 7, 13, 13, 19, 19],
            patch_size=16, patch_stride=8, batch_size=32, num_epochs=epochs,
            random_state=random_state),
    }


def _default_methods(epochs, random_state):
    return {
        "sktsmtl 1NN-DTW": KNeighborsDTWClassifier(),
        "sktsmtl ResNet1D MTL": MultiTaskTimeSeriesClassifier(
            backbone="resnet1d", max_epochs=epochs, random_state=random_state),
    }


def _learns_jointly(estimator):
    """Whether the estimator shares anything across tasks (so auxiliary tasks help)."""
    if not isinstance(estimator, MultiTaskClassifierMixin) or isinstance(
            estimator, PerTaskClassifier):
        return False
    return estimator.get_params().get("multitask", True) is not False


def _load_splits(group, tasks, data_dir):
    train = load_task_group(group, split="train", data_dir=data_dir, tasks=tasks)
    test = load_task_group(group, split="test", data_dir=data_dir, tasks=tasks)
    return train, test


def _check_cv(cv, random_state):
    if cv is None:
        return None
    if isinstance(cv, (int, np.integer)) and not isinstance(cv, bool):
        return KFold(n_splits=int(cv), shuffle=True, random_state=random_state)
    if isinstance(cv, str) or not hasattr(cv, "split"):
        raise TypeError(
            f"cv must be None, an int or a splitter with a split method; got "
            f"{type(cv).__name__}."
        )
    return cv


def _register_tasks(benchmark, train, test, cv, scorers):
    (train_X, train_y), (test_X, test_y) = train, test
    for task in train_X:
        # train then test rows, as lists of (C, L_i) series: lengths may differ
        series = (TaskPanel.from_dict({task: train_X[task]}).task_series(task)
                  + TaskPanel.from_dict({task: test_X[task]}).task_series(task))
        labels = np.concatenate([np.asarray(train_y[task]), np.asarray(test_y[task])])
        X, y = to_sktime_panel({task: series}, {task: labels})
        n_train = len(train_y[task])
        splitter = cv if cv is not None else PredefinedSplit(
            np.r_[np.full(n_train, -1), np.zeros(len(labels) - n_train, dtype=int)])
        benchmark.add_task(
            (X, y), splitter, scorers,
            task_id=f"[dataset={task}]_[cv_splitter={type(splitter).__name__}]",
        )


def add_task_group(benchmark, group, *, tasks=None, data_dir=None, cv=None, scorers=None,
                   random_state=0):
    """Register every task of a group as one data set of a ``ClassificationBenchmark``.

    Parameters
    ----------
    benchmark : sktime ClassificationBenchmark
        The benchmark to add to.
    group : str or list of str
        A task group name or a list of UCR data sets (see
        :func:`~sktsmtl.datasets.load_task_group`).
    tasks : list of str, default=None
        Only these tasks of the group.
    data_dir : str or path-like, default=None
        UCR archive folder for the UCR groups.
    cv : None, int or splitter, default=None
        None scores on the archive's test split after training on its train split
        (one fold). An int ``k`` is a shuffled ``KFold(k)`` and a splitter is used as
        is, on each task's train and test rows together; sktime's harness calls
        ``cv.split(instance_ids)`` without labels, so stratified splitters do not work.
    scorers : list of callables, default=None
        Metrics ``f(y_true, y_pred)``; None is ``[accuracy_score]``.
    random_state : int, default=0
        Seed of the ``KFold`` made from an int ``cv``.

    Returns
    -------
    benchmark : sktime ClassificationBenchmark
        The same object, with one task per task of the group, named
        ``"[dataset=<task>]_[cv_splitter=<splitter class>]"``.
    """
    cv = _check_cv(cv, random_state)
    _register_tasks(benchmark, *_load_splits(group, tasks, data_dir), cv,
                    scorers or [accuracy_score])
    return benchmark


def _adapt(name, estimator, auxiliary, group_train):
    if isinstance(estimator, MultiTaskSktimeClassifier):
        return estimator
    if isinstance(estimator, BaseClassifier):
        raise TypeError(
            f"method {name!r} is the sktime classifier {type(estimator).__name__}; pass "
            "sktime's classifiers in sktime_classifiers."
        )
    if not isinstance(estimator, BaseEstimator):
        raise TypeError(
            f"method {name!r} must be an sktsmtl or scikit-learn classifier instance; got "
            f"{type(estimator).__name__}."
        )
    joint = _learns_jointly(estimator) if auxiliary == "auto" else auxiliary
    if not joint:
        return MultiTaskSktimeClassifier(estimator)
    return MultiTaskSktimeClassifier(estimator, *group_train)


def make_classification_benchmark(group, methods=None, sktime_classifiers=None, *,
                                  tasks=None, data_dir=None, cv=None, scorers=None,
                                  auxiliary="auto", max_epochs=100, random_state=0,
                                  epochs=DEPRECATED, **benchmark_params):
    """sktime ``ClassificationBenchmark`` of sktsmtl's methods and sktime's classifiers.

    One benchmark task per task of the group (see :func:`~sktsmtl.sktime.add_task_group`); every
    method is evaluated on every task. Run it with ``benchmark.run()``, which returns
    sktime's results ``DataFrame`` (one row per task and method, columns
    ``validation_id``, ``model_id``, ``<metric>_mean``, ``fit_time_mean``, ...);
    :func:`~sktsmtl.sktime.results_table` turns it into a task x method table.

    Parameters
    ----------
    group : str or list of str
        A task group name or a list of UCR data sets.
    methods : dict, default=None
        ``{name: estimator}`` of sktsmtl or scikit-learn classifiers (each wrapped in
        :class:`~sktsmtl.sktime.MultiTaskSktimeClassifier`) or of ready adapters (used as
        they are). None is sktsmtl's 1NN-DTW and a ResNet1D multi-task network of
        ``max_epochs`` epochs. Names from :mod:`sktsmtl.benchmarking` are its business:
        it builds the estimators and passes them here.
    sktime_classifiers : dict, default=None
        ``{name: sktime classifier}`` registered as they are; None is
        :func:`~sktsmtl.sktime.sktime_baselines` with ``max_epochs`` and ``random_state``;
        ``{}`` adds none.
    tasks : list of str, default=None
        Only these tasks of the group.
    data_dir : str or path-like, default=None
        UCR archive folder for the UCR groups.
    cv : None, int or splitter, default=None
        See :func:`~sktsmtl.sktime.add_task_group`; None is the archive's train/test split.
    scorers : list of callables, default=None
        None is ``[accuracy_score]``.
    auxiliary : {"auto", True, False}, default="auto"
        Whether a method gets the group's train split as auxiliary tasks. ``"auto"``
        gives it to the methods that learn tasks jointly (multi-task sktsmtl estimators
        other than ``PerTaskClassifier``, and not with ``multitask=False``).
    max_epochs : int, default=100
        Epochs of the default networks (ours and sktime's).
    random_state : int, default=0
        Seed of the default networks and of an int ``cv``.
    epochs : int
        Deprecated: the old name of ``max_epochs`` (removed in 0.3).
    **benchmark_params
        Passed to ``ClassificationBenchmark`` (``backend``, ``return_data``, ...).

    Returns
    -------
    sktime ClassificationBenchmark

    Warns
    -----
    UserWarning
        With a ``cv`` other than None and auxiliary tasks: the auxiliary data are the
        other tasks' train split, which in groups of aligned tasks (channels of the same
        recordings, like ``basic_motions`` or ``Cricket``) holds the recordings of test
        folds drawn from the train split.

    Examples
    --------
    >>> from sktsmtl import KNeighborsDTWClassifier
    >>> from sktsmtl.sktime import make_classification_benchmark
    >>> bench = make_classification_benchmark(
    ...     "basic_motions", {"1NN-DTW": KNeighborsDTWClassifier()}, {},
    ...     tasks=["accel_x"])
    >>> results = bench.run()  # doctest: +SKIP
    """
    from sktime.benchmarking.classification import ClassificationBenchmark

    epochs = renamed("epochs", epochs, "max_epochs", max_epochs,
                     "make_classification_benchmark")
    if auxiliary not in ("auto", True, False):
        raise ValueError(f"auxiliary must be 'auto', True or False; got {auxiliary!r}.")
    if methods is None:
        methods = _default_methods(epochs, random_state)
    if sktime_classifiers is None:
        sktime_classifiers = sktime_baselines(max_epochs=epochs, random_state=random_state)
    for what, given in (("methods", methods), ("sktime_classifiers", sktime_classifiers)):
        if not isinstance(given, dict):
            raise TypeError(f"{what} must be a dict {{name: estimator}}; got "
                            f"{type(given).__name__}.")
    shared = set(methods) & set(sktime_classifiers)
    if shared:
        raise ValueError(f"method names {sorted(shared)} are used twice.")
    for name, clf in sktime_classifiers.items():
        if not isinstance(clf, BaseClassifier):
            raise TypeError(
                f"sktime_classifiers[{name!r}] must be an sktime classifier instance; got "
                f"{type(clf).__name__} (sktsmtl and scikit-learn estimators go in methods)."
            )
    cv = _check_cv(cv, random_state)
    train, test = _load_splits(group, tasks, data_dir)
    adapted = {name: _adapt(name, est, auxiliary, train) for name, est in methods.items()}
    uses_auxiliary = any(a.auxiliary_X is not None for a in adapted.values())
    if cv is not None and uses_auxiliary:
        warnings.warn(
            "auxiliary tasks are the other tasks' train split; with a custom cv, test "
            "folds are drawn from the train split too, so in groups whose tasks are views "
            "of the same recordings a test series' recording is in the auxiliary data. "
            "cv=None (the archive's split) avoids this.",
            UserWarning,
            stacklevel=2,
        )

    benchmark = ClassificationBenchmark(**benchmark_params)
    for name, est in {**adapted, **sktime_classifiers}.items():
        benchmark.add_estimator(est, estimator_id=name)
    _register_tasks(benchmark, train, test, cv, scorers or [accuracy_score])
    return benchmark


def results_table(results, metric="accuracy_score"):
    """Task x method table of one metric's mean from sktime's benchmark results.

    Parameters
    ----------
    results : pandas.DataFrame
        What ``benchmark.run()`` returns.
    metric : str, default="accuracy_score"
        Metric name; the column ``f"{metric}_mean"`` is read.

    Returns
    -------
    pandas.DataFrame
        Index: the data set named in each ``validation_id``; columns: ``model_id``, in
        the order of registration.

    Examples
    --------
    >>> import pandas as pd
    >>> from sktsmtl.sktime import results_table
    >>> df = pd.DataFrame({"validation_id": ["[dataset=a]_[cv_splitter=KFold]"] * 2,
    ...                    "model_id": ["m1", "m2"], "accuracy_score_mean": [0.5, 1.0]})
    >>> results_table(df).to_dict()
    {'m1': {'a': 0.5}, 'm2': {'a': 1.0}}
    """
    column = f"{metric}_mean"
    if column not in results.columns:
        raise ValueError(
            f"results have no column {column!r}; metric columns: "
            f"{[c[:-5] for c in results.columns if c.endswith('_mean')]}."
        )
    names = results["validation_id"].str.extract(r"\[dataset=(.*?)\]", expand=False)
    names = names.fillna(results["validation_id"])
    table = results.assign(dataset=names).pivot(
        index="dataset", columns="model_id", values=column)
    return table.loc[list(dict.fromkeys(names)), list(dict.fromkeys(results["model_id"]))]
