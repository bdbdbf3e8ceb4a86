"""Named task groups: registry, listing, UCR groups and embedded groups."""

import warnings

import numpy as np
import pytest

from sktsmtl.datasets import (
    DATA_DIR_ENV,
    RESNET2D_TABLE1_GROUPS,
    get_task_group,
    list_task_groups,
    load_task_group,
)

RESNET2D_TABLE1 = {
    "Cricket": ["CricketX", "CricketY", "CricketZ"],
    "UWaveGestureLibrary": [
        "UWaveGestureLibraryAll",
        "UWaveGestureLibraryX",
        "UWaveGestureLibraryY",
        "UWaveGestureLibraryZ",
    ],
    "AllGestureWiimote": ["AllGestureWiimoteX", "AllGestureWiimoteY", "AllGestureWiimoteZ"],
    "DodgerLoop": ["DodgerLoopDay", "DodgerLoopGame", "DodgerLoopWeekend"],
    "SemgHand": ["SemgHandGenderCh2", "SemgHandMovementCh2", "SemgHandSubjectCh2"],
    "GestureMidAir": ["GestureMidAirD1", "GestureMidAirD2", "GestureMidAirD3"],
    "ECG": [
        "ECG200",
        "ECG5000",
        "ECGFiveDays",
        "NonInvasiveFetalECGThorax1",
        "NonInvasiveFetalECGThorax2",
        "TwoLeadECG",
    ],
}


# --------------------------------------------------------------------------- registry


def test_resnet2d_table1_groups():
    assert list(RESNET2D_TABLE1_GROUPS) == list(RESNET2D_TABLE1)
    for name, tasks in RESNET2D_TABLE1.items():
        group = get_task_group(name)
        assert list(group.tasks) == tasks and group.source == "ucr"
    assert sum(len(t) for t in RESNET2D_TABLE1.values()) == 25  # Table I's 25 tasks


def test_mtcs_groups():
    table1 = get_task_group("mtcs_table1").tasks
    assert len(table1) == 15 and table1[0] == "Crop" and "FordB" in table1
    table2 = get_task_group("MTCS_Table2").tasks
    assert len(table2) == 10
    assert {"Lightning2", "Lightning7", "Chinatown", "HouseTwenty"} <= set(table2)


@pytest.mark.parametrize("alias", ["DodgerLoop", "dodgerloop", "DODGER_LOOP", "dodger-loop"])
def test_names_are_case_insensitive(alias):
    assert get_task_group(alias).name == "DodgerLoop"


def test_unknown_group_lists_known_ones():
    with pytest.raises(ValueError, match="Unknown task group 'Nope'") as info:
        load_task_group("Nope")
    message = str(info.value)
    for name in list(RESNET2D_TABLE1) + ["mtcs_table1", "mtcs_table2", "basic_motions"]:
        assert name in message
    with pytest.raises(TypeError):
        get_task_group(3)


def test_list_task_groups_without_folder(monkeypatch):
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    info = {g["name"]: g for g in list_task_groups()}
    assert set(RESNET2D_TABLE1) | {"mtcs_table1", "mtcs_table2"} <= set(info)
    assert {"basic_motions", "japanese_vowels"} <= set(info)
    for name in RESNET2D_TABLE1:
        assert info[name]["source"] == "ucr" and info[name]["available"] is False
    assert info["basic_motions"]["source"] == "embedded"
    assert info["basic_motions"]["available"] is True
    assert info["japanese_vowels"]["n_tasks"] == 12
    for g in info.values():
        assert set(g) >= {"name", "tasks", "source", "available", "missing_tasks"}


def test_list_task_groups_with_folder(ucr_dir):
    info = {g["name"]: g for g in list_task_groups(ucr_dir)}
    assert info["DodgerLoop"]["available"] is True
    assert info["ECG"]["available"] is False
    assert set(info["ECG"]["missing_tasks"]) == {
        "ECG5000",
        "NonInvasiveFetalECGThorax1",
        "NonInvasiveFetalECGThorax2",
    }
    assert info["Cricket"]["missing_tasks"] == ("CricketX", "CricketY", "CricketZ")


# --------------------------------------------------------------------------- UCR groups


def test_dodger_loop_group(ucr_dir):
    tasks_X, tasks_y = load_task_group("dodger_loop", split="train", data_dir=ucr_dir)
    assert list(tasks_X) == ["DodgerLoopDay", "DodgerLoopGame", "DodgerLoopWeekend"]
    assert {t: X.shape for t, X in tasks_X.items()} == {
        "DodgerLoopDay": (78, 288),
        "DodgerLoopGame": (20, 288),
        "DodgerLoopWeekend": (20, 288),
    }
    assert all(np.isnan(X).any() for X in tasks_X.values())
    assert set(tasks_y["DodgerLoopDay"].tolist()) == set(range(1, 8))
    test_X, _ = load_task_group("DodgerLoop", split="test", data_dir=ucr_dir)
    assert test_X["DodgerLoopGame"].shape == (138, 288)


def test_partial_group_error_lists_files_and_folder(ucr_dir):
    with pytest.raises(FileNotFoundError) as info:
        load_task_group("ECG", data_dir=ucr_dir)
    message = str(info.value)
    assert str(ucr_dir) in message
    assert "ECG5000/ECG5000_TRAIN.tsv" in message
    assert "NonInvasiveFetalECGThorax2/NonInvasiveFetalECGThorax2_TRAIN.tsv" in message
    assert "ECG200_" not in message  # present files are not listed
    assert "missing='skip'" in message


def test_partial_group_skip(ucr_dir):
    with pytest.warns(UserWarning, match="ECG5000"):
        tasks_X, tasks_y = load_task_group("ECG", split="all", data_dir=ucr_dir, missing="skip")
    assert list(tasks_X) == ["ECG200", "ECGFiveDays", "TwoLeadECG"]
    assert tasks_X["ECG200"].shape == (200, 96)
    assert set(tasks_y["ECG200"].tolist()) == {-1, 1}


