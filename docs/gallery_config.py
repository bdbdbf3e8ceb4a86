"""Helpers of the sphinx-gallery configuration (referenced by name from ``conf.py``)."""

from pathlib import Path

#: Order of the examples in the gallery: from first steps to specialised topics.
ORDER = [
    "plot_quickstart.py",
    "plot_datasets.py",
    "plot_preprocessing.py",
    "plot_grid_search.py",
    "plot_dtw.py",
    "plot_mtcs.py",
    "plot_convtimenet.py",
    "plot_benchmarking.py",
    "plot_sktime_benchmark.py",
]


class ExampleOrder:
    """Sort key of sphinx-gallery's ``within_subsection_order``.

    Parameters
    ----------
    src_dir : str
        The gallery's source folder.
    """

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        name = Path(filename).name
        return (ORDER.index(name), name) if name in ORDER else (len(ORDER), name)

    def __repr__(self):
        return f"<{type(self).__name__}>"


def reset_torch_threads(gallery_conf, fname):
    """Run every example on one torch thread.

    The examples' networks are tiny, and one thread runs them fastest; on a machine
    shared with other busy processes, multi-threaded CPU training of small networks can
    be an order of magnitude slower. The thread count is set before every example
    because numba's OpenMP threading layer, used by the DTW functions, shares the
    OpenMP runtime with torch and can change torch's thread count as a side effect.
    """
    import torch

    torch.set_num_threads(1)
