"""``TS2VecTransformer``: self-supervised TS2Vec representations as a scikit-learn transformer."""

import copy
import numbers
import warnings

import numpy as np
import torch
from sklearn.utils._param_validation import Hidden, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .._deprecation import DEPRECATED, REMOVAL, renamed
from ..data import SINGLE_TASK, TaskPanel
from ..preprocessing import SeriesTransformer, interpolate_missing
from ..nets import HierarchicalContrastiveLoss, TS2VecEncoder
from ..training import TRAINING_PARAMETER_CONSTRAINTS, NetworkEstimator, seed_sequence
from ._contrastive import (
    AveragedWeights,
    ContrastiveDataset,
    ContrastiveNet,
    TaskSeries,
    default_n_iters,
    epoch_steps,
    epochs_for,
)

__all__ = ["TS2VecTransformer"]

_TRANSFORM_BATCH = 256


class TS2VecTransformer(SeriesTransformer, NetworkEstimator):
    """Self-supervised TS2Vec encoder(s): series in, 320-d representations out.

    ``fit`` trains a :class:`~sktsmtl.nets.TS2VecEncoder` with TS2Vec's objective (Yue
    et al. 2022), without labels: for every series of a mini-batch, two overlapping
    random crops; the encoder (in training mode, so with its binomial timestamp masking
    of each view) gives per-step representations of both views; the
    :func:`~sktsmtl.nets.hierarchical_contrastive_loss` of their overlap is minimised
    with AdamW. ``transform`` gives the instance representation of every series: the
    evaluation-mode encoder's max over all time steps.

    With several tasks, ``multitask=True`` trains one encoder on all tasks (the
    self-supervised pre-training on all datasets of the MTCS paper, section 4.4.1;
    every mini-batch holds the series of one task, the tasks' batches shuffled
    together) and ``multitask=False`` one encoder per task (TS2Vec's own protocol, the
    MTCS paper's "TS2Vec" column).

    Followed by :class:`~sktsmtl.classification.PerTaskClassifier` of
    :class:`~sktsmtl.classification.CrossValidatedSVC`, this is the TS2Vec
    classification protocol (``fit_svm``) on any input form.

    Decisions left open by the sources (documented here, and parameters where a user
    may want the other choice):

    * Crops (``crop_layout``): one overlap length is drawn per mini-batch, uniformly
      between ``2**(temporal_unit + 1)`` and the batch's shortest series. With
      ``"shared"`` (the default, TS2Vec's code) the overlap's start and the views' outer
      ends are drawn once for the batch inside its shortest length, and the whole
      layout is shifted by a random offset per series, inside that series; so every
      row's views have the same widths (TS2Vec's layout, extended to rows of different
      lengths). With ``"per_series"`` they are drawn inside every series on its own.
      On Lightning7 the shared layout scores 0.844 against 0.803 over 5 seeds (see
      ``docs/mtcs.rst``). Each view is encoded with its true length, so the padding of
      shorter series never reaches the loss.
    * Missing values inside a series are filled by linear interpolation before
      training and before encoding (:func:`~sktsmtl.preprocessing.interpolate_missing`).
    * Series longer than ``max_train_length`` are cut, at every step, to a random
      window of that length (TS2Vec splits them into sections once).
    * The averaged weights (``swa``) average every step's weights, the initial ones
      not included.
    * The training length is in optimiser steps, ``n_iters``, as in TS2Vec; None takes
      TS2Vec's rule on the training data of each encoder: 200 steps up to 100,000
      values (series x channels x longest length), else 600. ``max_epochs`` (the
      package's word for training length) caps the epochs (an epoch: every task's full
      batches once); with ``n_iters=None`` and an int ``max_epochs``, training is that
      many whole epochs.
    * Training runs on the package's skorch stack (:class:`~sktsmtl.training.NetworkEstimator`):
      a :class:`~sktsmtl.representation.ContrastiveNet` whose criterion is the
      hierarchical contrastive loss, TS2Vec's weight averaging as a callback; the
      optimiser (``optimizer``, ``optimizer__*``), ``callbacks`` (``callbacks__*``),
      progress (``verbose``), precision, device and ``checkpoint_dir`` work as in the
      classifier. There is no validation part and so no early stopping: the objective
      has no labels to validate on, and TS2Vec trains a fixed number of steps.

    Parameters
    ----------
    output_dim : int, default=320
        Size of the representation.
    hidden_dim : int, default=64
        Channels of the hidden blocks.
    depth : int, default=10
        Number of hidden dilated residual blocks.
    mask_p : float, default=0.5
        Timestamp masking probability during training.
    dropout : float, default=0.1
        Dropout on the per-step representations during training.
    multitask : bool, default=True
        With several tasks: one encoder for all tasks (True) or one per task (False).
        Ignored with one task. (The word of every estimator of the package for "one
        network learns the tasks together".)
    n_iters : int or None, default=None
        Optimiser steps per encoder; None: TS2Vec's 200 / 600 rule, unless
        ``max_epochs`` is set.
    max_epochs : int or None, default=None
        At most this many epochs per encoder; None: as many as ``n_iters`` steps take.
    optimizer : torch.optim.Optimizer class, default=torch.optim.AdamW
        Its other arguments are ``optimizer__<name>`` parameters.
    batch_size : int, default=8
        Series per mini-batch (TS2Vec's UCR setting), at most the task's series count.
    lr : float, default=1e-3
        Learning rate (TS2Vec's; the classifier's default too).
    weight_decay : float, default=1e-2
        Weight decay (torch's AdamW default, which TS2Vec keeps).
    instance_weight : float, default=0.5
        Weight of the instance-wise terms of the loss (``1 - instance_weight``:
        temporal). TS2Vec's ``alpha``; the package's ``alpha`` is the MTCS loss weight.
    temporal_unit : int, default=0
        Lowest pooling level with a temporal term; crops have at least
        ``2**(temporal_unit + 1)`` steps, so every training series needs as many.
    max_train_length : int or None, default=3000
        Longest training window; None: no limit.
    crop_layout : {"shared", "per_series"}, default="shared"
        How the two overlapping views are placed: one layout per mini-batch shifted per
        series (TS2Vec's), or one layout per series.
    swa : bool, default=True
        Encode with the running average of the weights over the training steps (TS2Vec
        does); False: the final weights.
    device : {"cpu", "cuda", "auto"} or str, default="cpu"
        Training device; the fitted encoders are kept on the CPU.
    precision : {"float32", "bfloat16", "auto"}, default="float32"
        Arithmetic of the training passes: ``"bfloat16"`` runs them under
        :func:`torch.autocast` (the loss and the weights stay float32); ``"auto"`` where
        the hardware has native bfloat16 products. Representations are computed in
        float64 in any case.
    random_state : int, RandomState instance or None, default=None
        Seeds weights, masks, dropout, crops and batch order; an int makes a CPU fit
        repeatable to the bit.
    verbose : int, default=0
        0 is silent; 1 prints one line per epoch (loss, seconds); 2 skorch's table.
    callbacks : list of skorch callbacks, default=None
        Extra callbacks of the training loop (instances or ``(name, callback)`` tuples).
    checkpoint_dir : str or path-like, default=None
        Folder of checkpoints that make a long fit resumable, as in the classifier.
    joint : bool
        Deprecated: the old name of ``multitask`` (removed in 0.3).
    alpha : float
        Deprecated: the old name of ``instance_weight`` (removed in 0.3).
    **params
        Routed parameters of the skorch net, as in the classifier: ``optimizer__<name>``,
        ``iterator_train__<name>`` and ``callbacks__<name>__<param>`` (of
        ``averaged_weights`` or of one in ``callbacks``).

    Attributes
    ----------
    encoders_ : dict
        ``{task: TS2VecEncoder}`` on the CPU in evaluation mode, its weights in float64
        (trained in float32; float64 makes a series' representation independent of the
        other series encoded with it); with ``multitask`` every task maps to the same
        encoder.
    history_ : skorch History or dict
        The encoder's training record (a row per epoch: loss, batches, seconds); a dict
        ``{task: History}`` when every task has its own encoder (``multitask=False``),
        as in the classifier.
    n_iters_ : int or dict
        Optimiser steps of the encoder; ``{task: int}`` with ``multitask=False``.
    loss_curves_ : dict
        Deprecated (removed in 0.3): ``{task: list of float}``, the ``train_loss``
        column of the task's encoder's ``history_``.
    interrupted_ : bool
        Whether an interrupt cut training short (see :ref:`interrupts`).
    tasks_ : list
        Tasks seen at fit.
    n_channels_ : dict
        ``{task: C}``.
    n_features_in_ : int
        Number of time steps, only when fitted on a plain 2D array.
    feature_names_in_ : ndarray of str
        Only when fitted on a 2D array-like with string column names.

    See Also
    --------
    sktsmtl.nets.TS2VecEncoder : the encoder.
    sktsmtl.nets.hierarchical_contrastive_loss : the objective.
    sktsmtl.classification.CrossValidatedSVC : TS2Vec's SVM stage.

    Notes
    -----
    ``X`` may be a dict ``{task: X_t}``, a :class:`~sktsmtl.data.TaskPanel`, an
    ``(n, L)`` or ``(n, C, L)`` array, or a list of 1D/2D series of varying length.
    ``transform`` returns ``(n, output_dim)`` float64 representations in the input's
    form: a dict of arrays for a dict, a ``TaskPanel`` of univariate "series" of
    ``output_dim`` values for a ``TaskPanel`` (so that a grid search can index it and
    a :class:`~sktsmtl.classification.PerTaskClassifier` fit on it), and one array for
    an array or a list. A plain 2D array is one task whose time steps are features, so
    ``transform`` then needs the ``n_features_in_`` seen at fit.

    The sktsmtl reimplementation differs from TS2Vec's code in the points above; see
    ``docs/mtcs.rst`` for accuracies measured with it.

    Examples
    --------
    >>> import numpy as np
    >>> from sktsmtl.representation import TS2VecTransformer
    >>> X = np.random.default_rng(0).normal(size=(6, 20))
    >>> ssl = TS2VecTransformer(output_dim=8, hidden_dim=4, depth=1, n_iters=2,
    ...                         random_state=0)
    >>> ssl.fit_transform(X).shape
    (6, 8)
    >>> Z = ssl.fit_transform({"a": X, "b": [X[0, :12], X[1]]})
    >>> Z["a"].shape, Z["b"].shape
    ((6, 8), (2, 8))
    """

    _keeps_length = False

    _parameter_constraints = {
        **{k: v for k, v in TRAINING_PARAMETER_CONSTRAINTS.items()
           if k not in ("validation_fraction", "early_stopping")},
        "max_epochs": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "output_dim": [Interval(numbers.Integral, 1, None, closed="left")],
        "hidden_dim": [Interval(numbers.Integral, 1, None, closed="left")],
        "depth": [Interval(numbers.Integral, 0, None, closed="left")],
        "mask_p": [Interval(numbers.Real, 0, 1, closed="left")],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "multitask": ["boolean"],
        "joint": ["boolean", Hidden(StrOptions({DEPRECATED}))],
        "n_iters": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "instance_weight": [Interval(numbers.Real, 0, 1, closed="both")],
        "alpha": [Interval(numbers.Real, 0, 1, closed="both"), Hidden(StrOptions({DEPRECATED}))],
        "temporal_unit": [Interval(numbers.Integral, 0, None, closed="left")],
        "max_train_length": [Interval(numbers.Integral, 2, None, closed="left"), None],
        "crop_layout": [StrOptions({"shared", "per_series"})],
        "swa": ["boolean"],
    }

    # no validation part (see Notes): nothing to hold out, nothing to stop on
    validation_fraction = 0.0
    early_stopping = None

    def __init__(self, output_dim=320, hidden_dim=64, depth=10, mask_p=0.5, dropout=0.1,
                 multitask=True, n_iters=None, max_epochs=None, optimizer=torch.optim.AdamW,
                 batch_size=8, lr=1e-3, weight_decay=1e-2, instance_weight=0.5,
                 temporal_unit=0, max_train_length=3000, crop_layout="shared", swa=True,
                 device="cpu", precision="float32", random_state=None, verbose=0,
                 callbacks=None, checkpoint_dir=None, joint=DEPRECATED, alpha=DEPRECATED,
                 **params):
        self.output_dim = output_dim
        self.hidden_dim = hidden_dim
        self.depth = depth
        self.mask_p = mask_p
        self.dropout = dropout
        self.multitask = multitask
        self.n_iters = n_iters
        self.max_epochs = max_epochs
        self.optimizer = optimizer
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.instance_weight = instance_weight
        self.temporal_unit = temporal_unit
        self.max_train_length = max_train_length
        self.crop_layout = crop_layout
        self.swa = swa
        self.device = device
        self.precision = precision
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks
        self.checkpoint_dir = checkpoint_dir
        self.joint = joint
        self.alpha = alpha
        self._set_routed_params(params)

    def _check_params(self):
        self._validate_params()
        self._check_training_params()
        for key in getattr(self, "_routed_params", {}):
            if key.startswith(("backbone__", "criterion__")):
                raise ValueError(
                    f"{key}: the encoder's arguments are TS2VecTransformer's own "
                    "parameters (output_dim, hidden_dim, depth, mask_p, dropout) and the "
                    "loss's are instance_weight and temporal_unit.")
        min_crop = 2 ** (self.temporal_unit + 1)
        if self.max_train_length is not None and self.max_train_length < min_crop:
            raise ValueError(
                f"max_train_length={self.max_train_length} is shorter than the shortest "
                f"crop, 2**(temporal_unit + 1) = {min_crop} steps."
            )

    def _task_series(self, panel, task, for_training):
        """The task's series, missing values filled, checked for the crop length."""
        min_crop = 2 ** (self.temporal_unit + 1)
        series = []
        for index, row in enumerate(panel.rows_of(task)):
            s = panel.series[row]
            if for_training and s.shape[1] < min_crop:
                single = " (1 feature(s))" if task == SINGLE_TASK and s.shape[1] == 1 else ""
                raise ValueError(
                    f"task {task!r}: series {index} has {s.shape[1]} time step(s){single}; "
                    f"TS2Vec's training crops two overlapping views of at least "
                    f"2**(temporal_unit + 1) = {min_crop} steps (temporal_unit="
                    f"{self.temporal_unit}), so every training series needs at least "
                    f"{min_crop} steps."
                )
            if np.isnan(s).any():
                s = interpolate_missing(s, task=task, index=index)
            series.append(np.asarray(s, dtype=np.float64))
        return series

    def _encoder_params(self, n_channels):
        return dict(in_channels=n_channels, hidden_dim=self.hidden_dim,
                    output_dim=self.output_dim, depth=self.depth, mask_p=self.mask_p,
                    dropout=self.dropout)

    def _fit_panel(self, panel):
        tasks = panel.tasks
        channels = panel.n_channels()
        data = {t: TaskSeries(t, self._task_series(panel, t, True)) for t in tasks}
        joint = renamed("joint", self.joint, "multitask", self.multitask,
                        "TS2VecTransformer") and len(tasks) > 1
        instance_weight = renamed("alpha", self.alpha, "instance_weight",
                                  self.instance_weight, "TS2VecTransformer")
        if joint and len(set(channels.values())) > 1:
            raise ValueError(
                "multitask=True trains one encoder on all tasks, which needs one channel "
                f"count; got {channels}. Use multitask=False for one encoder per task."
            )
        groups = [list(tasks)] if joint else [[t] for t in tasks]
        seeds = seed_sequence(self.random_state, len(groups))
        self.encoders_, histories, n_iters = {}, {}, {}
        self._open_checkpoints(*[data[t].values for t in tasks])
        try:
            for i, (group, seed) in enumerate(zip(groups, seeds)):
                dataset = ContrastiveDataset([data[t] for t in group])
                name = "joint" if joint else str(group[0])
                net, steps = self._train_encoder(dataset, channels[group[0]], seed,
                                                 instance_weight, stage=f"encoder-{i}",
                                                 label="" if joint else f"task {name}")
                final = net.averaged_.module if self.swa else net.module_
                # float64 for inference: a row's representation then does not depend,
                # to float32 rounding, on the other rows of its batch
                encoder = copy.deepcopy(final).to("cpu").double().eval()
                for t in group:
                    self.encoders_[t] = encoder
                    histories[t], n_iters[t] = net.history, steps
        except BaseException:
            self._abort_fit()
            raise
        # one training run: one value; one per task: {task: value} (the classifier's rule)
        self.history_ = histories[tasks[0]] if joint else histories
        self.n_iters_ = n_iters[tasks[0]] if joint else n_iters
        self._close_checkpoints()

    def _train_encoder(self, dataset, n_channels, seed, instance_weight, *, stage, label):
        """``(net, steps)``: one encoder trained on ``dataset``."""
        steps, epochs = self.n_iters, self.max_epochs
        if steps is None and epochs is None:
            steps = default_n_iters(dataset.size)
        if epochs is None:
            epochs = epochs_for(steps, dataset.tasks, self.batch_size)
        rng = np.random.default_rng(seed)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(int(rng.integers(2**31 - 1)))
            encoder = TS2VecEncoder(**self._encoder_params(n_channels))
            net = self._make_net(
                encoder, net_class=ContrastiveNet, criterion=HierarchicalContrastiveLoss,
                criterion__alpha=instance_weight, criterion__temporal_unit=self.temporal_unit,
                train_split=None, monitor="train_loss", lower_is_better=True,
                callbacks=[("averaged_weights", AveragedWeights())] if self.swa else [],
                max_epochs=epochs, step_limit=steps, random_state=rng,
                max_train_length=self.max_train_length, crop_layout=self.crop_layout)
            net = self._train(net, dataset, stage=stage, label=label)
        planned = epochs * epoch_steps(dataset.tasks, self.batch_size)
        return net, planned if steps is None else min(steps, planned)

    def _encode(self, encoder, series):
        """``(n, output_dim)`` float64 representations of a task's series."""
        out = np.empty((len(series), encoder.embedding_dim), dtype=np.float64)
        # batches of series sorted by length: little padding
        order = np.argsort([s.shape[1] for s in series], kind="stable")
        with torch.no_grad():
            for start in range(0, len(order), _TRANSFORM_BATCH):
                rows = order[start:start + _TRANSFORM_BATCH]
                batch = TaskSeries(None, [series[i] for i in rows], dtype=np.float64)
                x = torch.from_numpy(batch.values)
                lengths = None if np.all(batch.lengths == x.shape[-1]) else (
                    torch.from_numpy(batch.lengths))
                out[rows] = encoder(x, lengths).numpy()
        return out

    def fit(self, X, y=None):
        """Train the encoder(s) on the series of ``X``, without labels.

        Parameters
        ----------
        X : dict, TaskPanel, array-like or list
            ``{task: X_t}``, a ``TaskPanel``, an ``(n, L)`` or ``(n, C, L)`` array
            (NaN-padded or not) or a list of 1D/2D series of varying length.
        y : None
            Ignored (labels of any form are accepted and not used).

        Returns
        -------
        self : TS2VecTransformer
            The fitted transformer.

        Raises
        ------
        ValueError
            On bad input, or a series shorter than ``2**(temporal_unit + 1)`` steps,
            naming the task.
        """
        return super().fit(X, y)

    @property
    def loss_curves_(self):
        """Deprecated: ``{task: train_loss per epoch}``; read ``history_`` instead."""
        if "history_" not in vars(self):
            raise AttributeError("loss_curves_ exists after fit.")
        warnings.warn("TS2VecTransformer.loss_curves_ is deprecated and will be removed in "
                      f"{REMOVAL}; read the 'train_loss' column of history_.", FutureWarning,
                      stacklevel=2)
        histories = (self.history_ if isinstance(self.history_, dict) else
                     {t: self.history_ for t in self.tasks_})
        return {t: [float(v) for v in h[:, "train_loss"]] for t, h in histories.items()}

    def transform(self, X):
        """Representations of every series of ``X``, in the form of ``X``.

        Parameters
        ----------
        X : dict, TaskPanel, array-like or list
            Input of any form accepted by :meth:`fit`, with tasks seen at fit and their
            channel counts; series of any length of at least one step.

        Returns
        -------
        Z : dict, TaskPanel or ndarray
            ``(n, output_dim)`` float64 per task: a dict of arrays for a dict, a
            ``TaskPanel`` of ``output_dim``-step univariate rows for a ``TaskPanel``,
            an array for an array or a list.
        """
        check_is_fitted(self)
        panel, form = self._read(X, reset=False)
        per_task = {t: self._encode(self.encoders_[t], self._task_series(panel, t, False))
                    for t in panel.tasks}
        if form.kind == "dict":
            return per_task
        if form.kind == "panel":
            rows = [None] * len(panel)
            for t in panel.tasks:
                for row, z in zip(panel.rows_of(t), per_task[t]):
                    rows[row] = z[None, :]
            return TaskPanel(rows, panel.task_ids.copy(), {t: True for t in panel.tasks})
        return per_task[panel.tasks[0]]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        tags.requires_fit = True
        return tags
