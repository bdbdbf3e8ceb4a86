"""Reading a read-only memory-mapped array without keeping the file resident.

Pages that a process has read from a memory-mapped file count in its resident memory
until they are unmapped: a shuffled epoch over a ``numpy.memmap`` (or one scan of it for
NaN, or one hash of it) would leave the whole file resident, as if it had been copied.
The readers here unmap the pages they have read (``madvise(MADV_DONTNEED)``) as they
go, so about ``max_resident_bytes`` of the file at most are mapped at a time (a block
and the page-cache folios at its ends); the file, and
the kernel's page cache that a later read maps again, keep them. Only read-only maps
(``mode="r"``) are released: a copy-on-write map may hold changes that releasing would
drop.
"""

import mmap

import numpy as np

__all__ = ["RESIDENT_FILE_BYTES", "read_only_file_mapping", "read_rows", "row_blocks"]

#: The most of a memory-mapped file a reader here keeps mapped at a time.
RESIDENT_FILE_BYTES = 64 << 20
#: The most of a file one row's read can map besides the row: the kernel maps whole
#: folios of its page cache (up to a 2 MiB huge page on x86-64) around a page read.
MAPPED_AROUND_BYTES = 2 << 20


def read_only_file_mapping(x):
    """The ``mmap.mmap`` under ``x`` when ``x`` is (a view of) a read-only
    ``numpy.memmap`` and the platform can unmap pages; None otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> from sktsmtl.data.mapped import read_only_file_mapping
    >>> read_only_file_mapping(np.zeros((2, 3))) is None
    True
    """
    if not hasattr(mmap, "MADV_DONTNEED"):
        return None
    read_only, base = False, x
    while base is not None:
        if isinstance(base, mmap.mmap):
            return base if read_only else None
        if isinstance(base, np.memmap):
            if base.mode != "r":
                return None
            read_only = True
        base = getattr(base, "base", None)
    return None


def _row_bytes(x):
    return x.dtype.itemsize * int(np.prod(x.shape[1:], dtype=np.int64))


def row_blocks(x, max_resident_bytes=RESIDENT_FILE_BYTES):
    """Consecutive blocks of rows of ``x``; a read-only memory-mapped ``x``'s pages are
    unmapped after each block is used.

    Parameters
    ----------
    x : ndarray
    max_resident_bytes : int, default=RESIDENT_FILE_BYTES
        Size of a block (at least one row).

    Yields
    ------
    ndarray
        ``x[i:j]`` (a view).

    Examples
    --------
    >>> import numpy as np
    >>> from sktsmtl.data.mapped import row_blocks
    >>> [b.shape for b in row_blocks(np.zeros((5, 4)), max_resident_bytes=64)]
    [(2, 4), (2, 4), (1, 4)]
    """
    mapping = read_only_file_mapping(x)
    rows = max(1, max_resident_bytes // max(1, _row_bytes(x)))
    for start in range(0, len(x), rows):
        yield x[start:start + rows]
        if mapping is not None:
            mapping.madvise(mmap.MADV_DONTNEED)


def read_rows(x, index, dtype=np.float32, max_resident_bytes=RESIDENT_FILE_BYTES,
              mapping=None):
    """``x[index]`` as a new array of ``dtype``.

    Parameters
    ----------
    x : ndarray
    index : ndarray of int
        Rows to read, sorted (sequential reads of a file).
    dtype : dtype, default=np.float32
    max_resident_bytes : int, default=RESIDENT_FILE_BYTES
        With ``mapping``, the rows are read a few at a time, so that each few maps at
        most this much of the file, and the pages read are unmapped after each few.
    mapping : mmap.mmap, default=None
        :func:`read_only_file_mapping` of ``x``; None reads the rows at once.

    Returns
    -------
    ndarray of shape (len(index), ...)

    Examples
    --------
    >>> import numpy as np
    >>> from sktsmtl.data.mapped import read_rows
    >>> read_rows(np.arange(6.0).reshape(3, 2), np.array([0, 2])).tolist()
    [[0.0, 1.0], [4.0, 5.0]]
    """
    if mapping is None:
        return np.asarray(x[index], dtype=dtype)
    out = np.empty((len(index),) + x.shape[1:], dtype=dtype)
    step = max(1, max_resident_bytes // (_row_bytes(x) + MAPPED_AROUND_BYTES))
    for start in range(0, len(index), step):
        out[start:start + step] = x[index[start:start + step]]
        mapping.madvise(mmap.MADV_DONTNEED)
    return out
