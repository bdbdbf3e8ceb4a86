import numpy as np
import pytest

from sktsmtl.benchmarking import get_protocol
from sktsmtl.datasets import load_task_group

TASKS = ["accel_x", "gyro_y"]


def _rows(X):
    return {tuple(np.round(row, 10)) for row in X}


def test_paper_protocol_fits_on_train_plus_validation_and_tests_on_the_rest():
    protocol = get_protocol("paper")
    assert protocol.validation_fraction == 0.25
    data = protocol.load("basic_motions", tasks=TASKS)
    X_all, y_all = load_task_group("basic_motions", split="all", tasks=TASKS)
    X_fit, y_fit, X_test, y_test = protocol.split(data, seed=0)
    for task in TASKS:
        n = len(y_all[task])
        assert len(y_fit[task]) == round(0.8 * n) and len(y_test[task]) == round(0.2 * n)
        fit_rows, test_rows = _rows(X_fit[task]), _rows(X_test[task])
        assert not fit_rows & test_rows
        assert fit_rows | test_rows == _rows(X_all[task])
        # stratified: the 4 activities appear equally in the test part
        assert np.unique(y_test[task], return_counts=True)[1].tolist() == [4, 4, 4, 4]
    other = protocol.split(data, seed=1)
    assert _rows(other[2]["accel_x"]) != _rows(X_test["accel_x"])
    again = protocol.split(data, seed=0)
    np.testing.assert_array_equal(again[2]["accel_x"], X_test["accel_x"])


def test_ucr_protocol_is_the_archive_split_for_every_seed():
    protocol = get_protocol("ucr")
    assert protocol.validation_fraction == 0.0
    data = protocol.load("basic_motions", tasks=TASKS)
    X_train, y_train = load_task_group("basic_motions", split="train", tasks=TASKS)
    X_test, y_test = load_task_group("basic_motions", split="test", tasks=TASKS)
    for seed in (0, 5):
        X_fit, y_fit, X_te, y_te = protocol.split(data, seed)
        np.testing.assert_array_equal(X_fit["gyro_y"], X_train["gyro_y"])
        np.testing.assert_array_equal(y_te["gyro_y"], y_test["gyro_y"])


def test_unknown_protocol_lists_the_known_ones():
    with pytest.raises(ValueError, match="Unknown protocol .loo.*paper, paper-per-task, ucr"):
        get_protocol("loo")


def test_unknown_group_lists_the_known_ones():
    with pytest.raises(ValueError, match="Unknown task group 'nope'.*basic_motions"):
        get_protocol("paper").load("nope")


def test_missing_archive_folder_says_which_files_are_expected_where(tmp_path, monkeypatch):
    monkeypatch.delenv("SKTSMTL_UCR_DIR", raising=False)
    with pytest.raises(FileNotFoundError, match=r"No UCR archive folder is set.*Expected "
                       r"files: <folder>/DodgerLoopDay/DodgerLoopDay_TRAIN\.tsv and "
                       r"DodgerLoopDay_TEST\.tsv"):
        get_protocol("paper").load("DodgerLoop")
    absent = tmp_path / "absent"
    with pytest.raises(FileNotFoundError, match=r"'.*absent'.*does not exist.*"
                       r"DodgerLoopWeekend/DodgerLoopWeekend_TRAIN\.tsv"):
        get_protocol("ucr").load("DodgerLoop", data_dir=absent)


def test_an_empty_archive_folder_names_the_missing_files(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"ECG200/ECG200_TRAIN\.tsv"):
        get_protocol("ucr").load("ECG", data_dir=tmp_path)


def test_paper_protocol_on_a_ucr_group(ucr_dir):
    protocol = get_protocol("paper")
    with pytest.warns(UserWarning, match="skipping"):  # 3 of the 6 ECG tasks are here
        data = protocol.load("ECG", data_dir=ucr_dir)
    X_fit, y_fit, X_test, y_test = protocol.split(data, seed=0)
    assert "ECG200" in X_fit
    n = len(y_fit["ECG200"]) + len(y_test["ECG200"])
    assert n == 200 and len(y_test["ECG200"]) == 40
    assert set(np.unique(y_test["ECG200"])) == {-1, 1}


def test_the_paper_protocol_splits_aligned_tasks_by_recording():
    protocol = get_protocol("paper")
    data = protocol.load("basic_motions")
    assert data["shared"] and protocol.leakage(data, 0) is None
    X_fit, y_fit, X_test, y_test = protocol.split(data, 0)
    # the same recordings (rows of the six axes) are tested in every task
    labels = {t: y_test[t].tolist() for t in y_test}
    assert len({tuple(v) for v in labels.values()}) == 1


def test_an_unmatched_group_is_never_clean():
    from sktsmtl.datasets import TaskGroup, task_recordings

    protocol = get_protocol("paper")
    X = {"x": np.zeros((4, 3)), "y": np.ones((4, 3))}
    data = {"all": (X, {"x": [0, 1, 0, 1], "y": [0, 1, 0, 1]}),
            "group": TaskGroup("Cricket", ("x", "y"), "ucr", recordings="unmatched")}
    data["recordings"], data["shared"] = task_recordings(X)
    assert "not clean" in protocol.leakage(data, 0)


@pytest.mark.parametrize("protocol", ["paper-per-task", "ucr"])
def test_a_benchmark_on_a_leaking_split_warns(ucr_dir, protocol):
    import warnings

    from sklearn.dummy import DummyClassifier

    from sktsmtl.benchmarking import run_benchmark

    kwargs = dict(methods=[("majority", DummyClassifier())], data_dir=ucr_dir)
    with pytest.warns(UserWarning, match=f"DodgerLoop: under the '{protocol}' "
                                         "protocol .*not clean"):
        run_benchmark("DodgerLoop", protocol=protocol, **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run_benchmark("DodgerLoop", protocol="paper", **kwargs)
