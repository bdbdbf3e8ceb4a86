"""A learnt DTW distance: a regressor over pairs of series (Yeh et al. 2023, Fig. 1)."""

import copy
import numbers

import numpy as np
import torch
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_array, check_is_fitted
from skorch import NeuralNet
from skorch.callbacks import Callback, EarlyStopping
from skorch.dataset import ValidSplit
from torch import nn

from ..distances import soft_dtw
from ..distances.pairwise import paired_dtw
from ..nets import DistanceMapNet, SiameseDistanceNet
from ..training.parameters import TRAINING_PARAMETER_CONSTRAINTS
from ..training import resolve_device, seed_sequence

__all__ = ["DTWApproximator"]

BACKBONES = ("resnet1d", "resnet2d")


class _BestValidLoss(Callback):
    """Keep the weights of the epoch with the lowest ``valid_loss``; restore them at the end.

    (:class:`~sktsmtl.training.BestEpochRestorer` maximises its monitor; a regression
    loss is minimised, so this is its mirror image.)
    """

    def on_train_begin(self, net, **kwargs):
        self._best = None
        self._state = None
        net.best_epoch_ = None

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        if "valid_loss" not in row:
            return
        if self._best is None or row["valid_loss"] < self._best:
            self._best = row["valid_loss"]
            self._state = copy.deepcopy(net.module_.state_dict())
            net.best_epoch_ = row["epoch"]
            net.history.record("valid_loss_best_epoch", True)

    def on_train_end(self, net, **kwargs):
        if self._state is not None:
            net.module_.load_state_dict(self._state)
        self._state = None


