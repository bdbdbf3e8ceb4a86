"""``NetworkEstimator``: the base of every estimator that trains a skorch net.

It holds what :class:`~sktsmtl.MultiTaskTimeSeriesClassifier` and
:class:`~sktsmtl.approximation.DTWApproximator` share: the training parameters, their
constraints and documentation, the routing of prefixed parameters (the skorch way:
``backbone__<name>`` as skorch routes ``module__<name>``, and skorch's own
``optimizer__``, ``criterion__``, ``iterator_train__``, ``iterator_valid__`` and
``callbacks__`` prefixes), and the one place where a skorch net is built.
"""

import copy
import inspect
import numbers
import os
import warnings

from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions
from skorch.callbacks import EarlyStopping, ProgressBar

from ..exceptions import FitInterruptedWarning
from .callbacks import BestEpochRestorer, EpochProgress, TaskProgressBar
from .checkpoint import CheckpointStore, TrainingCheckpoint, fit_fingerprint
from .device import resolve_device
from .distributed import data_parallel_group
from .net import PrecisionNet
from .precision import PRECISIONS

__all__ = ["NetworkEstimator", "ROUTED_PREFIXES", "TRAINING_PARAMETER_CONSTRAINTS",
           "document_training_parameters"]

#: Prefixes of the parameters an estimator takes as ``**params``: ``backbone__`` goes
#: to the backbone class, the others to the skorch net, as skorch itself routes them.
ROUTED_PREFIXES = ("backbone__", "optimizer__", "criterion__", "iterator_train__",
                   "iterator_valid__", "callbacks__")

#: scikit-learn ``_parameter_constraints`` of the training-loop parameters.
TRAINING_PARAMETER_CONSTRAINTS = {
    "optimizer": [callable],
    "max_epochs": [Interval(numbers.Integral, 1, None, closed="left")],
    "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
    "lr": [Interval(numbers.Real, 0, None, closed="neither")],
    "weight_decay": [Interval(numbers.Real, 0, None, closed="left")],
    "validation_fraction": [Interval(numbers.Real, 0, 1, closed="left")],
    "early_stopping": [Interval(numbers.Integral, 1, None, closed="left"), None],
    "device": [StrOptions({"cpu", "cuda", "auto"}), str],
    "precision": [StrOptions(set(PRECISIONS))],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
    "callbacks": [list, None],
    "checkpoint_dir": [str, os.PathLike, None],
}

_TRAINING_PARAMETERS_DOC = """\
optimizer : torch.optim.Optimizer class, default=torch.optim.AdamW
    Optimizer of the skorch net. Its other arguments are ``optimizer__<name>``
    parameters (``optimizer__betas=(0.9, 0.99)``, ``optimizer__momentum=0.9``).
max_epochs : int, default={max_epochs}
    Training epochs.
batch_size : int, default={batch_size}
    Mini-batch size.
lr : float, default={lr}
    Learning rate of AdamW (the optimizer's).
weight_decay : float, default={weight_decay}
    Weight decay passed to the optimizer (an ``optimizer__weight_decay`` parameter
    takes precedence).
validation_fraction : float, default={validation_fraction}
    Share of the training data held out to choose the best epoch ({validation_split});
    0 trains on everything and keeps the last epoch.
early_stopping : int, default={early_stopping}
    Stop when the validation score has not improved for this many epochs; None trains
    for ``max_epochs``, and so does a fit without validation part. The best validation
    epoch is kept either way.
device : {{"cpu", "cuda", "auto"}}, default="cpu"
    Torch device (``"cuda:1"`` too); ``"auto"`` takes a GPU when there is one.
precision : {{"float32", "bfloat16", "auto"}}, default="float32"
    Arithmetic of the forward and backward passes. ``"bfloat16"`` runs convolutions and
    matrix products under :func:`torch.autocast` (oneDNN's bfloat16 kernels on CPUs
    with AVX512-BF16 or AMX; CUDA's bfloat16); weights, optimiser state, losses and
    batch-norm statistics stay float32. ``"auto"`` is bfloat16 where the hardware has
    native bfloat16 products, else float32. See :doc:`/benchmarks` for its speed and
    accuracy.
random_state : int, RandomState instance or None, default=None
    Seeds the weights, the validation split and the batch order; with an int, two CPU
    fits give identical results.
verbose : int, default=0
    0 is silent; 1 prints one compact line per epoch (loss, mean and per-task
    validation accuracy, the best epoch marked, seconds: see
    :class:`~sktsmtl.training.EpochProgress`); 2 prints skorch's table instead.
callbacks : list of skorch callbacks, default=None
    Extra callbacks of the training loop (instances or ``(name, callback)`` tuples).
checkpoint_dir : str or path-like, default=None
    Folder of checkpoints that make a long fit resumable: after every epoch the
    training state is saved there (in a sub-folder named after a hash of the
    parameters and the data); the same fit called again after a crash, a ``kill`` or
    an interrupt continues from the last finished epoch and, on CPU with an int
    ``random_state``, ends with the same model bit for bit. A finished fit removes its
    checkpoints. None keeps none. See :ref:`interrupts`.
**params
    Routed parameters, as skorch routes ``module__<name>``: ``backbone__<name>`` is an
    argument of the backbone class (``backbone__preset`` picks one of its named sizes,
    such as ``"tiny"``); ``optimizer__<name>``, ``criterion__<name>``,
    ``iterator_train__<name>`` and ``iterator_valid__<name>`` (DataLoader arguments such
    as ``num_workers``) and ``callbacks__<name>__<param>`` (of a built-in callback,
    {callback_names}, or of one in ``callbacks``) reach the skorch net. They are in
    ``get_params()``, changed by ``set_params``, kept by ``clone`` and searched by
    ``GridSearchCV``. A ``backbone__`` name the backbone does not take is a ValueError
    at fit that lists the names it takes."""


