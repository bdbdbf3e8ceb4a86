"""Pixel-perturbation importance of a ResNet2D DTW approximator's distance map."""

import numbers

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from ..approximation import DTWApproximator, check_pairs
from ..nets import DistanceMapNet

__all__ = ["pixel_importance", "plot_pixel_importance"]


def _one_pair(pair):
    """A pair as ``(a, b)`` float64 ``(C, L)`` arrays."""
    if isinstance(pair, tuple):
        if len(pair) != 2:
            raise ValueError(f"pair must hold two series, got {len(pair)}.")
        firsts, seconds = check_pairs(([pair[0]], [pair[1]]))
    else:
        arr = np.asarray(pair)
        if arr.ndim not in (2, 3) or arr.shape[0] != 2:
            raise ValueError(
                "pair must be a tuple (a, b) or an array of shape (2, L) or (2, C, L); "
                f"got shape {arr.shape}."
            )
        firsts, seconds = check_pairs(arr[None])
    return firsts[0], seconds[0]


def pixel_importance(approximator, pair, block=1, baseline=0.0, batch_size=256):
    """Pixel-perturbation importance map of one pair for a ResNet2D approximator.

    Every cell (or ``block x block`` tile of cells) of the pair's ``n x m`` squared
    distance matrix is set to ``baseline`` in turn, and the importance of the cell is
    the absolute change of the predicted distance (Yeh et al. 2023, Fig. 4; the pixel
    perturbation of Samek et al.). The perturbed maps are run through the network in
    batches, in evaluation mode.

    Parameters
    ----------
    approximator : DTWApproximator
        Fitted with ``backbone="resnet2d"``.
    pair : tuple of two array-like or array-like of shape (2, L) or (2, C, L)
        The two series ``(a, b)``, of lengths ``n`` and ``m`` (they may differ when
        given as a tuple).
    block : int, default=1
        Side of the square tile perturbed at once; every cell of a tile gets the tile's
        importance. Larger tiles need ``block**2`` times fewer forward passes.
    baseline : float, default=0.0
        Value given to the perturbed cells.
    batch_size : int, default=256
        Perturbed maps per forward pass.

    Returns
    -------
    ndarray of shape (n, m)
        ``|f(D) - f(D with the cell's tile set to baseline)|``, in distance units.

    Raises
    ------
    TypeError
        If ``approximator`` is not a :class:`~sktsmtl.approximation.DTWApproximator`.
    ValueError
        If it was fitted with ``backbone="resnet1d"`` (the Siamese network never sees a
        distance matrix), or the pair or ``block`` is invalid.

    Examples
    --------
    >>> from sktsmtl.approximation import DTWApproximator
    >>> from sktsmtl.datasets import make_random_walk_pairs
    >>> from sktsmtl.inspection import pixel_importance
    >>> X = make_random_walk_pairs(20, 12, random_state=0)
    >>> reg = DTWApproximator(max_epochs=1, backbone__n_blocks=1, backbone__width=4,
    ...                       random_state=0).fit(X)
    >>> pixel_importance(reg, X[0], block=2).shape
    (12, 12)
    """
    if not isinstance(approximator, DTWApproximator):
        raise TypeError(
            f"approximator must be a DTWApproximator, got {type(approximator).__name__}."
        )
    check_is_fitted(approximator)
    if not isinstance(approximator.net_.module_, DistanceMapNet):
        raise ValueError(
            "pixel importance needs a DTWApproximator whose backbone reads the pair's "
            f"distance matrix (backbone='resnet2d'): this one uses "
            f"{approximator.backbone!r}, a Siamese network that never reads one."
        )
    if isinstance(block, bool) or not isinstance(block, numbers.Integral) or block < 1:
        raise ValueError(f"block must be a positive integer, got {block!r}.")
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) \
            or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}.")
    a, b = _one_pair(pair)
    if a.shape[0] != approximator.n_channels_:
        raise ValueError(
            f"the pair has {a.shape[0]} channels but the approximator was fitted on "
            f"{approximator.n_channels_}."
        )
    net = approximator.net_
    module = net.module_
    device = next(module.parameters()).device
    ta = torch.as_tensor(a[None], dtype=torch.float32, device=device)
    tb = torch.as_tensor(b[None], dtype=torch.float32, device=device)
    n, m = a.shape[1], b.shape[1]
    rows = list(range(0, n, block))
    cols = list(range(0, m, block))
    tiles = [(i, j) for i in rows for j in cols]
    scale = approximator.target_scale_
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            d = module.distance_map(ta, tb)  # (1, 1, n, m)
            reference = float(module.forward_map(d)[0]) * scale
            changes = np.empty(len(tiles), dtype=np.float64)
            for start in range(0, len(tiles), batch_size):
                chunk = tiles[start:start + batch_size]
                maps = d.repeat(len(chunk), 1, 1, 1)
                for k, (i, j) in enumerate(chunk):
                    maps[k, 0, i:i + block, j:j + block] = baseline
                out = module.forward_map(maps).double().cpu().numpy() * scale
                changes[start:start + len(chunk)] = np.abs(reference - out)
    finally:
        module.train(was_training)
    importance = np.empty((n, m), dtype=np.float64)
    for (i, j), c in zip(tiles, changes):
        importance[i:i + block, j:j + block] = c
    return importance


def plot_pixel_importance(importance, pair=None, window=None, ax=None, path=None):
    """Draw an importance map with the exact DTW warping path on top.

    Parameters
    ----------
    importance : array-like of shape (n, m)
        From :func:`pixel_importance`.
    pair : tuple of two array-like or array-like of shape (2, L) or (2, C, L), default=None
        The pair the map belongs to; when given, its optimal DTW warping path
        (:func:`~sktsmtl.distances.dtw_path` with ``window``) is drawn as a red line.
    window : float or None, default=None
        Sakoe-Chiba window of the drawn path.
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure when None.
    path : str or path-like, default=None
        Save the figure as a PNG there.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sktsmtl.inspection import plot_pixel_importance
    >>> rng = np.random.default_rng(0)
    >>> pair = rng.standard_normal((2, 10))
    >>> ax = plot_pixel_importance(rng.random((10, 10)), pair=pair, window=0.2)
    >>> len(ax.lines)
    1
    """
    import matplotlib.pyplot as plt

    importance = np.asarray(importance, dtype=np.float64)
    if importance.ndim != 2:
        raise ValueError(f"importance must be 2D (n, m), got shape {importance.shape}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4))
    im = ax.imshow(importance, origin="lower", cmap="cividis", aspect="auto",
                   interpolation="nearest")
    ax.figure.colorbar(im, ax=ax, label="|output change|")
    if pair is not None:
        from ..distances import dtw_path

        a, b = _one_pair(pair)
        if (a.shape[1], b.shape[1]) != importance.shape:
            raise ValueError(
                f"the pair's lengths {(a.shape[1], b.shape[1])} do not match the map's "
                f"shape {importance.shape}."
            )
        warp, _ = dtw_path(a, b, window=window)
        warp = np.asarray(warp)
        ax.plot(warp[:, 1], warp[:, 0], color="red", linewidth=1.2, label="DTW path")
    ax.set_xlabel("second series (m)")
    ax.set_ylabel("first series (n)")
    ax.set_title("pixel importance")
    if path is not None:
        ax.figure.savefig(path, format="png", dpi=100, bbox_inches="tight")
    return ax
