"""UCR folder lookup, the .tsv reader and load_ucr_dataset (shared archive files)."""

import re
from pathlib import Path

import numpy as np
import pytest

from sktsmtl.datasets import (
    DATA_DIR_ENV,
    get_data_dir,
    load_ucr_dataset,
    read_ucr_tsv,
    ucr_file_paths,
)

# The archive's own figures (README.md of each dataset in the shared folder):
# name: (train size, test size, length, classes)
ARCHIVE = {
    "ECG200": (100, 100, 96, [-1, 1]),
    "ECGFiveDays": (23, 861, 136, [1, 2]),
    "TwoLeadECG": (23, 1139, 82, [1, 2]),
    "DodgerLoopDay": (78, 80, 288, [1, 2, 3, 4, 5, 6, 7]),
    "DodgerLoopGame": (20, 138, 288, [1, 2]),
    "DodgerLoopWeekend": (20, 138, 288, [1, 2]),
    "Lightning2": (60, 61, 637, [-1, 1]),
    "Lightning7": (70, 73, 319, [0, 1, 2, 3, 4, 5, 6]),
    "Chinatown": (20, 345, 24, [1, 2]),  # the tsv figure; the .ts test file has 343
}


def _readme_figures(ucr_dir, name):
    """Train/test sizes and length from the dataset's README.md section."""
    text = (ucr_dir / name / "README.md").read_text(encoding="utf-8")
    # READMEs covering several datasets have one '## Name' section per dataset
    sections = re.split(r"^## ", text, flags=re.M)
    key = name.replace("DodgerLoop", "DodgersLoop")
    for section in sections:
        if section.startswith(key):
            text = section
            break
    grab = lambda what: int(re.search(what + r":\s*(\d+)", text).group(1))  # noqa: E731
    return grab("Train size"), grab("Test size"), grab("Time series length")


# --------------------------------------------------------------------------- folder


def test_get_data_dir_argument(tmp_path):
    assert get_data_dir(tmp_path) == tmp_path.resolve()
    assert get_data_dir(str(tmp_path)) == tmp_path.resolve()


