import json
import os
import re
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin

from sktsmtl.benchmarking import (
    RESULT_COLUMNS,
    BenchmarkInterrupted,
    get_protocol,
    run_benchmark,
)
from sktsmtl.benchmarking import _files
from sktsmtl.classification import (
    KNeighborsDTWClassifier,
    MultiTaskTimeSeriesClassifier,
    PerTaskClassifier,
)
from sktsmtl.preprocessing import ZNormalizer

TASKS = ["accel_x", "gyro_z"]
TINY_RESNET1D = MultiTaskTimeSeriesClassifier(
    backbone="resnet1d", multitask=True, batch_size=16,
    backbone__filters=(8, 8, 8))


class Counting(ClassifierMixin, BaseEstimator):
    """Majority-class classifier that counts its fits and can fail on one seed."""

    fits = 0
    seen_means = []

    def __init__(self, random_state=None, fail_on_seed=None, interrupt=False):
        self.random_state = random_state
        self.fail_on_seed = fail_on_seed
        self.interrupt = interrupt

    def fit(self, X, y):
        if self.fail_on_seed is not None and self.random_state == self.fail_on_seed:
            raise KeyboardInterrupt if self.interrupt else RuntimeError("fit failed")
        type(self).fits += 1
        type(self).seen_means.append(float(np.nanmean(np.abs(np.nanmean(X, axis=-1)))))
        values, counts = np.unique(y, return_counts=True)
        self.classes_, self.majority_ = values, values[counts.argmax()]
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)


class CountingWithNormalize(Counting):
    def __init__(self, random_state=None, fail_on_seed=None, interrupt=False,
                 normalize=False):
        super().__init__(random_state, fail_on_seed, interrupt)
        self.normalize = normalize


@pytest.fixture(autouse=True)
def _reset_counter():
    Counting.fits = 0
    Counting.seen_means = []


