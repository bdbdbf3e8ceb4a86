"""What the benchmark scripts share: the UCR folder, devices and timing, sktime's peers.

Imported by the scripts of this folder (``python benchmarks/<script>.py`` puts the folder
on ``sys.path``); not a script itself.
"""

import os
import time
from pathlib import Path

import numpy as np

#: The UCR copy beside the repository (``../shared/data/ucr``), the last place looked.
SIBLING_UCR_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ucr"


def ucr_dir(data_dir=None):
    """The UCR archive folder: ``data_dir``, else ``SKTSMTL_UCR_DIR``, else the shared copy
    beside the repository.

    Parameters
    ----------
    data_dir : str or None
        The script's ``--data-dir``.

    Returns
    -------
    str
    """
    return str(data_dir or os.environ.get("SKTSMTL_UCR_DIR", "").strip() or SIBLING_UCR_DIR)


def resolve_device(device):
    """``"auto"`` -> ``"cuda"`` where a GPU is visible, else ``"cpu"``; others as given."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


def timed_fit(clf, X, y, device="cpu"):
    """Seconds of ``clf.fit(X, y)`` (waiting for the GPU's queued work on CUDA)."""
    import torch

    start = time.perf_counter()
    clf.fit(X, y)
    if resolve_device(device).startswith("cuda"):
        torch.cuda.synchronize()
    return time.perf_counter() - start


def as_3d(X):
    """``(n, L)`` -> ``(n, 1, L)``; 3-D arrays as they are."""
    return X[:, None, :] if X.ndim == 2 else X


def dense_for_sktime(X, length):
    """Zero-fill a NaN tail (shorter series) and pad to ``length``: float32 (n, C, L), the
    input sktime's deep classifiers take."""
    X = np.nan_to_num(as_3d(X), nan=0.0)
    X = np.pad(X, ((0, 0), (0, 0), (0, length - X.shape[-1])))
    return X.astype(np.float32)


def sktime_on_device(classifier, device):
    """sktime deep classifier class ``classifier`` training on ``device``.

    sktime 1.2's torch classifiers leave the batches on the CPU (ConvTimeNet moves its
    network, InceptionTime has no ``device`` at all), so a GPU fit fails or runs on the
    CPU. The subclass moves the built network to ``device`` and wraps it so that each
    batch goes there and the logits come back (gradients flow through the copies);
    nothing else changes. On the CPU the class is returned as it is.
    """
    if device == "cpu":
        return classifier
    import torch

    class OnDevice(torch.nn.Module):
        def __init__(self, network):
            super().__init__()
            self.network = network.to(device)

        def forward(self, X):
            return self.network(X.to(device)).cpu()

    class Classifier(classifier):
        def _build_network(self, X, y):
            return OnDevice(super()._build_network(X, y))

    Classifier.__name__ = Classifier.__qualname__ = f"{classifier.__name__}OnDevice"
    return Classifier
