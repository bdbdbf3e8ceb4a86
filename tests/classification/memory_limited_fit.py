"""A fit on a memory-mapped array larger than the memory the process may still take.

``python memory_limited_fit.py FOLDER`` writes 6400 series of length 8192 (210 MB,
float32) to a file, opens it read-only as a ``numpy.memmap``, limits the process's
data memory (``RLIMIT_DATA``: heap and private mappings, not the file's pages) to what
it uses plus 60 MB (after a fit on 64 of the series, which sets up torch's threads and
pools), then fits a shared-input classifier on two label columns and predicts. It
prints ``fit ok``, then ``resident bounded`` when the fit's peak resident memory
(``VmHWM``, reset before it) grew by less than half the file (the file's pages that
the batches read are unmapped again: they would otherwise all count as resident by the
end of the epoch), and ``copy refused`` when a copy of the series in memory fails under
the same limit (so the limit binds).
"""

import re
import resource
import sys
from pathlib import Path

import numpy as np
import torch

from sktsmtl import MultiTaskTimeSeriesClassifier

N, LENGTH, HEADROOM = 6400, 8192, 60_000_000


def data_memory():
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmData:\s+(\d+) kB", status).group(1)) * 1024


def resident_memory(field):
    status = Path("/proc/self/status").read_text()
    return int(re.search(rf"{field}:\s+(\d+) kB", status).group(1)) * 1024


def main(folder):
    torch.set_num_threads(1)
    path = Path(folder) / "series.f32"
    out = np.memmap(path, dtype=np.float32, mode="w+", shape=(N, LENGTH))
    rng = np.random.default_rng(0)
    labels = np.column_stack([rng.integers(0, 2, N), rng.integers(0, 2, N)])
    t = np.linspace(0, 40 * np.pi, LENGTH, dtype=np.float32)
    for i in range(0, N, 256):  # frequency gives the first label, amplitude the second
        block = labels[i:i + 256]
        out[i:i + 256] = (1 + block[:, 1:]) * np.sin((1 + block[:, :1]) * t)
    out.flush()
    del out
    X = np.memmap(path, dtype=np.float32, mode="r", shape=(N, LENGTH))
    # the smallest ResNet1D (one block of 2 filters): the test is about memory, and the
    # epoch's time is the convolutions' over 52 million steps
    clf = MultiTaskTimeSeriesClassifier(backbone="resnet1d", backbone__filters=(2,),
                                        backbone__kernel_sizes=(3,), max_epochs=1,
                                        batch_size=16, random_state=0)
    # a fit on 64 series first: torch's threads, allocator pools and kernels are made
    # once, so the limit below measures what the size of the data adds
    clf.fit(np.array(X[:64]), labels[:64])
    limit = data_memory() + HEADROOM
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    assert X.nbytes > HEADROOM
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM starts again from VmRSS
    before = resident_memory("VmRSS")
    clf.fit(X, labels)
    grown = resident_memory("VmHWM") - before
    assert clf.predict(X[:16]).shape == (16, 2)
    print("fit ok", flush=True)
    print(f"peak resident memory grew {grown / 1e6:.0f} MB during the fit on "
          f"{X.nbytes / 1e6:.0f} MB of series", flush=True)
    if grown < X.nbytes / 2:
        print("resident bounded", flush=True)
    try:
        np.array(X)
    except MemoryError:
        print("copy refused", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