class _EarlyStopping(EarlyStopping):
    """skorch's early stopping, idle in a fit that records no validation score (no task
    had enough series for a validation part): there is nothing to stop on."""

    def on_epoch_end(self, net, **kwargs):
        if self.monitor in net.history[-1]:
            super().on_epoch_end(net, **kwargs)


def _counting_bars(callbacks):
    """``callbacks`` with every plain skorch ``ProgressBar`` made a ``TaskProgressBar``
    with the same arguments (it counts Algorithm 2's batches)."""
    out = []
    for item in callbacks:
        name, callback = item if isinstance(item, tuple) else (None, item)
        if type(callback) is ProgressBar:
            callback = TaskProgressBar(**callback.get_params())
            item = (name, callback) if name is not None else callback
        out.append(item)
    return out


def document_training_parameters(validation_split, callback_names):
    """Class decorator: put the shared training-parameter text into a docstring.

    The line ``{training_parameters}`` of the docstring is replaced by the parameters'
    numpydoc entries, with the defaults of the class's own ``__init__``.

    Parameters
    ----------
    validation_split : str
        How the class holds out its validation data, in a few words.
    callback_names : str
        The names of its built-in callbacks, for the ``callbacks__`` entry.

    Returns
    -------
    callable
    """
    def decorate(cls):
        defaults = {name: p.default for name, p in
                    inspect.signature(cls.__init__).parameters.items()
                    if p.default is not p.empty}
        text = _TRAINING_PARAMETERS_DOC.format(
            validation_split=validation_split, callback_names=callback_names, **defaults)
        marker = "    {training_parameters}\n"
        if cls.__doc__ and marker in cls.__doc__:
            indented = "".join(f"    {line}\n" if line else "\n"
                               for line in text.splitlines())
            cls.__doc__ = cls.__doc__.replace(marker, indented)
        return cls

    return decorate


