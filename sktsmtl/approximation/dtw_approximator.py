"""A learnt DTW distance: a regressor over pairs of series (Yeh et al. 2023, Fig. 1)."""

import numbers

import numpy as np
import torch
from sklearn.base import RegressorMixin
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_array, check_is_fitted
from skorch.dataset import ValidSplit
from torch import nn

from ..distances import paired_dtw, soft_dtw
from ..nets import DistanceMapNet, SiameseDistanceNet, get_backbone, parameter_names
from ..training import NetworkEstimator, build_backbone, document_training_parameters, seed_sequence

__all__ = ["DTWApproximator", "check_pairs"]


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


def check_pairs(X):
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


@document_training_parameters(
    validation_split="the pairs of the lowest validation MSE's epoch are kept",
    callback_names="``best_epoch`` and ``early_stopping``")
class DTWApproximator(RegressorMixin, NetworkEstimator):
    """Learn the DTW distance of a pair of series with a neural network.

    The distance-learning experiment of Yeh et al. (2023, Fig. 1 and Fig. 3c): a network
    reads two series and regresses their DTW distance under a warping constraint.

    - A backbone that reads distance maps (its constructor takes ``input_kind``, as
      :class:`~sktsmtl.nets.ResNet2D` does; ``backbone="resnet2d"``): built with
      ``input_kind="distance_map"``, it reads the ``n x m x 1`` matrix of squared point
      distances of the pair, then ``Linear(width, 1)`` (Fig. 3c).
    - Any other registered backbone (``"resnet1d"``, ``"inceptiontime"``, a user's):
      a Siamese network; the one backbone embeds each series, a
      ``Linear(embedding_dim, projection_dim)`` layer projects the embedding and the
      output is the l2 distance between the two vectors (Fig. 2c with ResNet1D). A
      backbone whose transform is computed from data (``"minirocket"``) is first
      initialised on the training pairs' series.

    Parameters
    ----------
    backbone : str, default="resnet2d"
        Name of a registered backbone (:func:`~sktsmtl.nets.backbone_names`), see
        above. Its arguments are ``backbone__<name>`` parameters (``in_channels``, and
        ``input_kind`` for a distance-map reader, are set by the estimator), and
        ``backbone__preset``.
    window : float or None, default=None
        Sakoe-Chiba band of the exact DTW targets, a fraction of the length in
        ``[0, 1]`` (see :func:`~sktsmtl.distances.dtw_distance`); None: unconstrained.
        Only used when ``fit`` computes the targets (``y=None``).
    gamma : float or None, default=None
        None: exact DTW targets. A float ``> 0``: soft-DTW targets with this smoothing
        (:func:`sktsmtl.distances.soft_dtw`, with the same ``window``).
    projection_dim : int, default=128
        Size of the Siamese network's projected vectors (``backbone="resnet1d"``).
    {training_parameters}

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
    interrupted_ : bool
        Whether an interrupt cut the training short (see :ref:`interrupts`).

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
    ...                       backbone__n_blocks=1, backbone__width=4,
    ...                       random_state=0).fit(X)
    >>> reg.predict(X[:3]).shape
    (3,)
    """

    _parameter_constraints = {
        **NetworkEstimator._parameter_constraints,
        "backbone": [str, type],
        "window": [Interval(numbers.Real, 0, 1, closed="both"), None],
        "gamma": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "projection_dim": [Interval(numbers.Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        backbone="resnet2d",
        *,
        window=None,
        gamma=None,
        projection_dim=128,
        optimizer=torch.optim.AdamW,
        max_epochs=100,
        batch_size=40,
        lr=1e-3,
        weight_decay=1e-2,
        validation_fraction=0.25,
        early_stopping=20,
        device="cpu",
        precision="float32",
        random_state=None,
        verbose=0,
        callbacks=None,
        checkpoint_dir=None,
        **params,
    ):
        self.backbone = backbone
        self.window = window
        self.gamma = gamma
        self.projection_dim = projection_dim
        self.optimizer = optimizer
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.validation_fraction = validation_fraction
        self.early_stopping = early_stopping
        self.device = device
        self.precision = precision
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks
        self.checkpoint_dir = checkpoint_dir
        self._set_routed_params(params)

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

    def _build_module(self, n_channels, series, seed):
        params = self._routed("backbone")
        if "input_kind" in parameter_names(get_backbone(self.backbone)):
            tower = build_backbone(self.backbone, 1, params,
                                   fixed={"input_kind": "distance_map"})
            return DistanceMapNet(tower)
        encoder = build_backbone(self.backbone, n_channels, params)
        if hasattr(encoder, "initialize_from_series"):  # a transform fitted to the data
            encoder.initialize_from_series(series, seed=seed)
        return SiameseDistanceNet(encoder, projection_dim=self.projection_dim)

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
        firsts, seconds = check_pairs(X)
        if y is None:
            y = self._targets(firsts, seconds)
        else:
            y = check_array(y, ensure_2d=False, dtype=np.float64, input_name="y")
            if y.ndim != 1:
                raise ValueError(f"y must be 1D (n_pairs,), got shape {y.shape}.")
            if len(y) != len(firsts):
                raise ValueError(f"y has {len(y)} values but X has {len(firsts)} pairs.")
            if (y < 0).any():  # check_array has refused NaN and inf
                bad = int(np.flatnonzero(y < 0)[0])
                raise ValueError(
                    f"y must hold DTW distances, which are >= 0 (the network's output is "
                    f"non-negative); y[{bad}] is {y[bad]!r}.")
        self._check_training_params()
        n_valid = int(round(self.validation_fraction * len(firsts)))
        if self.validation_fraction > 0 and (n_valid < 1 or n_valid >= len(firsts)):
            raise ValueError(
                f"validation_fraction={self.validation_fraction} leaves no pair for "
                f"validation or training with {len(firsts)} pairs."
            )
        if len(firsts) - n_valid < 2:
            raise ValueError("training needs at least 2 pairs (batch normalisation).")

        scale = float(np.sqrt(np.mean(np.square(y))))
        self.target_scale_ = scale if scale > 0 else 1.0
        self.n_channels_ = int(firsts[0].shape[0])
        weight_seed, split_seed = seed_sequence(self.random_state, 2)

        inputs = _pair_inputs(firsts, seconds)
        targets = (y / self.target_scale_).astype(np.float32)
        train_split = (ValidSplit(float(self.validation_fraction), stratified=False,
                                  random_state=split_seed)
                       if self.validation_fraction > 0 else None)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(weight_seed)
            module = self._build_module(self.n_channels_, list(firsts) + list(seconds),
                                        int(weight_seed))
            net = self._make_net(
                module, criterion=nn.MSELoss, train_split=train_split,
                monitor="valid_loss", lower_is_better=True,
                iterator_train__shuffle=True,
                # a last training batch of one pair would break batch normalisation
                iterator_train__drop_last=len(firsts) - n_valid > self.batch_size)
            self._open_checkpoints(inputs, targets)
            try:
                net = self._train(net, inputs, targets, stage="pairs")
            except BaseException:
                self._abort_fit()
                raise
        self.net_ = net
        self.history_ = net.history
        self.best_epoch_ = net.best_epoch_
        self._close_checkpoints()
        return self

    # -- inference ---------------------------------------------------------------------
    def _validated_inputs(self, X):
        check_is_fitted(self)
        firsts, seconds = check_pairs(X)
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