def _files_in(folder):
    """The files of a run, lock files (which stay, see CellLock) left out."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.is_file() and ".locks" not in p.parts)


def test_tidy_results_one_row_per_method_seed_and_task():
    results = run_benchmark("basic_motions", ["1nn-dtw", ("majority", Counting())],
                            seeds=[0, 1], tasks=TASKS)
    assert list(results.columns) == list(RESULT_COLUMNS)
    assert len(results) == 2 * 2 * 2
    assert results[["method", "seed", "task"]].drop_duplicates().shape[0] == 8
    assert set(results["group"]) == {"basic_motions"} and set(results["protocol"]) == {"paper"}
    assert (results["n_fit"] == 64).all() and (results["n_test"] == 16).all()
    # one fit time per cell, repeated on its task rows
    assert (results.groupby(["method", "seed"])["fit_seconds"].nunique() == 1).all()
    assert (results["fit_seconds"] >= 0).all()
    # the majority class of a balanced 4-class test part
    assert (results.loc[results.method == "majority", "accuracy"] == 0.25).all()
    # 1nn-dtw's figures are those of the protocol's split
    protocol = get_protocol("paper")
    data = protocol.load("basic_motions", tasks=TASKS)
    for seed in (0, 1):
        X_fit, y_fit, X_test, y_test = protocol.split(data, seed)
        expected = PerTaskClassifier(KNeighborsDTWClassifier()).fit(X_fit, y_fit).score_tasks(
            X_test, y_test)
        got = results[(results.method == "1nn-dtw") & (results.seed == seed)]
        assert dict(zip(got.task, got.accuracy)) == pytest.approx(expected)
    assert results.loc[results.method == "1nn-dtw", "max_epochs"].isna().all()


def test_run_settings_reach_the_networks_and_are_recorded():
    paper = run_benchmark("basic_motions", [("tiny", TINY_RESNET1D)], tasks=TASKS,
                          max_epochs=1, lr=0.01)
    assert paper["max_epochs"].tolist() == [1, 1] and paper["lr"].tolist() == [0.01, 0.01]
    assert paper["validation_fraction"].tolist() == [0.25, 0.25]
    assert paper["device"].tolist() == ["cpu", "cpu"]
    assert paper["batch_size"].tolist() == [16, 16]
    ucr = run_benchmark("basic_motions", [("tiny", TINY_RESNET1D)], protocol="ucr",
                        tasks=TASKS, max_epochs=1)
    assert ucr["validation_fraction"].tolist() == [0.0, 0.0]
    assert (ucr["n_fit"] == 40).all() and (ucr["n_test"] == 40).all()


def test_normalize_is_done_for_methods_that_cannot_do_it():
    results = run_benchmark("basic_motions", ["1nn-dtw"], tasks=TASKS, normalize=True)
    assert results["normalize"].all()
    data = get_protocol("paper").load("basic_motions", tasks=TASKS)
    X_fit, y_fit, X_test, y_test = get_protocol("paper").split(data, 0)
    X_fit, X_test = (ZNormalizer().fit_transform(X) for X in (X_fit, X_test))
    expected = PerTaskClassifier(KNeighborsDTWClassifier()).fit(X_fit, y_fit).score_tasks(
        X_test, y_test)
    assert dict(zip(results.task, results.accuracy)) == pytest.approx(expected)

    # an estimator with a normalize parameter gets it set and receives the raw series
    run_benchmark("basic_motions", [("own", CountingWithNormalize()),
                                    ("plain", Counting())], tasks=TASKS, normalize=True)
    own, plain = Counting.seen_means[:2], Counting.seen_means[2:]
    assert min(own) > 0.01 and max(plain) < 1e-9


def test_finished_cells_are_read_back_not_recomputed(tmp_path):
    kwargs = dict(methods=[("majority", Counting())], seeds=[0, 1], tasks=TASKS,
                  out_dir=tmp_path)
    first = run_benchmark("basic_motions", **kwargs)
    assert Counting.fits == 2 * 2  # 2 seeds x 2 tasks (fitted per task)
    cells = list((tmp_path / "cells" / "basic_motions_paper").glob("*.json"))
    assert len(cells) == 2
    again = run_benchmark("basic_motions", **kwargs)
    assert Counting.fits == 4  # nothing was fitted again
    pd.testing.assert_frame_equal(first, again)

    # a removed cell is the only one computed again
    next(c for c in cells if "_seed1_" in c.name).unlink()
    run_benchmark("basic_motions", **kwargs)
    assert Counting.fits == 6
    # a setting the method has no parameter for does not make another cell
    run_benchmark("basic_motions", **dict(kwargs, seeds=[0]), max_epochs=3)
    assert Counting.fits == 6
    # a setting that reaches the method does
    run_benchmark("basic_motions", **dict(kwargs, seeds=[0]), normalize=True)
    assert Counting.fits == 8
    assert len(list((tmp_path / "cells").rglob("*.json"))) == 3


def test_a_cells_key_holds_only_the_settings_its_method_uses(tmp_path):
    knn = PerTaskClassifier(KNeighborsDTWClassifier())
    kwargs = dict(methods=[("1nn", knn), ("majority", CountingWithNormalize())],
                  protocol="ucr", tasks=TASKS, out_dir=tmp_path)
    run_benchmark("basic_motions", **kwargs, max_epochs=5)
    store = tmp_path / "cells" / "basic_motions_ucr"
    first = {c.name for c in store.glob("*.json")}
    # 1NN-DTW has no epochs: the same cells, nothing computed again
    Counting.fits = 0
    run_benchmark("basic_motions", **kwargs, max_epochs=50)
    assert {c.name for c in store.glob("*.json")} == first
    assert Counting.fits == 0
    # window reaches 1NN-DTW only: one new cell
    run_benchmark("basic_motions", **kwargs, method_params={"window": 0.1})
    assert len({c.name for c in store.glob("*.json")} - first) == 1
    assert Counting.fits == 0


def test_a_method_param_no_method_has_is_refused(tmp_path):
    knn = PerTaskClassifier(KNeighborsDTWClassifier())
    with pytest.raises(ValueError, match=r"method_params windw: no method of this run "
                                         r"\(1nn\) has such a parameter"):
        run_benchmark("basic_motions", methods=[("1nn", knn)], tasks=TASKS,
                      method_params={"windw": 0.1})
    with pytest.raises(ValueError, match="method_params backbone__filters"):
        run_benchmark("basic_motions", methods=[("1nn", knn)], tasks=TASKS,
                      method_params={"backbone__filters": (4,)})


def test_a_routed_method_param_reaches_the_network_that_did_not_set_it():
    from sktsmtl.benchmarking import get_method

    estimator, applied = get_method("resnet1d-mtl").build(backbone__filters=(4, 4))
    assert estimator.get_params()["backbone__filters"] == (4, 4)
    assert applied == {"backbone__filters"}
    # inside a meta-estimator: the nested network gets it
    vote, applied = get_method("resnet1d+minirocket").build(optimizer__betas=(0.8, 0.9))
    assert vote.get_params()["estimators"][0][1].get_params()["optimizer__betas"] == \
        (0.8, 0.9)
    assert applied == {"optimizer__betas"}


@pytest.mark.parametrize("damage, reason", [
    (lambda r: r["accuracy"].pop("gyro_z"), "task 'gyro_z' has no accuracy"),
    (lambda r: r["accuracy"].update(accel_x=1.5), "not in \\[0, 1\\]"),
    (lambda r: r.update(fit_seconds="fast"), "not a duration"),
    (lambda r: r["n_test"].update(accel_x=0), "n_test 0"),
])
def test_a_cell_file_that_parses_but_is_wrong_is_computed_again(tmp_path, damage, reason):
    kwargs = dict(methods=[("majority", Counting())], tasks=TASKS, out_dir=tmp_path)
    first = run_benchmark("basic_motions", **kwargs)
    cell = next((tmp_path / "cells").rglob("*.json"))
    record = json.loads(cell.read_text())
    damage(record)
    cell.write_text(json.dumps(record))
    Counting.fits = 0
    with pytest.warns(UserWarning, match=reason):
        again = run_benchmark("basic_motions", **kwargs)
    assert Counting.fits == 2  # the cell was fitted again (once per task) ...
    timings = ["fit_seconds", "score_seconds", "compile_seconds"]
    pd.testing.assert_frame_equal(first.drop(columns=timings), again.drop(columns=timings))
    rewritten = json.loads(cell.read_text())["accuracy"]  # ... and its file rewritten
    assert rewritten == dict(zip(first["task"], first["accuracy"]))


def test_a_cell_locked_by_another_run_is_waited_for_not_computed(
        tmp_path, monkeypatch, capsys):
    import threading

    from sktsmtl.benchmarking import runner

    monkeypatch.setattr(runner, "_POLL_SECONDS", 0.05)
    monkeypatch.setattr(runner, "_REPORT_SECONDS", 0.2)
    kwargs = dict(methods=[("majority", Counting())], tasks=TASKS, out_dir=tmp_path)
    first = run_benchmark("basic_motions", **kwargs)
    cell = next((tmp_path / "cells").rglob("*.json"))
    text = cell.read_text()
    cell.unlink()
    # another run holds the lock (its own open file: the system lock excludes this one)
    other = _files.CellLock(cell)
    assert other.acquire()

    def other_run():
        time.sleep(0.6)
        cell.write_text(text)
        other.release()

    thread = threading.Thread(target=other_run)
    thread.start()
    Counting.fits = 0
    again = run_benchmark("basic_motions", **kwargs)
    thread.join()
    assert Counting.fits == 0
    pd.testing.assert_frame_equal(first, again)
    lines = [line for line in capsys.readouterr().out.splitlines() if "waiting for" in line]
    # the lock waited on, its holder, and for how long, said again while it waits
    assert len(lines) >= 2
    assert str(other.path) in lines[0] and f"process {os.getpid()}" in lines[0]
    assert "waited 0.0 s" in lines[0] and "waited 0.0 s" not in lines[-1]


@pytest.mark.parametrize("content", ["", "{not json", '{"host": "x", "pid": 1}'])
def test_a_lock_file_without_a_live_holder_is_no_lock(tmp_path, content):
    # an empty or damaged lock file (a run killed while creating it, a full disk, an
    # older version's file) must never make a run wait
    kwargs = dict(methods=[("majority", Counting())], tasks=TASKS, out_dir=tmp_path)
    run_benchmark("basic_motions", **kwargs)
    cell = next((tmp_path / "cells").rglob("*.json"))
    cell.unlink()
    lock = _files.CellLock(cell)
    lock.path.parent.mkdir(exist_ok=True)
    lock.path.write_text(content)
    (cell.parent / f"{cell.name}.lock").write_text(content)  # where older versions kept it
    Counting.fits = 0
    start = time.monotonic()
    run_benchmark("basic_motions", **kwargs)
    assert Counting.fits == 2 and cell.exists() and time.monotonic() - start < 30


def test_a_lock_held_by_a_killed_process_is_released_with_it(tmp_path):
    kwargs = dict(methods=[("majority", Counting())], tasks=TASKS, out_dir=tmp_path)
    run_benchmark("basic_motions", **kwargs)
    cell = next((tmp_path / "cells").rglob("*.json"))
    cell.unlink()
    code = ("import os, signal, sys; from sktsmtl.benchmarking._files import CellLock; "
            "assert CellLock(sys.argv[1]).acquire(); os.kill(os.getpid(), signal.SIGKILL)")
    killed = subprocess.run([sys.executable, "-c", code, str(cell)])
    assert killed.returncode == -9
    lock = _files.CellLock(cell)
    assert lock.path.exists() and lock.owner() is not None  # what it left behind
    assert not lock.locked_elsewhere()
    Counting.fits = 0
    run_benchmark("basic_motions", **kwargs)
    assert Counting.fits == 2 and cell.exists()


def test_two_runs_into_one_folder_hold_separate_locks(tmp_path):
    first, second = _files.CellLock(tmp_path / "c.json"), _files.CellLock(tmp_path / "c.json")
    assert first.acquire()
    assert not second.acquire() and second.locked_elsewhere()
    assert "held by process" in second.describe_owner()
    first.release()
    assert second.acquire() and not first.acquire()
    second.release()
    assert second.owner() is None


def test_an_unreadable_cell_file_is_computed_again(tmp_path):
    kwargs = dict(methods=[("majority", Counting())], tasks=TASKS, out_dir=tmp_path)
    run_benchmark("basic_motions", **kwargs)
    cell = next((tmp_path / "cells").rglob("*.json"))
    cell.write_text("{not json")
    with pytest.warns(UserWarning, match="unreadable cell file"):
        run_benchmark("basic_motions", **kwargs)
    assert Counting.fits == 4
    json.loads(cell.read_text())


@pytest.mark.parametrize("interrupt", [True, False])
def test_an_interrupted_run_leaves_only_whole_files_and_resumes(tmp_path, interrupt):
    failing = [("majority", Counting(fail_on_seed=1, interrupt=interrupt))]
    with pytest.raises(KeyboardInterrupt if interrupt else RuntimeError) as info:
        run_benchmark("basic_motions", failing, seeds=[0, 1, 2], tasks=TASKS,
                      out_dir=tmp_path)
    if interrupt:  # the finished cells come with the interrupt
        assert isinstance(info.value, BenchmarkInterrupted)
        assert info.value.results["seed"].tolist() == [0, 0]
        assert list(info.value.results.columns) == list(RESULT_COLUMNS)
    files = _files_in(tmp_path)
    assert len(files) == 1 and "_seed0_" in files[0]  # no temporary or partial file
    record = json.loads((tmp_path / files[0]).read_text())
    assert set(record["accuracy"]) == set(TASKS)
    fits = Counting.fits
    # the same run again, now healthy: seed 0 is read back, seeds 1 and 2 are computed
    healthy = [("majority", Counting())]
    results = run_benchmark("basic_motions", healthy, seeds=[0, 1, 2], tasks=TASKS,
                            out_dir=tmp_path)
    assert Counting.fits == fits + 2 * 2
    assert sorted(results["seed"].unique()) == [0, 1, 2]


def test_write_atomic_leaves_no_partial_file(tmp_path, monkeypatch):
    target = tmp_path / "table.csv"
    _files.write_atomic(target, "old\n")

    def broken_fsync(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(_files.os, "fsync", broken_fsync)
    with pytest.raises(KeyboardInterrupt):
        _files.write_atomic(target, "new content\n" * 1000)
    assert target.read_text() == "old\n"
    assert _files_in(tmp_path) == ["table.csv"]
    with pytest.raises(KeyboardInterrupt):
        _files.write_atomic(tmp_path / "fresh.csv", b"bytes")
    assert _files_in(tmp_path) == ["table.csv"]


def test_unwritable_output_folder_fails_before_any_fit(tmp_path):
    a_file = tmp_path / "results.txt"
    a_file.write_text("")
    methods = [("majority", Counting())]
    with pytest.raises(NotADirectoryError, match="is a file"):
        run_benchmark("basic_motions", methods, tasks=TASKS, out_dir=a_file)
    with pytest.raises(NotADirectoryError, match="cannot be created"):
        run_benchmark("basic_motions", methods, tasks=TASKS, out_dir=a_file / "sub")
    assert Counting.fits == 0


def test_read_only_output_folder(tmp_path, monkeypatch):
    # root may write anywhere, so the refusal of the file system is simulated
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(_files.tempfile, "TemporaryFile", refuse)
    with pytest.raises(PermissionError, match=r"is not writable \(Permission denied\)"):
        run_benchmark("basic_motions", [("majority", Counting())], tasks=TASKS,
                      out_dir=tmp_path / "out")
    assert Counting.fits == 0


def test_bad_inputs_fail_before_any_fit(tmp_path, monkeypatch):
    methods = [("majority", Counting())]
    with pytest.raises(ValueError, match=r"Unknown task group 'nope'.*ECG.*basic_motions"):
        run_benchmark("nope", methods)
    with pytest.raises(ValueError, match=r"Unknown method 'svm'.*1nn-dtw.*resnet2d-mtl"):
        run_benchmark("basic_motions", ["1nn-dtw", "svm"])
    with pytest.raises(ValueError, match="Unknown protocol"):
        run_benchmark("basic_motions", methods, protocol="cv")
    with pytest.raises(ValueError, match="more than once"):
        run_benchmark("basic_motions", ["1nn-dtw", "1NN_DTW"])
    with pytest.raises(ValueError, match="non-negative integers"):
        run_benchmark("basic_motions", methods, seeds=[0, 1.5])
    with pytest.raises(ValueError, match="seeds is empty"):
        run_benchmark("basic_motions", methods, seeds=[])
    with pytest.raises(TypeError, match="method names"):
        run_benchmark("basic_motions", [3])
    with pytest.raises(ValueError, match="not in task group"):
        run_benchmark("basic_motions", methods, tasks=["accel_w"])
    monkeypatch.delenv("SKTSMTL_UCR_DIR", raising=False)
    with pytest.raises(FileNotFoundError,
                       match=r"Expected files: <folder>/ECG200/ECG200_TRAIN\.tsv"):
        run_benchmark("ECG", methods, out_dir=tmp_path)
    assert Counting.fits == 0


def test_one_nn_dtw_on_a_ucr_group(ucr_dir):
    results = run_benchmark("ECG", ["1nn-dtw"], protocol="paper", tasks=["ECG200"],
                            data_dir=ucr_dir)
    assert results["n_test"].tolist() == [40] and results["n_fit"].tolist() == [160]
    # the paper reports 0.82; one seed's 40 test series swing it by several points
    assert 0.7 <= results["accuracy"].iloc[0] <= 0.9


def test_progress_prints_a_line_per_epoch_with_validation_accuracy_per_task(capsys):
    net = MultiTaskTimeSeriesClassifier(backbone="resnet1d", batch_size=16, max_epochs=2,
                                        backbone__filters=(4,), backbone__kernel_sizes=(3,))
    run_benchmark("basic_motions", [("tiny", net)], tasks=TASKS, progress=True)
    out = capsys.readouterr().out.splitlines()
    lines = [line for line in out if "epoch" in line]
    assert len(lines) == 2
    assert lines[0].startswith("tiny s0: epoch 1/2  loss ")
    # the tasks named once, then their accuracies in that order: short lines
    assert "tiny s0: valid = mean (accel_x gyro_z)" in out
    assert re.search(r"  valid \d\.\d{3} \(\d\.\d\d \d\.\d\d\)  ", lines[1])
    assert "\x1b" not in "".join(out)  # no colour codes
    assert net.callbacks is None  # the method's own estimator is left as it was


class _Compiling(Counting):
    """Compiles a fresh numba kernel in fit (as 1NN-DTW does on a machine's first run)."""

    def fit(self, X, y):
        import numba

        @numba.njit(cache=False)
        def total(values):
            out = 0.0
            for v in values:
                out += v
            return out

        start = time.perf_counter()
        total(np.zeros(3))
        self.compile_wall_ = time.perf_counter() - start
        return super().fit(X, y)


def test_numba_compilation_is_timed_apart_from_fit_and_score(tmp_path):
    results = run_benchmark("basic_motions", [("compiling", _Compiling())], tasks=TASKS,
                            out_dir=tmp_path)
    row = results.iloc[0]
    assert row["compile_seconds"] > 0.05
    # the compilation is not counted in the fit time (which is the rest of the fit)
    assert row["fit_seconds"] < row["compile_seconds"]
    record = json.loads(next((tmp_path / "cells").rglob("*.json")).read_text())
    assert record["compile_seconds"] == pytest.approx(row["compile_seconds"])


def test_progress_says_what_is_read_back_and_estimates_per_method(capsys, tmp_path):
    from sktsmtl.benchmarking.runner import _TimeLeft

    run_benchmark("basic_motions", [("majority", Counting())], tasks=TASKS, seeds=[0],
                  out_dir=tmp_path, progress=True)
    capsys.readouterr()
    run_benchmark("basic_motions", [("majority", Counting())], tasks=TASKS, seeds=[0, 1],
                  out_dir=tmp_path, progress=True)
    out = capsys.readouterr().out
    assert "basic_motions (paper): 1 of 2 fits read back from" in out
    assert "1 to compute" in out

    class Cell:
        def __init__(self, method, seconds=None):
            self.method = method
            self.record = (None if seconds is None
                           else dict(fit_seconds=seconds, score_seconds=0.0))

    cells = [Cell("slow", 600.0), Cell("slow"), Cell("slow"), Cell("fast", 1.0),
             Cell("fast"), Cell("new")]
    # each method's cells cost what its finished ones did, not the mean of all
    assert _TimeLeft(cells).text(cells) == "left ~20 min; not yet timed: new"