class NetworkEstimator(BaseEstimator):
    """Base class of the estimators that train a network with skorch.

    Subclasses list their parameters in ``__init__`` as scikit-learn requires, end it
    with ``**params`` and call :meth:`_set_routed_params` on them; they build their
    net with :meth:`_make_net` and the backbone from ``self._routed("backbone")``.

    Routed parameters (see :data:`ROUTED_PREFIXES`) are kept as given;
    :meth:`get_params` lists them beside the others, :meth:`set_params` sets them
    without going through a nested estimator, and fit checks them.
    """

    _parameter_constraints = dict(TRAINING_PARAMETER_CONSTRAINTS)

    # -- routed parameters -------------------------------------------------------------
    # They live in one private dict, not as attributes: scikit-learn's checks allow no
    # other public attribute after __init__ than the signature's parameters.
    def _set_routed_params(self, params):
        # no check here (scikit-learn's convention: __init__ only stores); fit checks
        if "_routed_params" not in vars(self):
            self._routed_params = {}
        self._routed_params.update(params)

    def _check_routed_params(self):
        for key in getattr(self, "_routed_params", {}):
            if not key.startswith(ROUTED_PREFIXES) or key in ROUTED_PREFIXES:
                raise TypeError(
                    f"{type(self).__name__} got an unexpected parameter {key!r}; routed "
                    f"parameters start with one of {', '.join(ROUTED_PREFIXES)} followed "
                    "by a name.")

    def get_params(self, deep=True):
        """Get parameters for this estimator, routed ones (``backbone__*``, ...) included.

        Parameters
        ----------
        deep : bool, default=True
            Also the parameters of contained estimators.

        Returns
        -------
        dict
        """
        params = super().get_params(deep=deep)
        params.update(getattr(self, "_routed_params", {}))
        return params

    def set_params(self, **params):
        """Set parameters, routed ones (``backbone__n_templates``, ...) included.

        Parameters
        ----------
        **params
            Estimator parameters.

        Returns
        -------
        self
        """
        routed = {k: v for k, v in params.items()
                  if k.startswith(ROUTED_PREFIXES) and k not in ROUTED_PREFIXES}
        self._set_routed_params(routed)
        rest = {k: v for k, v in params.items() if k not in routed}
        if rest:
            super().set_params(**rest)
        return self

    def _routed(self, prefix):
        """``{name: value}`` of the routed parameters ``<prefix>__<name>``."""
        start = f"{prefix}__"
        return {k[len(start):]: v for k, v in getattr(self, "_routed_params", {}).items()
                if k.startswith(start)}

    def _skorch_routed(self):
        """The routed parameters the skorch net takes, under their own names."""
        return {k: v for k, v in getattr(self, "_routed_params", {}).items()
                if not k.startswith("backbone__")}

    # -- the skorch net ----------------------------------------------------------------
    def _make_net(self, module, *, criterion, train_split, monitor, lower_is_better,
                  callbacks=(), net_class=PrecisionNet, **net_params):
        """The skorch net of one fit; the only place where one is built.

        Parameters
        ----------
        module : torch.nn.Module
            The network, built (and seeded) by the caller.
        criterion : type
            Loss class.
        train_split : callable or None
            skorch's validation split.
        monitor : str
            History key of the best-epoch and early-stopping callbacks.
        lower_is_better : bool
            Whether ``monitor`` is minimised.
        callbacks : list of (str, Callback), default=()
            The estimator's own callbacks, first in the loop.
        net_class : type, default=PrecisionNet
        **net_params
            Further skorch parameters of the estimator (the user's routed parameters
            are applied after them).

        Returns
        -------
        skorch.NeuralNet
            Not yet initialised.
        """
        cbs = list(callbacks)
        cbs.append(("best_epoch", BestEpochRestorer(monitor, lower_is_better=lower_is_better)))
        if self.early_stopping is not None and train_split is not None:
            # (without a validation part there is no score to stop on)
            cbs.append(("early_stopping", _EarlyStopping(
                monitor=monitor, patience=self.early_stopping,
                lower_is_better=lower_is_better, threshold=0.0)))
        group = data_parallel_group()
        quiet = group is not None and group[0] != 0  # one process speaks
        if self.verbose == 1 and not quiet:  # the compact line; skorch's table from 2 up
            cbs.append(("epoch_progress", EpochProgress()))
        cbs.extend(_counting_bars(copy.deepcopy(self.callbacks) or []))
        params = dict(
            criterion=criterion,
            optimizer=self.optimizer,
            lr=self.lr,
            optimizer__weight_decay=self.weight_decay,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            train_split=train_split,
            callbacks=cbs,
            device=resolve_device(self.device),
            verbose=0 if quiet else int(self.verbose >= 2),
            precision=self.precision,
            torch_load_kwargs={"weights_only": False},
        )
        params.update(net_params)
        routed = self._skorch_routed()
        params.update(routed)
        net = net_class(module, **params)
        # skorch ignores parameters of a callback name it does not have: say so instead
        names = {name for name, _ in net.get_default_callbacks()}
        names.update(cb[0] if isinstance(cb, tuple) else type(cb).__name__ for cb in cbs)
        for key in routed:
            if key.startswith("callbacks__"):
                name = key[len("callbacks__"):].split("__")[0]
                if name not in names:
                    raise ValueError(
                        f"{key}: there is no callback named {name!r}; the callbacks are "
                        f"{', '.join(sorted(names))}.")
        return net

    # -- training, checkpoints and interrupts -------------------------------------------
    def _open_checkpoints(self, *data):
        """Start a fit: find (or prepare) its checkpoints; ``data`` is hashed by value."""
        self._fit_interruptions = []
        self._checkpoints = (None if self.checkpoint_dir is None else
                             CheckpointStore(self.checkpoint_dir, fit_fingerprint(self, *data)))

    def _close_checkpoints(self):
        """End a fit: remove its checkpoints unless it was interrupted; set
        ``interrupted_`` and warn about an interrupt."""
        store = vars(self).pop("_checkpoints", None)
        interruptions = vars(self).pop("_fit_interruptions", [])
        self.interrupted_ = bool(interruptions)
        if interruptions:
            where = "; ".join(interruptions)
            resume = (f"; fit again with the same data and parameters to resume from "
                      f"the checkpoints in {str(store.path)!r}" if store is not None else
                      "; set checkpoint_dir to make a fit resumable")
            warnings.warn(
                f"{type(self).__name__}.fit was interrupted ({where}): the estimator "
                "holds the best state trained so far, not a finished fit "
                f"(interrupted_ is True){resume}.", FitInterruptedWarning, stacklevel=3)
        elif store is not None:
            store.clear()

    def _abort_fit(self):
        """Forget a fit that cannot go on: its checkpoints stay for a later call."""
        vars(self).pop("_checkpoints", None)
        vars(self).pop("_fit_interruptions", None)

    def _train(self, net, X, y=None, *, stage, required=True, label="", continued=False):
        """Fit ``net``, resuming ``stage`` from a checkpoint; return the trained net.

        Parameters
        ----------
        net : PrecisionNet
            Built by :meth:`_make_net`, not yet fitted.
        X, y
            Training data of ``net.fit``.
        stage : str
            Name of this training stage within the fit (``"shared"``, ``"task-0"``).
        required : bool, default=True
            Whether the estimator needs this stage to predict: an interrupt before its
            first finished epoch then ends the whole fit (``KeyboardInterrupt``).
        label : str, default=""
            How the progress lines name the stage (``"task accel_x"``); "" for the
            main one.
        continued : bool, default=False
            ``net`` is fitted already: train it further (``partial_fit``, warm start).

        Returns
        -------
        PrecisionNet
            ``net`` or, when resumed, the net read from the checkpoint; its
            ``interrupted_`` says whether an interrupt cut the stage short.
        """
        net.stage_label_ = label
        store = getattr(self, "_checkpoints", None)
        saved = store.load(stage) if store is not None else None
        if saved is not None and saved["finished"]:
            return saved["net"]
        try:
            if continued:
                net.partial_fit(X, y)
            elif saved is not None:
                net = saved["net"]
                net.stage_label_ = label
                store.restore_random_state(saved)
                net.resume_from_epoch_ = saved["epoch"]
                net.partial_fit(X, y)
            else:
                if store is not None:  # last: it saves the other callbacks' records
                    net.callbacks = list(net.callbacks or []) + [
                        ("resume_checkpoint", TrainingCheckpoint(store, stage))]
                net.fit(X, y)
        except KeyboardInterrupt:
            self._abort_fit()
            raise
        if net.interrupted_:
            finished = len(net.history)
            if required and finished == 0:
                self._abort_fit()
                raise KeyboardInterrupt(f"{stage}: interrupted before its first epoch")
            self._fit_interruptions.append(
                f"stage {stage!r} after {finished} of {net.max_epochs} epochs")
        elif store is not None:
            store.save(stage, net, finished=True)
        return net

    def _check_training_params(self):
        """Checks of fit that scikit-learn's constraints cannot express."""
        self._check_routed_params()
        if data_parallel_group() is not None:
            if not isinstance(self.random_state, numbers.Integral):
                raise ValueError(
                    "random_state must be an int in data-parallel training (a process "
                    f"group of {data_parallel_group()[1]} processes): every process must "
                    f"split and batch the data alike; got {self.random_state!r}.")
            if self.checkpoint_dir is not None:
                raise ValueError(
                    "checkpoint_dir is not available in data-parallel training: the "
                    "processes would write one store each; train without it.")