def test_group_with_nothing_present_errors_even_with_skip(ucr_dir):
    with pytest.raises(FileNotFoundError, match="CricketX/CricketX_TRAIN.tsv"):
        load_task_group("Cricket", data_dir=ucr_dir, missing="skip")


def test_mtcs_table2_partial(ucr_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        tasks_X, _ = load_task_group("mtcs_table2", data_dir=ucr_dir, missing="skip")
    assert list(tasks_X) == ["Lightning2", "Lightning7", "Chinatown"]
    tasks_X, _ = load_task_group(
        "mtcs_table2", split="test", data_dir=ucr_dir, tasks=["Chinatown"], format="ts"
    )
    assert tasks_X["Chinatown"].shape == (343, 24)


def test_tasks_subset_and_order(ucr_dir):
    tasks_X, _ = load_task_group(
        "ECG", data_dir=ucr_dir, tasks=["TwoLeadECG", "ECG200"]
    )
    assert list(tasks_X) == ["TwoLeadECG", "ECG200"]
    with pytest.raises(ValueError, match="not in task group 'ECG'"):
        load_task_group("ECG", data_dir=ucr_dir, tasks=["Lightning2"])
    with pytest.raises(ValueError, match="more than once"):
        load_task_group("ECG", data_dir=ucr_dir, tasks=["ECG200", "ECG200"])


def test_custom_list_of_datasets(ucr_dir):
    tasks_X, tasks_y = load_task_group(["Lightning7", "ECG200"], data_dir=ucr_dir)
    assert tasks_X["Lightning7"].shape == (70, 319)
    assert tasks_y["ECG200"].dtype == np.int64


def test_paper_splits_of_a_group(ucr_dir):
    parts = [
        load_task_group("DodgerLoop", split=s, data_dir=ucr_dir)
        for s in ("paper_train", "paper_val", "paper_test")
    ]
    for task in ("DodgerLoopDay", "DodgerLoopGame", "DodgerLoopWeekend"):
        sizes = [len(y[task]) for _, y in parts]
        assert sizes == [94, 32, 32]  # 158 series: 60/20/20
    _, all_y = load_task_group("DodgerLoop", split="all", data_dir=ucr_dir)
    y_day = all_y["DodgerLoopDay"]
    train_y = parts[0][1]["DodgerLoopDay"]
    # stratified: every class keeps about 60 % of its series in training
    for c in np.unique(y_day):
        assert abs(np.sum(train_y == c) - 0.6 * np.sum(y_day == c)) <= 1


def test_ucr_group_needs_a_folder(monkeypatch):
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    with pytest.raises(FileNotFoundError, match="SKTSMTL_UCR_DIR"):
        load_task_group("DodgerLoop")


def test_bad_arguments():
    with pytest.raises(ValueError, match="split"):
        load_task_group("basic_motions", split="validation")
    with pytest.raises(ValueError, match="missing"):
        load_task_group("basic_motions", missing="ignore")


# --------------------------------------------------------------------------- embedded


def test_basic_motions():
    tasks_X, tasks_y = load_task_group("basic_motions", split="train")
    assert list(tasks_X) == ["accel_x", "accel_y", "accel_z", "gyro_x", "gyro_y", "gyro_z"]
    for task, X in tasks_X.items():
        assert X.shape == (40, 100) and X.dtype == np.float64
        assert X.flags["C_CONTIGUOUS"]
        np.testing.assert_array_equal(tasks_y[task], tasks_y["accel_x"])
    assert sorted(set(tasks_y["accel_x"].tolist())) == [
        "Badminton",
        "Running",
        "Standing",
        "Walking",
    ]
    test_X, _ = load_task_group("basic_motions", split="test")
    assert test_X["gyro_z"].shape == (40, 100)
    all_X, _ = load_task_group("basic_motions", split="all")
    assert all_X["gyro_z"].shape == (80, 100)


def test_basic_motions_channels_match_multivariate():
    uni_X, uni_y = load_task_group("basic_motions", split="test")
    multi_X, multi_y = load_task_group("basic_motions_multivariate", split="test")
    X = multi_X["basic_motions"]
    assert X.shape == (40, 6, 100)
    for c, task in enumerate(uni_X):
        np.testing.assert_array_equal(uni_X[task], X[:, c, :])
    np.testing.assert_array_equal(uni_y["accel_x"], multi_y["basic_motions"])


def test_japanese_vowels_variable_length():
    tasks_X, tasks_y = load_task_group("japanese_vowels", split="train")
    assert list(tasks_X) == [f"lpcc_{i:02d}" for i in range(1, 13)]
    X = tasks_X["lpcc_01"]
    assert X.shape[0] == 270 and X.ndim == 2
    lengths = (~np.isnan(X)).sum(axis=1)
    assert lengths.min() < lengths.max() == X.shape[1]
    assert tasks_y["lpcc_05"].dtype == np.int64
    assert sorted(set(tasks_y["lpcc_05"].tolist())) == list(range(1, 10))
    all_X, _ = load_task_group("japanese_vowels", split="all", tasks=["lpcc_12"])
    assert all_X["lpcc_12"].shape[0] == 270 + 370
    multi_X, _ = load_task_group("japanese_vowels_multivariate", split="test")
    assert multi_X["japanese_vowels"].shape[:2] == (370, 12)


def test_embedded_group_ignores_data_dir(tmp_path):
    tasks_X, _ = load_task_group("basic_motions", data_dir=tmp_path, tasks=["gyro_x"])
    assert list(tasks_X) == ["gyro_x"]
