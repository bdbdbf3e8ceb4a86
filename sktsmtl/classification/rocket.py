"""``RocketClassifier``: MiniRocket, MultiRocket or Hydra features and a ridge classifier.

The practitioner's first choice for one task (Dempster et al. 2021; Tan et al. 2022;
Dempster et al. 2023), scikit-learn-native so that it works in pipelines,
``GridSearchCV`` and the benchmark beside the package's networks. The random convolution
features come from sktime's transformers, called on numpy arrays (sktime's own
``RocketClassifier`` spends most of its time converting through pandas), and Hydra's
from the package's torch module (sktime has none).
"""

import numbers
import warnings

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.linear_model import RidgeClassifierCV
from sklearn.preprocessing import LabelBinarizer, StandardScaler
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ..preprocessing import interpolate_missing
from ..preprocessing.resampling import _resample

__all__ = ["RocketClassifier"]

# sktime's defaults: 10,000 features for MiniRocket (84 kernels x dilations x biases),
# 6,250 kernels x 4 pooling operators x 2 (the series and its first difference) for
# MultiRocket; Hydra's paper: 64 groups of 8 kernels per dilation
_DEFAULT_KERNELS = {"minirocket": 10_000, "multirocket": 6_250, "hydra": 512}
_HYDRA_KERNELS_PER_GROUP = 8
# series per Hydra forward pass: its convolution output is n x kernels x L floats
_HYDRA_BATCH = 256

# MiniRocket's kernels have length 9: shorter series are padded to it
_MIN_LENGTH = 9


