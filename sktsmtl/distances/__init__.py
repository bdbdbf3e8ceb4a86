"""Exact dynamic time warping: pairs, batched pairwise matrices, lower bounds, 1NN search.

Every distance here is the **sum of squared differences** along the best warping path
by default (``squared=True``, aeon's convention); ``squared=False`` gives its square
root (dtaidistance's and tslearn's). ``window`` is a Sakoe-Chiba band given as a
fraction of the series length in ``[0, 1]`` (None: unconstrained); the integer radius
is ``max(ceil(window * max(L_a, L_b)), |L_a - L_b|)``, see :func:`sakoe_chiba_radius`.
Series may be univariate (1D) or multivariate (``(C, L)``, squared Euclidean cost
across channels) and of unequal lengths.

:func:`soft_dtw` (and :class:`SoftDTWLoss`) is the differentiable soft-DTW of Cuturi &
Blondel (2017), in torch, batched over pairs.
"""

from .dtw import dtw_distance, dtw_path, sakoe_chiba_radius
from .inputs import check_collection, check_window, pack_series
from .lower_bounds import keogh_envelope, lb_improved, lb_keogh, lb_kim
from .nearest import dtw_nearest_neighbor, nearest_packed
from .pairwise import paired_dtw, pairwise_dtw, pairwise_packed
from .softdtw import SoftDTWLoss, soft_dtw
from .threads import resolve_n_jobs

__all__ = [
    "dtw_distance",
    "dtw_path",
    "sakoe_chiba_radius",
    "pairwise_dtw",
    "paired_dtw",
    "lb_keogh",
    "lb_improved",
    "lb_kim",
    "keogh_envelope",
    "dtw_nearest_neighbor",
    "soft_dtw",
    "SoftDTWLoss",
    "check_collection",
    "check_window",
    "pack_series",
    "resolve_n_jobs",
    "nearest_packed",
    "pairwise_packed",
]
