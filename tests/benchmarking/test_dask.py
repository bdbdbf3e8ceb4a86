"""The benchmark's cells and a grid search on a Dask cluster (joblib's dask backend)."""

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import GridSearchCV

from sktsmtl.benchmarking import run_benchmark
from sktsmtl.classification import (
    KNeighborsDTWClassifier,
    MultiTaskTimeSeriesClassifier,
    PerTaskClassifier,
)
from sktsmtl.data import TaskLabels, TaskPanel
from sktsmtl.datasets import load_task_group

distributed = pytest.importorskip("distributed")

TASKS = ["accel_x", "gyro_z"]
TINY_RESNET1D = MultiTaskTimeSeriesClassifier(
    backbone="resnet1d", multitask=False, batch_size=16, lr=1e-2,
    backbone__filters=(8, 8, 8))
METHODS = ["1nn-dtw", ("resnet1d-tiny", TINY_RESNET1D)]


@pytest.fixture(scope="module")
def cluster():
    # Worker processes, not threads: torch's global RNG is shared by the threads of a
    # process, so seeded fits running side by side in threads would not be repeatable.
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as local_cluster:
        yield local_cluster


def _run(**kwargs):
    return run_benchmark("basic_motions", METHODS, protocol="paper", seeds=[0, 1],
                         tasks=TASKS, max_epochs=1, **kwargs)


def test_benchmark_cells_run_on_the_cluster(cluster, tmp_path):
    local = _run()
    with distributed.Client(cluster) as client:
        with distributed.get_task_stream(client) as stream:
            remote = _run(scheduler=cluster.scheduler_address, out_dir=tmp_path)
    assert len(stream.data) >= 4  # the four cells went through the scheduler
    workers = {task["worker"] for task in stream.data}
    assert workers <= set(cluster.scheduler_info["workers"])
    columns = ["method", "task", "seed", "accuracy", "n_fit", "n_test", "max_epochs"]
    pd.testing.assert_frame_equal(local[columns], remote[columns])
    # the cells came back to this process, which stored them
    assert len(list((tmp_path / "cells").rglob("*.json"))) == 4


def test_grid_search_on_the_cluster(cluster):
    X, y = load_task_group("basic_motions", split="train", tasks=TASKS)
    X, y = TaskPanel.from_dict(X), TaskLabels.from_dict(y)
    searches = {
        "1nn-dtw": (PerTaskClassifier(KNeighborsDTWClassifier()),
                    {"estimator__window": [0.0, 0.1, None]}),
        "resnet1d": (MultiTaskTimeSeriesClassifier(**dict(
            TINY_RESNET1D.get_params(), max_epochs=1, random_state=0)),
            {"lr": [1e-3, 1e-2]}),
    }
    import torch

    threads = torch.get_num_threads()
    for name, (estimator, grid) in searches.items():
        # Dask's worker processes run torch on one thread (OMP_NUM_THREADS=1): so does
        # the local search, as sums split over other thread counts round differently
        torch.set_num_threads(1)
        try:
            local = GridSearchCV(estimator, grid, cv=2).fit(X, y)
        finally:
            torch.set_num_threads(threads)
        with distributed.Client(cluster) as client:
            with distributed.get_task_stream(client) as stream:
                with joblib.parallel_config(backend="dask"):
                    remote = GridSearchCV(estimator, grid, cv=2, n_jobs=-1).fit(X, y)
        assert len(stream.data) > 0, name
        np.testing.assert_array_equal(local.cv_results_["mean_test_score"],
                                      remote.cv_results_["mean_test_score"])
        assert local.best_params_ == remote.best_params_