class _HydraTransformer:
    """Hydra's counts as a numpy transform (``fit``, ``transform``), batch by batch."""

    def __init__(self, n_kernels, seed):
        self.n_kernels = n_kernels
        self.seed = seed

    def fit(self, X):
        from ..nets import Hydra

        self.hydra_ = Hydra(X.shape[2], in_channels=X.shape[1],
                            n_groups=max(self.n_kernels // _HYDRA_KERNELS_PER_GROUP, 1),
                            kernels_per_group=_HYDRA_KERNELS_PER_GROUP,
                            random_state=self.seed)
        return self

    def transform(self, X):
        import torch

        with torch.no_grad():
            parts = [self.hydra_(torch.as_tensor(X[start:start + _HYDRA_BATCH],
                                                 dtype=torch.float32)).numpy()
                     for start in range(0, len(X), _HYDRA_BATCH)]
        return np.concatenate(parts).astype(np.float64)

    def fit_transform(self, X):
        return self.fit(X).transform(X)


class _SparseScaler(TransformerMixin, BaseEstimator):
    """Hydra's scaling of its counts: square roots, standardised, zeros kept at zero.

    A count that is zero for most series has its scale inflated by the fraction of
    zeros to the power 4, so that rare patterns do not dominate the ridge (the Hydra
    paper's scaler).
    """

    _EXPONENT = 4

    def fit(self, X, y=None):
        roots = np.sqrt(np.clip(X, 0, None))
        self.mean_ = roots.mean(axis=0)
        self.scale_ = (roots.std(axis=0, ddof=1 if len(roots) > 1 else 0)
                       + (roots == 0).mean(axis=0) ** self._EXPONENT + 1e-8)
        return self

    def transform(self, X):
        roots = np.sqrt(np.clip(X, 0, None))
        return (roots - self.mean_) * (roots != 0) / self.scale_


def _transformer(variant, n_kernels, seed, n_jobs):
    if variant == "hydra":
        return _HydraTransformer(n_kernels, seed)
    from sktime.transformations.panel.rocket import (
        MiniRocketMultivariate,
        MultiRocketMultivariate,
    )

    if variant == "minirocket":
        return MiniRocketMultivariate(num_kernels=n_kernels, random_state=seed,
                                      n_jobs=n_jobs)
    return MultiRocketMultivariate(num_kernels=n_kernels, random_state=seed, n_jobs=n_jobs)


def _class_scores(decision):
    """``(n, n_classes)`` scores from ridge decision values (binary: ``-d`` and ``d``)."""
    decision = np.asarray(decision, dtype=np.float64)
    if decision.ndim == 1:
        return np.column_stack([-decision, decision])
    return decision


def _leave_one_out_decision(features, targets, alpha):
    """The ridge's decision value of every training series when fitted without it.

    The ridge's unpenalised intercept sees the features centred (Hydra's scaling keeps
    zeros at zero, so its columns are not), the intercept is then the targets' mean and
    the hat matrix is ``1/n + U diag(s^2 / (s^2 + alpha)) U^T`` from the thin SVD of the
    centred features ``U diag(s) V^T``: one decomposition gives every leave-one-out value,
    ``t_i - r_i / (1 - h_ii)`` with ``r`` the residuals, as scikit-learn's own penalty
    search does.

    With fewer series than features, ``U`` and ``s^2`` come from the eigenvectors of
    the ``n x n`` Gram matrix instead, several times faster than the SVD of the wide
    matrix. There the ridge nearly interpolates at small penalties (``1 - h_ii`` down
    to 1e-8), so ``1 - h_ii`` and ``r`` are summed from the penalty's share
    ``alpha / (s^2 + alpha)`` of every direction rather than subtracted from 1, which
    would leave rounding errors of the order of ``1 - h_ii`` itself.
    """
    n, p = features.shape
    centred = targets - targets.mean(axis=0)
    means = features.mean(axis=0)
    if n <= p:
        # the centred features' Gram matrix, without a centred copy of the features
        row_means = features @ means
        gram = (features @ features.T - row_means[:, None] - row_means[None, :]
                + means @ means)
        # the constant vector is in the Gram matrix's null space (centred features) and
        # belongs to the unpenalised intercept: lifted above every other eigenvalue, its
        # eigenvector comes apart from theirs and is left out
        lift = 2.0 * np.trace(gram) + 1.0
        squares, u = np.linalg.eigh(gram + lift / n)
        squares, u = np.clip(squares[:-1], 0.0, None), u[:, :-1]
        share = alpha / (squares + alpha)
        residual = u @ (share[:, None] * (u.T @ centred))
        return targets - residual / ((u ** 2) @ share)[:, None]
    u, s, _ = np.linalg.svd(features - means, full_matrices=False)
    shrink = s ** 2 / (s ** 2 + alpha)
    fitted = targets.mean(axis=0) + u @ (shrink[:, None] * (u.T @ centred))
    hat = 1.0 / n + (u ** 2) @ shrink
    return (fitted - hat[:, None] * targets) / (1.0 - hat)[:, None]


def _fit_temperature(scores, codes):
    """Temperature of the softmax of ``scores`` with the least log loss on ``codes``."""
    rows = np.arange(len(codes))

    def log_loss(log_t):
        return -log_softmax(scores / np.exp(log_t), axis=1)[rows, codes].mean()

    # decision values live on the scale of the {-1, 1} targets: e^-5 to e^3 covers
    # a near-certain to a near-uniform classifier
    return float(np.exp(minimize_scalar(log_loss, bounds=(-5.0, 3.0),
                                        method="bounded").x))


def _resampled(series, length):
    """Series of any lengths as one ``(n, C, length)`` array, by linear interpolation."""
    return np.stack([_resample(np.atleast_2d(np.asarray(s, dtype=np.float64)), length,
                               "default", i) for i, s in enumerate(series)])


def _writable(value):
    if isinstance(value, np.ndarray) and not value.flags.writeable:
        return np.array(value)
    if isinstance(value, (tuple, list)):
        return type(value)(_writable(v) for v in value)
    return value


class RocketClassifier(ClassifierMixin, BaseEstimator):
    """MiniRocket, MultiRocket or Hydra features, scaled, and a ridge classifier.

    The usual ROCKET-family pipeline (Dempster et al. 2021, Tan et al. 2022): random
    dilated convolution kernels with proportion-of-positive-values pooling (and, for
    MultiRocket, three more pooling operators and the first difference of the series)
    turn every series into thousands of features; a ridge classifier with its penalty
    chosen by leave-one-out cross-validation reads them. Hydra (Dempster et al. 2023)
    counts instead, in groups of competing random kernels, which kernel matches each
    time step best and worst (:class:`~sktsmtl.nets.Hydra`), a dictionary method on
    ROCKET's kernels. Fitting takes seconds on hundreds of series. One task per
    estimator: wrap it in :class:`~sktsmtl.PerTaskClassifier` for a dict of tasks (the
    ``minirocket``, ``multirocket`` and ``hydra`` benchmark methods do).

    Parameters
    ----------
    variant : {"minirocket", "multirocket", "hydra"}, default="minirocket"
        The feature transform.
    n_kernels : int, default=None
        Number of features (MiniRocket) or kernels (MultiRocket) of sktime's
        transformer, or of Hydra's kernels per dilation (in groups of 8); None takes
        the default (10,000, 6,250 and 512).
    alphas : array-like, default=None
        Ridge penalties tried by :class:`~sklearn.linear_model.RidgeClassifierCV`; None
        is ``numpy.logspace(-3, 3, 10)``, the papers' choice.
    n_jobs : int, default=1
        Threads of sktime's transforms (Hydra's runs on torch's threads).
    random_state : int, RandomState instance or None, default=None
        Seed of the kernels' random choices (dilations, biases); an int gives the same
        features on every fit.

    Attributes
    ----------
    classes_ : ndarray
        Class labels.
    n_channels_ : int
        Channels of the training series.
    length_ : int
        Length of the training series (after padding to 9 where shorter).
    resample_length_ : int or None
        The length that training series of several lengths were resampled to (and
        every series is at predict); None when they shared one length.
    transformer_ : sktime transformer or Hydra's
        The fitted feature transform.
    scaler_ : transformer
        ``StandardScaler`` of the features; for Hydra, its paper's scaling (square
        roots of the counts, standardised, zero counts kept at zero).
    ridge_ : RidgeClassifierCV
    heldout_accuracy_ : float
        Leave-one-out accuracy of the ridge classifier on the training series (its
        penalty chosen on the same values): an estimate of its accuracy on new series,
        by which :class:`~sktsmtl.MultiTaskVotingClassifier` weighs it.
    temperature_ : float
        Temperature of the softmax over ridge scores in :meth:`predict_proba`, fitted
        on the training series' leave-one-out scores.
    n_features_in_ : int
        Width of a 2D ``(n, L)`` training array.

    Notes
    -----
    Missing values inside a series are filled by linear interpolation (UCR's NaN
    padding too, with the last observed value). The kernels need series of one length:
    a list of training series of several lengths is resampled by linear interpolation
    to the longest of them (:class:`~sktsmtl.preprocessing.Resampler`'s ``"max"``), and
    then every series given to predict is resampled to that length too
    (``resample_length_``); a classifier fitted on series of one length takes only
    that length.

    A ridge classifier gives scores, not probabilities. :meth:`predict_proba` is the
    softmax of the scores divided by ``temperature_`` (temperature scaling, Guo et al.
    2017), the temperature chosen for the least log loss on the ridge's leave-one-out
    scores of the training series: calibrated without held-out data, so that the
    classifier can vote with probabilistic ones
    (:class:`~sktsmtl.MultiTaskVotingClassifier`).

    References
    ----------
    A. Dempster, D. F. Schmidt, G. I. Webb, "MiniRocket: A Very Fast (Almost)
    Deterministic Transform for Time Series Classification", KDD 2021.

    C. W. Tan, A. Dempster, C. Bergmeir, G. I. Webb, "MultiRocket: multiple pooling
    operators and transformations for fast and effective time series classification",
    Data Mining and Knowledge Discovery, 2022.

    A. Dempster, D. F. Schmidt, G. I. Webb, "Hydra: competing convolutional kernels for
    fast and accurate time series classification", Data Mining and Knowledge Discovery,
    2023.

    Examples
    --------
    >>> import numpy as np
    >>> from sktsmtl.classification import RocketClassifier
    >>> rng = np.random.default_rng(0)
    >>> t = np.linspace(0, 6, 50)
    >>> freq = np.repeat([1.0, 3.0], 10)
    >>> X = np.sin(freq[:, None] * t) + 0.1 * rng.normal(size=(20, 50))
    >>> y = np.repeat(["slow", "fast"], 10)
    >>> clf = RocketClassifier(n_kernels=840, random_state=0).fit(X, y)
    >>> clf.score(X, y)
    1.0
    """

    _parameter_constraints = {
        "variant": [StrOptions({"minirocket", "multirocket", "hydra"})],
        "n_kernels": [Interval(numbers.Integral, 84, None, closed="left"), None],
        "alphas": ["array-like", None],
        "n_jobs": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(self, variant="minirocket", *, n_kernels=None, alphas=None, n_jobs=1,
                 random_state=None):
        self.variant = variant
        self.n_kernels = n_kernels
        self.alphas = alphas
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _series(self, X, reset, y=None):
        """``(n, C, L)`` float64 without NaN, from a 2D/3D array or a list of series
        and at fit ``y`` checked with it and the length series were resampled to."""
        target = None if reset else self.resample_length_
        ragged = isinstance(X, (list, tuple)) and len({np.shape(s) for s in X}) > 1
        if ragged:
            shapes = [np.shape(np.atleast_2d(s)) for s in X]
            channels = sorted({shape[0] for shape in shapes})
            if len(channels) > 1:
                raise ValueError(f"X's series have {channels[0]} to {channels[-1]} "
                                 "channels; RocketClassifier needs one number.")
            if reset:  # the kernels need one length: the longest, as Resampler's "max"
                target = max(shape[1] for shape in shapes)
            elif target is None:
                lengths = sorted({shape[1] for shape in shapes})
                raise ValueError(
                    f"X has series of lengths {lengths[0]} to {lengths[-1]}; the "
                    f"classifier was fitted on series of one length, {self.length_}. "
                    "Resample them to it (sktsmtl.preprocessing.Resampler).")
            X = _resampled(X, target)
        elif target is not None:  # as at fit (NaN padding not kept), before the checks
            X = _resampled(X, target)
        kwargs = dict(reset=reset, ensure_all_finite="allow-nan", allow_nd=True,
                      dtype=np.float64)
        if reset:
            X, y = validate_data(self, X, y, **kwargs)
        else:
            X = validate_data(self, X, **kwargs)
        if X.ndim == 2:
            X = X[:, np.newaxis, :]
        elif X.ndim != 3:
            raise ValueError(f"X must be (n, L) or (n, C, L), got shape {X.shape}.")
        if np.isnan(X).any():
            X = np.stack([interpolate_missing(s, index=i) for i, s in enumerate(X)])
        if not reset:
            if X.shape[1] != self.n_channels_ or X.shape[2] > self.length_ or (
                    X.shape[2] < self.length_ and X.shape[2] >= _MIN_LENGTH):
                raise ValueError(
                    f"X has {X.shape[1]} channels of length {X.shape[2]}; the classifier "
                    f"was fitted on {self.n_channels_} of length {self.length_}.")
        if X.shape[2] < _MIN_LENGTH:  # edge padding, as the kernels need 9 steps
            X = np.pad(X, ((0, 0), (0, 0), (0, _MIN_LENGTH - X.shape[2])), mode="edge")
        return (X, y, target) if reset else X

    def _features(self, X):
        with warnings.catch_warnings():  # sktime's deprecation notes on every call
            warnings.simplefilter("ignore", FutureWarning)
            features = self.transformer_.transform(X)
        return self.scaler_.transform(np.asarray(features, dtype=np.float64))

    def fit(self, X, y):
        """Fit the transform, the scaler and the ridge classifier.

        Parameters
        ----------
        X : array-like of shape (n, L) or (n, C, L)
            Series of one length (NaN filled by interpolation).
        y : array-like of shape (n,)

        Returns
        -------
        self : RocketClassifier
        """
        self._validate_params()
        X, y, self.resample_length_ = self._series(X, reset=True, y=y)
        check_classification_targets(y)
        self.n_channels_, self.length_ = int(X.shape[1]), int(X.shape[2])
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        n_kernels = self.n_kernels or _DEFAULT_KERNELS[self.variant]
        self.transformer_ = _transformer(self.variant, int(n_kernels), int(seed),
                                         self.n_jobs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            features = np.asarray(self.transformer_.fit_transform(X), dtype=np.float64)
        self.scaler_ = (_SparseScaler() if self.variant == "hydra"
                        else StandardScaler()).fit(features)
        features = self.scaler_.transform(features)
        alphas = np.logspace(-3, 3, 10) if self.alphas is None else np.asarray(self.alphas)
        self.ridge_ = RidgeClassifierCV(alphas=alphas).fit(features, y)
        self.classes_ = self.ridge_.classes_
        targets = LabelBinarizer(neg_label=-1).fit(self.classes_).transform(y).astype(np.float64)
        held_out = _leave_one_out_decision(features, targets, self.ridge_.alpha_)
        codes = np.searchsorted(self.classes_, y)
        scores = _class_scores(held_out[:, 0] if len(self.classes_) == 2 else held_out)
        self.heldout_accuracy_ = float(np.mean(scores.argmax(axis=1) == codes))
        self.temperature_ = _fit_temperature(scores, codes)
        return self

    def decision_function(self, X):
        """Ridge scores, ``(n,)`` for two classes, else ``(n, n_classes)``.

        Parameters
        ----------
        X : array-like of shape (n, L) or (n, C, L)

        Returns
        -------
        ndarray
        """
        check_is_fitted(self)
        return self.ridge_.decision_function(self._features(self._series(X, reset=False)))

    def predict_proba(self, X):
        """Class probabilities: the softmax of the ridge scores over ``temperature_``.

        Parameters
        ----------
        X : array-like of shape (n, L) or (n, C, L)

        Returns
        -------
        ndarray of shape (n, n_classes)
            Columns in ``classes_`` order.
        """
        return softmax(_class_scores(self.decision_function(X)) / self.temperature_, axis=1)

    def predict(self, X):
        """Class of every series.

        Parameters
        ----------
        X : array-like of shape (n, L) or (n, C, L)

        Returns
        -------
        ndarray of shape (n,)
        """
        check_is_fitted(self)
        return self.ridge_.predict(self._features(self._series(X, reset=False)))

    def __setstate__(self, state):
        # sktime's numba kernels take no read-only arrays: a model loaded from a
        # memory map (joblib.load(..., mmap_mode="r")) gets writable copies
        super().__setstate__(state)
        transformer = vars(self).get("transformer_")
        if transformer is not None:
            for name, value in vars(transformer).items():
                setattr(transformer, name, _writable(value))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.three_d_array = True
        tags.non_deterministic = False
        return tags