def test_get_data_dir_env(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    assert DATA_DIR_ENV == "SKTSMTL_UCR_DIR"
    assert get_data_dir() == tmp_path.resolve()
    # the argument wins over the environment
    other = tmp_path / "other"
    other.mkdir()
    assert get_data_dir(other) == other.resolve()


def test_get_data_dir_unset_is_a_clear_error(monkeypatch):
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    with pytest.raises(FileNotFoundError, match="SKTSMTL_UCR_DIR") as info:
        get_data_dir()
    assert "data_dir" in str(info.value)


def test_get_data_dir_nonexistent(tmp_path, monkeypatch):
    missing = tmp_path / "nope"
    with pytest.raises(FileNotFoundError, match="nope"):
        get_data_dir(missing)
    monkeypatch.setenv(DATA_DIR_ENV, str(missing))
    with pytest.raises(FileNotFoundError, match="SKTSMTL_UCR_DIR"):
        get_data_dir()


def test_missing_dataset_names_files_and_folder(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        load_ucr_dataset("NoSuchData", split="all", data_dir=tmp_path)
    message = str(info.value)
    assert "NoSuchData/NoSuchData_TRAIN.tsv" in message
    assert "NoSuchData/NoSuchData_TEST.tsv" in message
    assert str(tmp_path.resolve()) in message
    with pytest.raises(FileNotFoundError, match=r"NoSuchData_TEST\.ts\b"):
        load_ucr_dataset("NoSuchData", split="test", data_dir=tmp_path, format="ts")


def test_only_the_needed_file_is_required(tmp_path):
    (tmp_path / "Toy").mkdir()
    (tmp_path / "Toy" / "Toy_TRAIN.tsv").write_text("1\t1\t2\n2\t3\t4\n")
    X, y = load_ucr_dataset("Toy", split="train", data_dir=tmp_path)
    assert X.shape == (2, 2)
    with pytest.raises(FileNotFoundError, match="Toy_TEST.tsv"):
        load_ucr_dataset("Toy", split="test", data_dir=tmp_path)


def test_flat_layout(tmp_path):
    (tmp_path / "Toy_TRAIN.tsv").write_text("1\t1\t2\n")
    (tmp_path / "Toy_TEST.tsv").write_text("2\t3\t4\n")
    paths = ucr_file_paths("Toy", tmp_path)
    assert paths["train"].name == "Toy_TRAIN.tsv"
    X, y = load_ucr_dataset("Toy", split="all", data_dir=tmp_path)
    np.testing.assert_array_equal(X, [[1, 2], [3, 4]])
    np.testing.assert_array_equal(y, [1, 2])


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="split"):
        load_ucr_dataset("ECG200", split="validation", data_dir=tmp_path)
    with pytest.raises(ValueError, match="format"):
        load_ucr_dataset("ECG200", data_dir=tmp_path, format="csv")
    with pytest.raises(ValueError, match="not a path"):
        load_ucr_dataset("../ECG200", data_dir=tmp_path)


# --------------------------------------------------------------------------- tsv reader


def test_read_tsv_nan_padding_and_missing(tmp_path):
    path = tmp_path / "Toy_TRAIN.tsv"
    path.write_text("1\t0.5\tNaN\t1.5\t2.5\n2\t1.0\t2.0\tNaN\tNaN\n1\t3\t4\t5\t6\n")
    X, y = read_ucr_tsv(path)
    assert X.dtype == np.float64 and X.shape == (3, 4)
    assert np.isnan(X[0, 1]) and not np.isnan(X[0, 2])  # interior NaN kept in place
    assert np.isnan(X[1, 2:]).all()  # trailing NaN kept as padding
    assert y.dtype == np.int64 and y.tolist() == [1, 2, 1]


def test_read_tsv_labels(tmp_path):
    path = tmp_path / "a.tsv"
    path.write_text("-1\t1\t2\n1.0\t3\t4\n")
    assert read_ucr_tsv(path)[1].tolist() == [-1, 1]
    path.write_text("cat\t1\t2\ndog\t3\t4\n")
    y = read_ucr_tsv(path)[1]
    assert y.dtype.kind == "U" and y.tolist() == ["cat", "dog"]
    path.write_text("0.5\t1\t2\n1\t3\t4\n")
    assert read_ucr_tsv(path)[1].tolist() == ["0.5", "1"]


def test_read_tsv_other_delimiters(tmp_path):
    path = tmp_path / "a.tsv"
    path.write_text("1\t1\t2\t3\n2\t4\tNaN\tNaN\n\n")
    X, _ = read_ucr_tsv(path)
    assert X.shape == (2, 3) and np.isnan(X[1, 1:]).all()
    path.write_text("1,1.0,2.0\r\n2,3.0,4.0\r\n")  # old comma-separated archive files
    np.testing.assert_array_equal(read_ucr_tsv(path)[0], [[1, 2], [3, 4]])
    path.write_text("1  1.0  2.0\n2  3.0  4.0\n")
    np.testing.assert_array_equal(read_ucr_tsv(path)[0], [[1, 2], [3, 4]])


def test_read_tsv_errors(tmp_path):
    path = tmp_path / "a.tsv"
    path.write_text("1\t1\t2\n2\tabc\t4\n")
    with pytest.raises(ValueError, match="line 2"):
        read_ucr_tsv(path)
    path.write_text("1\n")
    with pytest.raises(ValueError, match="line 1"):
        read_ucr_tsv(path)
    path.write_text("\n")
    with pytest.raises(ValueError, match="no series"):
        read_ucr_tsv(path)
    path.write_text("1\t1\tinf\n")
    with pytest.raises(ValueError, match="infinite"):
        read_ucr_tsv(path)


# --------------------------------------------------------------------------- archive


@pytest.mark.parametrize("name", sorted(ARCHIVE))
def test_archive_figures(ucr_dir, name):
    n_train, n_test, length, classes = ARCHIVE[name]
    assert _readme_figures(ucr_dir, name) == (n_train, n_test, length)
    X_train, y_train = load_ucr_dataset(name, "train", data_dir=ucr_dir)
    X_test, y_test = load_ucr_dataset(name, "test", data_dir=ucr_dir)
    assert X_train.shape == (n_train, length) and X_test.shape == (n_test, length)
    assert X_train.dtype == np.float64 and X_test.dtype == np.float64
    assert y_train.dtype == np.int64 and y_test.dtype == np.int64
    assert sorted(set(y_train.tolist()) | set(y_test.tolist())) == classes
    X_all, y_all = load_ucr_dataset(name, "all", data_dir=ucr_dir)
    assert X_all.shape == (n_train + n_test, length)
    np.testing.assert_array_equal(X_all, np.concatenate([X_train, X_test]))
    np.testing.assert_array_equal(y_all, np.concatenate([y_train, y_test]))


def test_ecg200_labels(ucr_dir):
    _, y = load_ucr_dataset("ECG200", "all", data_dir=ucr_dir)
    assert set(y.tolist()) == {-1, 1}


@pytest.mark.parametrize("name", ["DodgerLoopDay", "DodgerLoopGame", "DodgerLoopWeekend"])
@pytest.mark.parametrize("format", ["tsv", "ts"])
def test_dodger_loop_missing_values(ucr_dir, name, format):
    X, _ = load_ucr_dataset(name, "all", data_dir=ucr_dir, format=format)
    nan = np.isnan(X)
    assert nan.any()
    # some NaN lie inside a series (a later value is observed): missing values, kept
    last_observed = X.shape[1] - 1 - np.argmax(np.flip(~nan, axis=1), axis=1)
    interior = nan & (np.arange(X.shape[1]) < last_observed[:, None])
    assert interior.any()
    assert not np.isinf(X).any()


@pytest.mark.parametrize("name", [n for n in sorted(ARCHIVE) if n != "Chinatown"])
def test_tsv_and_ts_agree(ucr_dir, name):
    for split in ("train", "test"):
        X_tsv, y_tsv = load_ucr_dataset(name, split, data_dir=ucr_dir, format="tsv")
        X_ts, y_ts = load_ucr_dataset(name, split, data_dir=ucr_dir, format="ts")
        np.testing.assert_array_equal(X_tsv, X_ts)  # NaN at the same places
        np.testing.assert_array_equal(y_tsv, y_ts)
        assert y_tsv.dtype == y_ts.dtype


def test_chinatown_ts_has_two_rows_fewer(ucr_dir):
    X_tsv, y_tsv = load_ucr_dataset("Chinatown", "test", data_dir=ucr_dir)
    X_ts, y_ts = load_ucr_dataset("Chinatown", "test", data_dir=ucr_dir, format="ts")
    assert X_tsv.shape == (345, 24) and X_ts.shape == (343, 24)
    rows = {tuple(r): lab for r, lab in zip(X_tsv.tolist(), y_tsv.tolist())}
    assert all(rows.get(tuple(r)) == lab for r, lab in zip(X_ts.tolist(), y_ts.tolist()))
    X_tr_tsv, _ = load_ucr_dataset("Chinatown", "train", data_dir=ucr_dir)
    X_tr_ts, _ = load_ucr_dataset("Chinatown", "train", data_dir=ucr_dir, format="ts")
    np.testing.assert_array_equal(X_tr_tsv, X_tr_ts)


def test_env_var_is_used(ucr_dir, monkeypatch):
    monkeypatch.setenv(DATA_DIR_ENV, str(ucr_dir))
    X, y = load_ucr_dataset("ECG200")
    assert X.shape == (100, 96)
    assert Path(ucr_file_paths("ECG200")["test"]).name == "ECG200_TEST.tsv"


def test_paper_splits_of_one_dataset(ucr_dir):
    parts = [
        load_ucr_dataset("ECG200", s, data_dir=ucr_dir, random_state=3)
        for s in ("paper_train", "paper_val", "paper_test")
    ]
    assert [len(y) for _, y in parts] == [120, 40, 40]
    X_all, _ = load_ucr_dataset("ECG200", "all", data_dir=ucr_dir)
    merged = np.concatenate([X for X, _ in parts])
    assert sorted(map(tuple, merged.tolist())) == sorted(map(tuple, X_all.tolist()))


def test_a_cut_off_line_is_an_error_naming_its_line(tmp_path):
    path = tmp_path / "Toy_TRAIN.tsv"
    path.write_text("1\t0.5\t1.0\t1.5\n2\t2.0\t3.0\n1\t1.0\t1.0\t1.0\n")
    with pytest.raises(ValueError, match=r"line 2: 2 values where line 1 has 3; the line "
                                         r"looks cut off"):
        read_ucr_tsv(path)


def test_trailing_nan_in_a_full_width_line_is_a_shorter_series(tmp_path):
    path = tmp_path / "Toy_TRAIN.tsv"
    path.write_text("1\t0.5\t1.0\t1.5\n2\t2.0\tNaN\tNaN\n")
    X, _ = read_ucr_tsv(path)
    assert np.isnan(X[1, 1:]).all() and X.shape == (2, 3)


def test_a_byte_order_mark_is_not_part_of_the_first_label(tmp_path):
    path = tmp_path / "Toy_TRAIN.tsv"
    path.write_bytes(b"\xef\xbb\xbf1\t0.5\t0.25\n2\t1.5\t1.0\n")
    X, y = read_ucr_tsv(path)
    assert y.dtype == np.int64 and y.tolist() == [1, 2]
    np.testing.assert_array_equal(X[0], [0.5, 0.25])
