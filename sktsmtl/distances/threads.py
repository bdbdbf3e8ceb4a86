"""Thread count of numba's parallel kernels for the duration of one call."""

import numbers
import sys
from contextlib import contextmanager

import numba

__all__ = ["numba_threads", "resolve_n_jobs"]


def resolve_n_jobs(n_jobs):
    """Number of threads for ``n_jobs`` (sklearn convention, capped to numba's pool).

    None or -1 use all of numba's threads, ``-2`` all but one, and so on.
    """
    max_threads = int(numba.config.NUMBA_NUM_THREADS)
    if n_jobs is None:
        return max_threads
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral):
        raise TypeError(f"n_jobs must be an int or None, got {type(n_jobs).__name__}.")
    n_jobs = int(n_jobs)
    if n_jobs == 0:
        raise ValueError("n_jobs == 0 has no meaning; use None, -1 or a positive int.")
    if n_jobs < 0:
        return max(1, max_threads + 1 + n_jobs)
    return min(n_jobs, max_threads)


@contextmanager
def numba_threads(n_jobs):
    """Set numba's thread count (and a dynamic chunk size) inside the block.

    Both settings are restored afterwards. Yields the number of threads used. numba's
    OpenMP layer can share its runtime with torch, so changing numba's thread count may
    change torch's: a loaded torch gets its own count back too.
    """
    n_threads = resolve_n_jobs(n_jobs)
    torch = sys.modules.get("torch")
    old_torch_threads = torch.get_num_threads() if torch is not None else None
    old_threads = numba.get_num_threads()
    old_chunk = numba.get_parallel_chunksize()
    numba.set_num_threads(n_threads)
    numba.set_parallel_chunksize(1)
    try:
        yield n_threads
    finally:
        numba.set_parallel_chunksize(old_chunk)
        numba.set_num_threads(old_threads)
        if torch is not None and torch.get_num_threads() != old_torch_threads:
            torch.set_num_threads(old_torch_threads)
