import pickle
import sys
from pathlib import Path

import numpy as np
import pytest

from sktsmtl.data.mapped import read_only_file_mapping, read_rows, row_blocks
from sktsmtl.training import SharedInputDataset

linux = pytest.mark.skipif(not sys.platform.startswith("linux"),
                           reason="/proc/self/smaps and MADV_DONTNEED are Linux's")

N, LENGTH = 4096, 256  # 4 MiB of float32


@pytest.fixture
def series_file(tmp_path):
    path = tmp_path / "series.f32"
    out = np.memmap(path, dtype=np.float32, mode="w+", shape=(N, LENGTH))
    out[:] = np.arange(N, dtype=np.float32)[:, None]
    out.flush()
    del out
    return path


def _open(path, mode="r"):
    return np.memmap(path, dtype=np.float32, mode=mode, shape=(N, LENGTH))


def _mapped_kib(path):
    """Resident KiB of the process's mappings of ``path``."""
    total, inside = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        fields = line.split()
        if fields and "-" in fields[0] and len(fields) >= 5:  # a mapping's header line
            inside = line.endswith(str(path))
        elif inside and line.startswith("Rss:"):
            total += int(fields[1])
    return total


def test_only_read_only_maps_are_released(series_file):
    x = _open(series_file)
    assert read_only_file_mapping(x) is not None
    assert read_only_file_mapping(x.reshape(N, 1, LENGTH)[10:]) is not None
    assert read_only_file_mapping(np.asarray(x)) is not None
    assert read_only_file_mapping(_open(series_file, "c")) is None  # may hold changes
    assert read_only_file_mapping(_open(series_file, "r+")) is None
    assert read_only_file_mapping(np.array(x)) is None  # a copy


def test_blocks_and_rows_read_the_same_values(series_file):
    x = _open(series_file)
    blocks = list(row_blocks(x, max_resident_bytes=1 << 20))
    assert [len(b) for b in blocks] == [1024] * 4
    np.testing.assert_array_equal(np.concatenate(blocks), np.asarray(x))
    index = np.sort(np.random.default_rng(0).choice(N, 300, replace=False))
    got = read_rows(x, index, max_resident_bytes=1 << 20, mapping=read_only_file_mapping(x))
    np.testing.assert_array_equal(got, np.asarray(x)[index])
    assert got.dtype == np.float32 and not np.shares_memory(got, x)


@linux
@pytest.mark.parametrize("read", ["blocks", "rows", "dataset"])
def test_pages_read_are_unmapped(series_file, read):
    x = _open(series_file)
    budget = 1 << 20
    if read == "blocks":
        for block in row_blocks(x, max_resident_bytes=budget):
            block.sum()
    elif read == "rows":
        read_rows(x, np.arange(N), max_resident_bytes=budget,
                  mapping=read_only_file_mapping(x))
    else:
        ds = SharedInputDataset(x.reshape(N, 1, LENGTH), max_resident_bytes=budget)
        order = np.random.default_rng(0).permutation(N)
        for start in range(0, N, 256):
            X, _ = ds.__getitems__(order[start:start + 256])
            np.testing.assert_array_equal(X["x"][:, 0, 0].numpy(), order[start:start + 256])
    assert _mapped_kib(series_file) * 1024 <= budget
    # the same reads through a copy-on-write map keep every page they read
    kept = _open(series_file, "c")
    for block in row_blocks(kept, max_resident_bytes=budget):
        block.sum()
    assert _mapped_kib(series_file) * 1024 >= x.nbytes


def test_a_dataset_over_a_map_pickles(series_file):
    ds = SharedInputDataset(_open(series_file).reshape(N, 1, LENGTH))
    again = pickle.loads(pickle.dumps(ds))
    np.testing.assert_array_equal(again.__getitems__([3, 1])[0]["x"].numpy(),
                                  ds.__getitems__([3, 1])[0]["x"].numpy())