# -- input validation ------------------------------------------------------------------
def _as_series(s, where):
    try:
        arr = np.asarray(s, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{where} is not a numeric series: {exc}") from None
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2:
        raise ValueError(f"{where} must be 1D (L,) or 2D (C, L), got shape {arr.shape}.")
    if arr.shape[1] == 0:
        raise ValueError(f"{where} is empty.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{where} contains NaN or inf; interpolate missing values first.")
    return arr


def _check_pairs(X):
    """Return two lists of ``(C, L)`` float64 arrays (first and second series of each pair).

    Accepted: an array ``(n_pairs, 2, L)`` or ``(n_pairs, 2, C, L)``, or a tuple of two
    equally long collections (arrays ``(n, L)``/``(n, C, L)`` or lists of 1D/2D series).
    """
    if isinstance(X, tuple):
        if len(X) != 2:
            raise ValueError(
                f"a tuple X must hold two collections (first and second series of every "
                f"pair), got {len(X)} items."
            )
        A, B = X
        if isinstance(A, np.ndarray) and A.ndim == 1 and A.dtype != object:
            raise ValueError(
                "each collection of the tuple X must hold several series (a 2D/3D array or "
                "a list of series), got one 1D array."
            )
        if len(A) != len(B):
            raise ValueError(
                f"the two collections of X must be equally long: {len(A)} != {len(B)}."
            )
        firsts = [_as_series(s, f"pair {i}, first series") for i, s in enumerate(A)]
        seconds = [_as_series(s, f"pair {i}, second series") for i, s in enumerate(B)]
    else:
        if isinstance(X, list):
            try:
                X = np.asarray(X, dtype=np.float64)
            except (TypeError, ValueError):
                raise ValueError(
                    "a list X must be a regular nested list of pairs; for series of unequal "
                    "lengths pass a tuple (first_series, second_series) of two lists."
                ) from None
        X = check_array(X, dtype=np.float64, allow_nd=True, ensure_2d=False,
                        ensure_all_finite=True, input_name="X")
        if X.ndim not in (3, 4) or X.shape[1] != 2:
            hint = (" One series per row is not a pair." if X.ndim == 2 else "")
            raise ValueError(
                "X must hold pairs of series: an array of shape (n_pairs, 2, L) or "
                f"(n_pairs, 2, C, L), or a tuple of two collections; got shape {X.shape}."
                + hint
            )
        if X.ndim == 3:
            X = X[:, :, None, :]
        firsts, seconds = list(X[:, 0]), list(X[:, 1])
    if len(firsts) == 0:
        raise ValueError("X holds no pair (0 pairs); at least one is required.")
    n_channels = firsts[0].shape[0]
    for i, (a, b) in enumerate(zip(firsts, seconds)):
        if a.shape[0] != b.shape[0]:
            raise ValueError(
                f"pair {i}: the first series has {a.shape[0]} channels but the second has "
                f"{b.shape[0]}; both series of a pair need the same channel count."
            )
        if a.shape[0] != n_channels:
            raise ValueError(
                f"pair {i} has {a.shape[0]} channels but pair 0 has {n_channels}; all pairs "
                "need the same channel count."
            )
    return firsts, seconds


def _pad(series):
    """List of (C, L_i) -> float32 (n, C, max L) zero-padded, int64 lengths (n,)."""
    lengths = np.array([s.shape[1] for s in series], dtype=np.int64)
    out = np.zeros((len(series), series[0].shape[0], int(lengths.max())), dtype=np.float32)
    for i, s in enumerate(series):
        out[i, :, : s.shape[1]] = s
    return out, lengths


def _pair_inputs(firsts, seconds):
    a, len_a = _pad(firsts)
    b, len_b = _pad(seconds)
    return {"a": a, "b": b, "len_a": len_a, "len_b": len_b}


class DTWApproximator(RegressorMixin, BaseEstimator):
    """Learn the DTW distance of a pair of series with a neural network.

    The distance-learning experiment of Yeh et al. (2023, Fig. 1 and Fig. 3c): a network
    reads two series and regresses their DTW distance under a warping constraint.

    - ``backbone="resnet1d"``: a Siamese network; one shared
      :class:`~sktsmtl.nets.ResNet1D` embeds each series, a ``Linear(128, 128)`` layer
      projects the embedding and the output is the l2 distance between the two vectors
      (Fig. 2c).
    - ``backbone="resnet2d"``: :class:`~sktsmtl.nets.ResNet2D` with
      ``input_kind="distance_map"`` reads the ``n x m x 1`` matrix of squared point
      distances of the pair, then ``Linear(width, 1)`` (Fig. 3c).

    Parameters
    ----------
    backbone : {"resnet1d", "resnet2d"}, default="resnet2d"
        Network, see above.
    backbone_params : dict, default=None
        Constructor arguments of the backbone: ``ResNet1D`` (``filters``,
        ``kernel_sizes``) or ``ResNet2D`` (``n_blocks``, ``width``, ``stem_stride``, ...;
        ``input_kind`` and ``in_channels`` are set by the estimator).
    window : float or None, default=None
        Sakoe-Chiba band of the exact DTW targets, a fraction of the length in
        ``[0, 1]`` (see :func:`~sktsmtl.distances.dtw_distance`); None: unconstrained.
        Only used when ``fit`` computes the targets (``y=None``).
    gamma : float or None, default=None
        None: exact DTW targets. A float ``> 0``: soft-DTW targets with this smoothing
        (:func:`sktsmtl.distances.soft_dtw`, with the same ``window``).
    max_epochs : int, default=100
        Training epochs.
    batch_size : int, default=64
        Pairs per mini-batch.
    lr : float, default=1e-3
        AdamW learning rate.
    weight_decay : float, default=1e-2
        AdamW weight decay.
    validation_fraction : float, default=0.2
        Share of the pairs held out to choose the best epoch (lowest validation MSE);
        0 keeps the last epoch.
    early_stopping : int or None, default=None
        Stop after this many epochs without a lower validation loss.
    device : {"cpu", "cuda", "auto"}, default="cpu"
        Torch device.
    random_state : int, RandomState instance or None, default=None
        Seeds the weights, the validation split and the batch order; a CPU fit is
        repeatable to the bit.
    verbose : int, default=0
        skorch's per-epoch progress table when > 0.
    callbacks : list of skorch callbacks, default=None
        Extra callbacks of the skorch net.

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The fitted net (weights of the best validation epoch).
    history_ : skorch.History
        Per-epoch training record.
    best_epoch_ : int or None
        Epoch kept (1-based); None without a validation split.
    target_scale_ : float
        The network regresses ``y / target_scale_``.
    n_channels_ : int
        Channels of every series.

    Notes
    -----
    **Targets.** With ``y=None`` the targets are exact DTW distances in the **squared
    sum** convention: the sum of squared point differences along the best warping path
    (``dtw_distance(a, b, window, squared=True)``; aeon's convention, not the square root
    of dtaidistance and tslearn). With ``gamma`` they are soft-DTW values on the same
    squared cost.

    **Target scaling.** The network is trained on ``y / s`` where ``s`` is the root mean
    square of the training targets (``target_scale_``; a plain division, no centring,
    since the Siamese output is a non-negative distance). ``predict`` multiplies back,
    so predictions are in distance units. The loss is the MSE on the scaled targets;
    the best epoch is the one with the lowest validation MSE.

    **Unequal lengths.** Series are zero-padded at their end to the longest first (and
    longest second) series of the data; their true lengths are passed to the network,
    whose convolutions, batch norm and pooling ignore padded positions (rows and columns
    of the distance map for ResNet2D), so predictions do not depend on the padding.

    ``score`` is the coefficient of determination R^2 (scikit-learn's regressor score).

    References
    ----------
    C.-C. M. Yeh et al., "Multitask Learning for Time Series Data with 2D
    Convolution", 2023.

    Examples
    --------
    >>> from sktsmtl.approximation import DTWApproximator
    >>> from sktsmtl.datasets import make_random_walk_pairs
    >>> X = make_random_walk_pairs(40, 16, random_state=0)
    >>> reg = DTWApproximator(backbone="resnet2d", window=0.1, max_epochs=2,
    ...                       backbone_params={"n_blocks": 1, "width": 4},
    ...                       random_state=0).fit(X)
    >>> reg.predict(X[:3]).shape
    (3,)
    """

    _parameter_constraints = {
        "backbone": [StrOptions(set(BACKBONES))],
        "backbone_params": [dict, None],
        "window": [Interval(numbers.Real, 0, 1, closed="both"), None],
        "gamma": [Interval(numbers.Real, 0, None, closed="neither"), None],
        **TRAINING_PARAMETER_CONSTRAINTS,
    }

    def __init__(
        self,
        backbone="resnet2d",
        backbone_params=None,
        window=None,
        gamma=None,
        max_epochs=100,
        batch_size=64,
        lr=1e-3,
        weight_decay=1e-2,
        validation_fraction=0.2,
        early_stopping=None,
        device="cpu",
        random_state=None,
        verbose=0,
        callbacks=None,
    ):
        self.backbone = backbone
        self.backbone_params = backbone_params
        self.window = window
        self.gamma = gamma
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.validation_fraction = validation_fraction
        self.early_stopping = early_stopping
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks

    # -- targets -----------------------------------------------------------------------
    def _targets(self, firsts, seconds):
        if self.gamma is None:
            # all pairs in one parallel call, in SIMD lanes where the shapes agree
            return paired_dtw(firsts, seconds, window=self.window, squared=True)
        out = np.empty(len(firsts), dtype=np.float64)
        with torch.no_grad():
            shapes = {(a.shape, b.shape) for a, b in zip(firsts, seconds)}
            if len(shapes) == 1:  # one batched call
                x = torch.as_tensor(np.stack(firsts), dtype=torch.float64)
                y = torch.as_tensor(np.stack(seconds), dtype=torch.float64)
                out[:] = soft_dtw(x, y, gamma=float(self.gamma), window=self.window).numpy()
            else:
                for i, (a, b) in enumerate(zip(firsts, seconds)):
                    x = torch.as_tensor(a[None], dtype=torch.float64)
                    y = torch.as_tensor(b[None], dtype=torch.float64)
                    out[i] = float(soft_dtw(x, y, gamma=float(self.gamma),
                                            window=self.window)[0])
        return out

    def _build_module(self, n_channels):
        params = dict(self.backbone_params or {})
        if self.backbone == "resnet1d":
            return SiameseDistanceNet(in_channels=n_channels, **params)
        return DistanceMapNet(**params)

    # -- fit ---------------------------------------------------------------------------
    def fit(self, X, y=None):
        """Train the network on pairs of series.

        Parameters
        ----------
        X : array-like of shape (n_pairs, 2, L) or (n_pairs, 2, C, L), or tuple
            The pairs; or a tuple ``(firsts, seconds)`` of two equally long collections
            of series (lists of 1D ``(L_i,)`` or 2D ``(C, L_i)`` arrays; the two series
            of a pair may differ in length).
        y : array-like of shape (n_pairs,), default=None
            Target distances. None computes them: exact DTW (squared-sum convention)
            with ``window``, or soft-DTW with ``gamma``.

        Returns
        -------
        self : DTWApproximator
        """
        self._validate_params()
        firsts, seconds = _check_pairs(X)
        if y is None:
            y = self._targets(firsts, seconds)
        else:
            y = check_array(y, ensure_2d=False, dtype=np.float64, input_name="y")
            if y.ndim != 1:
                raise ValueError(f"y must be 1D (n_pairs,), got shape {y.shape}.")
            if len(y) != len(firsts):
                raise ValueError(f"y has {len(y)} values but X has {len(firsts)} pairs.")
        if self.early_stopping is not None and self.validation_fraction == 0:
            raise ValueError("early_stopping needs validation_fraction > 0.")
        n_valid = int(round(self.validation_fraction * len(firsts)))
        if self.validation_fraction > 0 and (n_valid < 1 or n_valid >= len(firsts)):
            raise ValueError(
                f"validation_fraction={self.validation_fraction} leaves no pair for "
                f"validation or training with {len(firsts)} pairs."
            )
        if self.backbone == "resnet2d" and len(firsts) - n_valid < 2:
            raise ValueError("training needs at least 2 pairs (batch normalisation).")

        scale = float(np.sqrt(np.mean(np.square(y))))
        self.target_scale_ = scale if scale > 0 else 1.0
        self.n_channels_ = int(firsts[0].shape[0])
        device = resolve_device(self.device)
        weight_seed, split_seed = seed_sequence(self.random_state, 2)

        inputs = _pair_inputs(firsts, seconds)
        targets = (y / self.target_scale_).astype(np.float32)
        cbs = [("best_epoch", _BestValidLoss())]
        if self.early_stopping is not None:
            cbs.append(("early_stopping", EarlyStopping(
                monitor="valid_loss", patience=self.early_stopping, threshold=0.0)))
        cbs.extend(copy.deepcopy(self.callbacks) or [])
        train_split = (ValidSplit(float(self.validation_fraction), stratified=False,
                                  random_state=split_seed)
                       if self.validation_fraction > 0 else None)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(weight_seed)
            module = self._build_module(self.n_channels_)
            net = NeuralNet(
                module,
                criterion=nn.MSELoss,
                optimizer=torch.optim.AdamW,
                lr=self.lr,
                optimizer__weight_decay=self.weight_decay,
                max_epochs=self.max_epochs,
                batch_size=self.batch_size,
                iterator_train__shuffle=True,
                # a last training batch of one pair would break batch normalisation
                iterator_train__drop_last=len(firsts) - n_valid > self.batch_size,
                train_split=train_split,
                callbacks=cbs,
                device=device,
                verbose=self.verbose,
                torch_load_kwargs={"weights_only": False},
            )
            net.fit(inputs, targets)
        self.net_ = net
        self.history_ = net.history
        self.best_epoch_ = net.best_epoch_
        return self

    # -- inference ---------------------------------------------------------------------
    def _validated_inputs(self, X):
        check_is_fitted(self)
        firsts, seconds = _check_pairs(X)
        if firsts[0].shape[0] != self.n_channels_:
            raise ValueError(
                f"X has {firsts[0].shape[0]} channels but the approximator was fitted on "
                f"{self.n_channels_}."
            )
        return _pair_inputs(firsts, seconds)

    def predict(self, X):
        """Predict the DTW distance of every pair.

        Parameters
        ----------
        X : array-like of shape (n_pairs, 2, L) or (n_pairs, 2, C, L), or tuple
            Pairs in any form ``fit`` accepts.

        Returns
        -------
        ndarray of shape (n_pairs,)
            Predicted distances, in the units of the targets.
        """
        inputs = self._validated_inputs(X)
        out = self.net_.predict(inputs)
        return np.asarray(out, dtype=np.float64).reshape(-1) * self.target_scale_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        tags.input_tags.three_d_array = True
        return tags
