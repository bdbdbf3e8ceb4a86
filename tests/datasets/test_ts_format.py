"""The sktime .ts parser on hand-written files and on the files sktime ships."""

import numpy as np
import pytest

from sktsmtl.datasets import read_ts_file, sktime_data_dir


def _write(tmp_path, text, name="toy.ts"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


UNIVARIATE = """# a comment
#another comment with a colon: here
@problemName Toy
@timeStamps false
@missing true
@univariate true
@equalLength false
@classLabel true -1 1
@data
1.0,2.0,3.0:-1

4,?,6,7:1
8:1
"""


def test_univariate_variable_length_and_missing(tmp_path):
    X, y, meta = read_ts_file(_write(tmp_path, UNIVARIATE), return_metadata=True)
    assert X.shape == (3, 4) and X.dtype == np.float64
    np.testing.assert_array_equal(X[0], [1, 2, 3, np.nan])
    np.testing.assert_array_equal(X[1], [4, np.nan, 6, 7])  # '?' is NaN in place
    np.testing.assert_array_equal(X[2], [8, np.nan, np.nan, np.nan])
    assert y.dtype == np.int64 and y.tolist() == [-1, 1, 1]
    assert meta["problem_name"] == "Toy"
    assert meta["missing"] is True and meta["univariate"] is True
    assert meta["equal_length"] is False and meta["n_channels"] == 1
    assert meta["class_labels"] == ["-1", "1"]


MULTIVARIATE = """@problemName Multi
@timeStamps false
@univariate false
@dimensions 3
@equalLength false
@seriesLength 4
@classLabel true walk run
@data
1,2,3,4:5,6,7,8:9,10,11,12:walk
1,2:3,4,5:6:run
"""


def test_multivariate_shape_and_padding(tmp_path):
    X, y = read_ts_file(_write(tmp_path, MULTIVARIATE))
    assert X.shape == (2, 3, 4)
    np.testing.assert_array_equal(X[0, 2], [9, 10, 11, 12])
    np.testing.assert_array_equal(X[1, 0], [1, 2, np.nan, np.nan])
    np.testing.assert_array_equal(X[1, 1], [3, 4, 5, np.nan])
    np.testing.assert_array_equal(X[1, 2], [6, np.nan, np.nan, np.nan])
    assert y.tolist() == ["walk", "run"]


def test_case_insensitive_headers_crlf_and_spaces(tmp_path):
    text = "@PROBLEMNAME x\r\n@ClassLabel TRUE a b\r\n@DATA\r\n 1, 2 ,3 :a\r\n"
    X, y = read_ts_file(_write(tmp_path, text))
    np.testing.assert_array_equal(X, [[1, 2, 3]])
    assert y.tolist() == ["a"]


def test_no_labels_and_regression_targets(tmp_path):
    X, y = read_ts_file(_write(tmp_path, "@classLabel false\n@data\n1,2:3,4\n"))
    assert X.shape == (1, 2, 2) and y is None
    X, y = read_ts_file(_write(tmp_path, "@targetLabel true\n@data\n1,2:0.5\n3,4:1.5\n"))
    assert X.shape == (2, 2) and y.dtype == np.float64 and y.tolist() == [0.5, 1.5]


def test_numeric_labels_match_declared_by_value(tmp_path):
    X, y = read_ts_file(_write(tmp_path, "@classLabel true 1 2\n@data\n1,2:1.0\n3:2\n"))
    assert y.tolist() == [1, 2]


@pytest.mark.parametrize(
    "text, match",
    [
        ("@classLabel true a b\n@data\n1,2:c\n", r"line 3.*'c'.*declared"),
        ("@classLabel true a b\n@data\n1,2\n", "line 3.*label"),
        ("@dimensions 2\n@classLabel true a\n@data\n1,2:a\n", "line 4.*1 channel"),
        ("@classLabel false\n@data\n1,2:3\n4\n", "line 4.*1 channel.*2"),
        ("@classLabel true a\n@data\n1,x:a\n", "line 3.*not a number"),
        ("@classLabel true a\n1,2:a\n", "line 2"),
        ("@classLabel true a\n", "no @data"),
        ("@classLabel true a\n@data\n", "no series"),
        ("@timeStamps true\n@classLabel true a\n@data\n(0,1),(1,2):a\n", "time-stamped"),
        ("@classLabel true\n@data\n1:a\n", "must list"),
        ("@univariate maybe\n@data\n1\n", "true or false"),
        ("@dimensions two\n@data\n1\n", "integer"),
        ("@classLabel true a\n@data\n1:a\n@data\n", "after @data"),
    ],
)
def test_malformed_files(tmp_path, text, match):
    with pytest.raises(ValueError, match=match):
        read_ts_file(_write(tmp_path, text))


def test_error_names_the_file(tmp_path):
    path = _write(tmp_path, "@classLabel true a\n@data\n1,x:a\n", name="Broken_TRAIN.ts")
    with pytest.raises(ValueError, match="Broken_TRAIN.ts"):
        read_ts_file(path)


def test_shipped_basic_motions():
    folder = sktime_data_dir() / "BasicMotions"
    X, y, meta = read_ts_file(folder / "BasicMotions_TRAIN.ts", return_metadata=True)
    assert X.shape == (40, 6, 100)
    assert not np.isnan(X).any()
    assert sorted(set(y.tolist())) == ["Badminton", "Running", "Standing", "Walking"]
    assert meta["n_channels"] == 6 and meta["equal_length"] is True


def test_shipped_japanese_vowels_variable_length():
    folder = sktime_data_dir() / "JapaneseVowels"
    X, y = read_ts_file(folder / "JapaneseVowels_TEST.ts")
    assert X.shape[:2] == (370, 12)
    assert y.dtype == np.int64 and sorted(set(y.tolist())) == list(range(1, 10))
    lengths = (~np.isnan(X[:, 0, :])).sum(axis=1)
    assert lengths.min() < lengths.max() == X.shape[2]
    # all channels of a series have the same length, and NaN only pad the end
    for i in range(0, 370, 37):
        observed = ~np.isnan(X[i])
        assert (observed.sum(axis=1) == lengths[i]).all()
        assert observed[:, : lengths[i]].all()


_EQUAL = ("@problemName toy\n@univariate true\n@equalLength true\n{length}"
          "@classLabel true a b\n@data\n")


@pytest.mark.parametrize("header, rows, match", [
    ("@seriesLength 3\n", "1,2,3:a\n4,5:b\n", "line 8: channel 0 has 2 values but the file "
                                              "declares @equalLength true and @seriesLength "
                                              "has 3"),
    ("@seriesLength 3\n", "1,2,3,4:a\n", "line 7: channel 0 has 4 values"),
    ("", "1,2,3:a\n4,5:b\n", "line 7: channel 0 has 2 values .*the first series has 3"),
])
def test_equal_length_files_are_checked_against_the_rows(tmp_path, header, rows, match):
    path = tmp_path / "toy.ts"
    path.write_text(_EQUAL.format(length=header) + rows)
    with pytest.raises(ValueError, match=match):
        read_ts_file(path)


def test_equal_length_file_of_declared_length_reads(tmp_path):
    path = tmp_path / "toy.ts"
    path.write_text(_EQUAL.format(length="@seriesLength 3\n") + "1,2,3:a\n4,?,6:b\n")
    X, y = read_ts_file(path)
    assert X.shape == (2, 3) and np.isnan(X[1, 1])


def test_an_overflowing_value_is_refused_as_read_ucr_tsv_does(tmp_path):
    path = _write(tmp_path, UNIVARIATE.replace("4,?,6,7:1", "4,1e999,6,7:1"))
    with pytest.raises(ValueError, match=r"toy\.ts, line 12: channel 0 holds an infinite"):
        read_ts_file(path)


def test_a_byte_order_mark_is_not_part_of_the_header(tmp_path):
    path = tmp_path / "toy.ts"
    path.write_bytes(b"\xef\xbb\xbf" + UNIVARIATE.encode("utf-8"))
    X, y = read_ts_file(path)
    assert y.tolist() == [-1, 1, 1]
