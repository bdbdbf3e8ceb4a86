"""``MultiTaskTimeSeriesClassifier``: one network learning several tasks together."""

import math
import numbers
import warnings

import numpy as np
import torch
from sklearn.base import TransformerMixin, clone, is_classifier
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ..data import (
    check_task_classes,
    check_task_data,
    check_task_input,
    format_like_input,
    is_label_columns,
)
from ..preprocessing import MissingValueImputer, ZNormalizer
from ..nets import get_backbone
from ..training import (
    MultiTaskNet,
    NetworkEstimator,
    TaskDataset,
    TaskStratifiedSplit,
    build_backbone,
    build_network,
    document_training_parameters,
    finetune_per_task,
    fit_final_estimators,
    joint_training_parts,
    predict_head_logits,
    predict_task_logits,
    seed_sequence,
    select_per_task,
    task_embeddings,
)
from .base import MultiTaskClassifierMixin, is_multitask_input
from .shared_input import SharedInputMixin

__all__ = ["MultiTaskTimeSeriesClassifier"]


@document_training_parameters(
    validation_split="stratified by class within every task; the epoch with the best "
    "mean validation accuracy over tasks is kept; 0.25 of the data given to fit is the "
    "ResNet2D paper's 60/20 train/validation proportion",
    callback_names="``task_accuracy``, ``best_epoch`` and ``early_stopping``")
class MultiTaskTimeSeriesClassifier(SharedInputMixin, MultiTaskClassifierMixin,
                                    TransformerMixin, NetworkEstimator):
    """Multi-task time-series classifier: a shared backbone with one head per task.

    Hard parameter sharing (Yeh et al. 2023): every task's series go through one
    backbone network into a shared embedding, and one linear head per task classifies
    it. The backbone is ResNet1D, ResNet2D (whose learnable templates turn a series into
    a pairwise-distance tensor read by 2D convolutions), the TS2Vec dilated-CNN encoder
    of MTCS, or ConvTimeNet. Training follows the ResNet2D paper's Algorithm 2: each
    mini-batch holds one task, the largest task is seen once per epoch and smaller ones
    are cycled, task order is shuffled at every iteration. A stratified share of every
    task is held out and the epoch with the best mean validation accuracy is restored at
    the end. ``sharing="mtcs"`` adds the classifier-sharing loss of MTCS (Wang et al.
    2022), and ``final_estimator`` replaces the heads at prediction by a classifier per
    task fit on the frozen embeddings (MTCS's SVM fine-tuning stage).

    Parameters
    ----------
    backbone : str or torch.nn.Module subclass, default="resnet1d"
        The shared network: a registered name (:func:`sktsmtl.nets.backbone_names`
        lists them, the user guide's "Backbones" table describes them; add one with
        :func:`sktsmtl.nets.register_backbone`), or a class that follows the contract of
        :class:`sktsmtl.nets.Backbone`. Its arguments are
        ``backbone__<name>`` parameters (``backbone__filters=(32, 64, 64)``,
        ``backbone="resnet2d", backbone__n_templates=32``, ``backbone__preset="tiny"``).
        ResNet1D is the default because it trains well at the default settings on a
        CPU (see :doc:`/benchmarks`, "Defaults"); ResNet2D is the ResNet2D paper's.
    multitask : bool, default=True
        False trains one independent network per task through the same code (the
        papers' non-MTL baselines).
    sharing : {"hard", "mtcs"}, default="hard"
        "hard": each batch is trained on its task's cross-entropy alone (hard parameter
        sharing). "mtcs": every batch goes through every task's head and the MTCS
        classifier-sharing loss pulls together the weight rows of class pairs whose
        predictions co-occur more than ``tau`` times the uniform rate (Wang et al.
        2022, eq. 3-6). Needs ``multitask=True``.
    alpha : float, default=0.1
        Weight of the MTCS sharing loss.
    tau : float, default=2.0
        MTCS relevance threshold.
    final_estimator : None, "svm" or classifier, default=None
        None predicts with the network's heads. "svm" fits, per task, the SVC protocol
        of TS2Vec and MTCS (:class:`~sktsmtl.classification.CrossValidatedSVC`) on the
        frozen embeddings of the task's training series; any other scikit-learn
        classifier is cloned per task and fit the same way.
    task_norm_stats : bool, default=True
        Keep batch-norm running statistics per task (the learnable weights stay
        shared). With shared statistics, tasks of different scale are normalised in
        evaluation mode by an average that fits none of them; measured on the ECG
        group, ECGFiveDays then falls to chance although its training loss is zero.
    recalibrate_norm : bool, default=False
        After every training epoch, before validation, recompute each task's batch-norm
        running statistics with the epoch's final weights (one pass over the task's
        training series without gradients, a cumulative average). During training the
        running averages mix statistics of weights that kept moving; with a shared
        network a task's statistics also lag behind the weights that other tasks'
        batches moved. Costs one forward pass over the training data per epoch.
    model_selection : {"mean", "per_task"}, default="mean"
        Which epoch's weights predict. "mean": one state, the epoch with the best mean
        validation accuracy over tasks (the papers' protocol). "per_task": every task
        keeps the state of its own best validation epoch and is predicted (``predict``,
        ``transform``, the final estimator) with it; memory holds one copy of the
        network per task. Only with ``multitask=True``.
    task_weights : dict, default=None
        ``{task: weight}``: each task's training loss is multiplied by its weight
        (tasks left out weigh 1); None weighs every task 1.
    class_weight : {"balanced"}, dict or None, default=None
        Weights of the classes in each task's training loss, for imbalanced tasks (the
        validation scores stay unweighted). "balanced" weighs every task's class ``c``
        by ``n_t / (n_classes_t * n_t,c)`` from the labels given to fit, as
        scikit-learn does. A dict ``{task: "balanced" or {class: weight}}`` sets it per
        task (tasks and classes left out weigh 1); for one task's array, a dict is
        ``{class: weight}`` as in scikit-learn. It weighs the networks' training (and
        fine-tuning) loss; a ``final_estimator`` is fitted unweighted.
    warm_start : bool, default=False
        When True, ``fit`` goes on training the networks of the previous fit (their
        weights, optimiser state and history; ``max_epochs`` more epochs at the current
        ``lr``) instead of new ones, as skorch's ``warm_start`` does. The data must
        have the tasks and classes of the previous fit; per-task selection,
        fine-tuning and the final estimator then run again on the result. Not with
        ``checkpoint_dir``.
    gradient_surgery : {None, "pcgrad"}, default=None
        "pcgrad" (Yu et al. 2020): the backbone gradients of one iteration's batches
        (one per task) are projected onto the normal plane of the others' where they
        conflict, summed and applied in one step (see
        :func:`~sktsmtl.training.gradient_surgery.pcgrad`). An epoch then takes one
        optimiser step per iteration instead of one per batch.
    finetune_epochs : int, default=0
        After joint training (and model selection), train every task's copy of the
        network for this many epochs on that task's training part alone and keep its
        best epoch on the task's validation part (the last without validation); the
        jointly trained state competes as epoch 0, so a task whose fine-tuning does not
        improve its validation score keeps it. 0 skips the stage. Only with
        ``multitask=True``.
    finetune : {"head", "all"}, default="head"
        What the fine-tuning stage trains: the task's head alone (the backbone frozen;
        its per-task batch-norm statistics still adapt), or head and backbone.
    finetune_lr : float, default=None
        Learning rate of the fine-tuning stage; None uses ``lr`` for ``"head"`` and
        ``lr / 10`` for ``"all"``.
    normalize : bool, default=False
        Z-normalise every series (per channel) before training and prediction. It
        helps some datasets and hurts others (amplitude carries class information in
        accelerometer data), so it is off by default and a benchmark records it.
    {training_parameters}

    Attributes
    ----------
    tasks_ : list
        Task ids seen in fit.
    classes_ : dict or ndarray
        ``{task: classes}``; for a plain array input (one task) the classes array.
    n_channels_ : dict
        ``{task: channels}``.
    nets_ : dict
        ``{task: MultiTaskNet}``; with ``multitask=True`` every task maps to the same
        shared net.
    final_estimators_ : dict
        ``{task: fitted classifier}`` on the embeddings; only with a
        ``final_estimator``.
    history_ : skorch History or dict
        Per-epoch training record; a dict ``{task: History}`` when
        ``multitask=False``.
    best_epoch_ : int or dict
        Epoch restored (1-based); a dict per task when ``multitask=False`` or
        ``model_selection="per_task"``.
    finetune_history_ : dict
        ``{task: History}`` of the fine-tuning stage; only with ``finetune_epochs > 0``.
    finetune_epoch_ : dict
        ``{task: epoch}`` of the fine-tuning stage kept for each task, 0 where the
        jointly trained state scored at least as well on the task's validation part;
        only with ``finetune_epochs > 0``.
    heldout_accuracy_ : dict or float
        ``{task: accuracy}`` of the kept state (or fine-tuned network) on the task's
        validation part, an estimate of its accuracy on new series (a little
        optimistic: the epoch was chosen on it); one float for one task's array. Only
        with a validation part (``validation_fraction > 0``) and no
        ``final_estimator``. :class:`~sktsmtl.MultiTaskVotingClassifier` weighs
        estimators by it.
    n_features_in_ : int
        Series length, only for a plain 2D array input.
    interrupted_ : bool
        Whether an interrupt (Ctrl-C, SIGTERM) cut the training short; the estimator
        then holds the best state trained so far (see :ref:`interrupts`).

    Notes
    -----
    Missing values (interior NaN, as in UCR files) are filled by linear interpolation.
    Series of different lengths within a task are zero-padded at the end to the
    task's longest series seen at fit; the backbones exclude padded steps from their
    normalisation and pooling, so the padding carries no signal. Hard sharing needs one
    channel count across tasks.

    References
    ----------
    C.-C. M. Yeh et al., "Multitask Learning for Time Series Data with 2D
    Convolution", 2023.

    Y. Wang et al., "Multi-task Classifier Sharing for time series classification"
    (MTCS), 2022.

    M. Cheng et al., "ConvTimeNet: A Deep Hierarchical Fully Convolutional Model for
    Multivariate Time Series Analysis", 2024.

    Examples
    --------
    >>> import numpy as np
    >>> from sktsmtl import MultiTaskTimeSeriesClassifier
    >>> rng = np.random.default_rng(0)
    >>> t = np.linspace(0, 6, 40)
    >>> X = {"a": np.sin(t * rng.uniform(1, 3, (30, 1))),
    ...      "b": np.sin(t[:30] * rng.uniform(1, 3, (20, 1)))}
    >>> y = {"a": np.repeat([0, 1], 15), "b": np.repeat(["u", "v"], 10)}
    >>> clf = MultiTaskTimeSeriesClassifier(backbone="resnet1d", max_epochs=2,
    ...                                     random_state=0).fit(X, y)
    >>> sorted(clf.predict(X))
    ['a', 'b']
    """

    _parameter_constraints = {
        **NetworkEstimator._parameter_constraints,
        "backbone": [str, type],
        "multitask": ["boolean"],
        "sharing": [StrOptions({"hard", "mtcs"})],
        "alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "tau": [Interval(numbers.Real, 0, None, closed="neither")],
        "final_estimator": [None, StrOptions({"svm"}), HasMethods(["fit", "predict"])],
        "task_norm_stats": ["boolean"],
        "recalibrate_norm": ["boolean"],
        "model_selection": [StrOptions({"mean", "per_task"})],
        "task_weights": [dict, None],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "warm_start": ["boolean"],
        "gradient_surgery": [StrOptions({"pcgrad"}), None],
        "finetune_epochs": [Interval(numbers.Integral, 0, None, closed="left")],
        "finetune": [StrOptions({"head", "all"})],
        "finetune_lr": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "normalize": ["boolean"],
    }

    def __init__(
        self,
        backbone="resnet1d",
        *,
        multitask=True,
        sharing="hard",
        alpha=0.1,
        tau=2.0,
        final_estimator=None,
        task_norm_stats=True,
        recalibrate_norm=False,
        model_selection="mean",
        task_weights=None,
        class_weight=None,
        warm_start=False,
        gradient_surgery=None,
        finetune_epochs=0,
        finetune="head",
        finetune_lr=None,
        normalize=False,
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
        self.multitask = multitask
        self.sharing = sharing
        self.alpha = alpha
        self.tau = tau
        self.final_estimator = final_estimator
        self.task_norm_stats = task_norm_stats
        self.recalibrate_norm = recalibrate_norm
        self.model_selection = model_selection
        self.task_weights = task_weights
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.gradient_surgery = gradient_surgery
        self.finetune_epochs = finetune_epochs
        self.finetune = finetune
        self.finetune_lr = finetune_lr
        self.normalize = normalize
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

    # -- input handling ----------------------------------------------------------------
    def _check_recipe(self):
        """Checks of the parameters against each other, before any work."""
        self._check_training_params()
        get_backbone(self.backbone)  # an unknown name fails before any work
        if self.sharing == "mtcs" and not self.multitask:
            raise ValueError(
                "sharing='mtcs' shares classifiers between the tasks of one network; "
                "it needs multitask=True."
            )
        if not self.multitask:
            for name, value, default in (("task_weights", self.task_weights, None),
                                         ("gradient_surgery", self.gradient_surgery, None),
                                         ("finetune_epochs", self.finetune_epochs, 0),
                                         ("model_selection", self.model_selection, "mean")):
                if value != default:
                    raise ValueError(
                        f"{name}={value!r} acts on the tasks of one shared network; it "
                        "needs multitask=True (with multitask=False every task has its "
                        "own network).")

    def _preprocess(self, panel):
        panel = MissingValueImputer().fit_transform(panel)
        if self.normalize:
            panel = ZNormalizer().fit_transform(panel)
        return panel

    def _fit_network(self, series, task_index, y, n_classes, task_names, random_state,
                     task_weights=None, *, stage, class_weights=None, previous=None):
        """Build and train one network (shared by ``task_names``, or one task's own);
        with ``previous`` (warm start), train that fitted net further instead.

        Returns the fitted net and a function that gives its ``(train, valid)`` split.
        """
        weight_seed, split_seed, sampler_seed = seed_sequence(random_state, 3)
        dataset = TaskDataset(series, task_index, y)
        train_split = (TaskStratifiedSplit(self.validation_fraction, split_seed, task_names)
                       if self.validation_fraction > 0 else None)
        label = "" if stage == "shared" else f"task {task_names[0]}"

        def split():
            return train_split(dataset) if train_split is not None else (dataset, None)

        if previous is not None:
            changed = {k: v for k, v in dict(
                max_epochs=self.max_epochs, lr=self.lr, batch_size=self.batch_size,
                class_weights=class_weights).items() if getattr(previous, k) != v}
            if changed:  # the optimiser keeps its state unless lr changes
                previous.set_params(**changed)
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(weight_seed)
                net = self._train(previous, dataset, stage=stage, label=label,
                                  continued=True)
            return net, split
        sharing_loss, callbacks = self._joint_training_parts(task_names)
        # every source of randomness inside a forked torch RNG: the caller's global
        # state is left alone and a CPU fit is repeatable
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(weight_seed)
            backbone = build_backbone(self.backbone, series[0].shape[0],
                                      self._routed("backbone"))
            if hasattr(backbone, "initialize_from_series"):
                # a data-dependent transform (MiniRocket's dilations and biases), set
                # from the training series of every task the network learns
                backbone.initialize_from_series(series, seed=int(weight_seed))
            module = build_network(backbone, n_classes, self.task_norm_stats)
            net = self._make_net(
                module, net_class=MultiTaskNet, criterion=torch.nn.CrossEntropyLoss,
                train_split=train_split, monitor="valid_acc", lower_is_better=False,
                callbacks=callbacks, sampler_seed=sampler_seed,
                task_names=list(task_names), sharing_criterion=sharing_loss,
                task_weights=task_weights, gradient_surgery=self.gradient_surgery,
                recalibrate_norm=self.recalibrate_norm, class_weights=class_weights)
            net = self._train(net, dataset, stage=stage, label=label)
        return net, split

    def _joint_training_parts(self, task_names):
        return joint_training_parts(task_names, sharing=self.sharing, alpha=self.alpha,
                                    tau=self.tau, model_selection=self.model_selection)

    def _task_weight_list(self, tasks):
        if self.task_weights is None:
            return None
        unknown = [t for t in self.task_weights if t not in tasks]
        if unknown:
            raise ValueError(
                f"task_weights names tasks {unknown!r} that are not in the data; the tasks "
                f"are {list(tasks)!r}.")
        weights = []
        for t in tasks:
            w = self.task_weights.get(t, 1.0)
            if (isinstance(w, bool) or not isinstance(w, numbers.Real)
                    or not (w >= 0 and math.isfinite(w))):
                raise ValueError(
                    f"task_weights[{t!r}] must be a finite number >= 0, got {w!r}.")
            weights.append(float(w))
        return weights

    def _class_weight_list(self, tasks, classes, labels, single_array):
        """Per task index, the weight of every class in its training loss, or None."""
        if self.class_weight is None:
            return None
        if self.class_weight == "balanced":
            specs = {t: "balanced" for t in tasks}
        elif single_array:  # scikit-learn's {class: weight} for the one task
            specs = {tasks[0]: self.class_weight}
        else:
            unknown = [t for t in self.class_weight if t not in tasks]
            if unknown:
                raise ValueError(
                    f"class_weight names tasks {unknown!r} that are not in the data; the "
                    f"tasks are {list(tasks)!r}. (A dict of class weights is per task: "
                    "{task: {class: weight}}.)")
            specs = self.class_weight
        weights = []
        for t in tasks:
            spec = specs.get(t)
            if spec is None:
                weights.append(None)
            elif isinstance(spec, str) and spec == "balanced":
                counts = np.bincount(np.searchsorted(classes[t], labels.task_labels(t)),
                                     minlength=len(classes[t]))
                weights.append((counts.sum() / (len(counts) * np.maximum(counts, 1)))
                               .tolist())
            elif isinstance(spec, dict):
                known = set(classes[t].tolist())
                strange = [c for c in spec if c not in known]
                if strange:
                    raise ValueError(
                        f"class_weight for task {t!r} names classes {strange!r} that are "
                        f"not in its labels {sorted(known, key=str)!r}.")
                row = []
                for c in classes[t].tolist():
                    w = spec.get(c, 1.0)
                    if (isinstance(w, bool) or not isinstance(w, numbers.Real)
                            or not (w >= 0 and math.isfinite(w))):
                        raise ValueError(f"class_weight for task {t!r}, class {c!r} must be "
                                         f"a finite number >= 0, got {w!r}.")
                    row.append(float(w))
                weights.append(row)
            else:
                raise ValueError(f"class_weight for task {t!r} must be 'balanced' or a "
                                 f"dict {{class: weight}}, got {spec!r}.")
        return weights

    def _finetune(self, nets, split, tasks, names, seed):
        with warnings.catch_warnings():  # the joint fit has warned about small tasks
            warnings.simplefilter("ignore", UserWarning)
            train, valid = split()
        lr = self.finetune_lr
        if lr is None:
            lr = self.lr if self.finetune == "head" else self.lr / 10
        return finetune_per_task(self, nets, train, valid, tasks, names,
                                 epochs=self.finetune_epochs, lr=lr,
                                 head_only=self.finetune == "head", seed=seed,
                                 class_weights=self._class_weights)

    def _fit_networks(self, panel, tasks, names, n_classes, row_task, row_class):
        """Train the shared network (and its recipes) or one network per task.

        Returns the fitted attributes, set on the estimator only when all went well.
        """
        fitted = {}
        previous = self._previous_networks(tasks)
        weights = self._class_weights
        if self.multitask:
            net, split = self._fit_network(panel.series, row_task, row_class, n_classes,
                                           names, self.random_state,
                                           self._task_weight_list(tasks), stage="shared",
                                           class_weights=weights,
                                           previous=previous.get("shared"))
            fitted.update(nets_={t: net for t in tasks}, history_=net.history,
                          best_epoch_=net.best_epoch_, _trained_nets={"shared": net})
            if self.model_selection == "per_task" and len(tasks) > 1:
                fitted["nets_"], fitted["best_epoch_"] = select_per_task(net, tasks)
            if self.finetune_epochs > 0 and not net.interrupted_:
                (fitted["nets_"], fitted["finetune_history_"],
                 fitted["finetune_epoch_"]) = self._finetune(
                    fitted["nets_"], split, tasks, names,
                    seed_sequence(self.random_state, 4)[3])
            return fitted
        seeds = seed_sequence(self.random_state, len(tasks))
        nets, histories, best = {}, {}, {}
        for i, t in enumerate(tasks):
            rows = panel.rows_of(t)
            net, _ = self._fit_network([panel.series[r] for r in rows],
                                       np.zeros(len(rows), dtype=np.int64),
                                       row_class[rows], [n_classes[i]], [names[i]],
                                       seeds[i], stage=f"task-{i}",
                                       class_weights=None if weights is None else
                                       [weights[i]], previous=previous.get(f"task-{i}"))
            nets[t], histories[t], best[t] = net, net.history, net.best_epoch_
            if net.interrupted_ and i < len(tasks) - 1:
                # later tasks would have no network at all: the fit cannot return
                raise KeyboardInterrupt(f"interrupted while training task {t!r}")
        return dict(nets_=nets, history_=histories, best_epoch_=best,
                    _trained_nets={f"task-{i}": nets[t] for i, t in enumerate(tasks)})

    def _previous_networks(self, tasks):
        """With ``warm_start``, the trained networks of the previous fit, by stage."""
        if not self.warm_start or not hasattr(self, "nets_"):
            return {}
        if self.checkpoint_dir is not None:
            raise ValueError("warm_start continues a finished fit and checkpoint_dir "
                             "resumes an interrupted one: set only one of them.")
        if getattr(self, "_shared_input", None):
            raise ValueError(
                "warm_start goes on training the previous fit's networks, which learnt "
                "tasks over one X (label columns in y); fit with warm_start=False to "
                "start anew.")
        trained = getattr(self, "_trained_nets", {})
        wanted = "shared" if self.multitask else "task-0"
        if list(self.tasks_) != list(tasks) or wanted not in trained:
            raise ValueError(
                f"warm_start goes on training the previous fit's networks, which learnt "
                f"the tasks {list(self.tasks_)!r} with multitask="
                f"{'shared' in trained}; this fit has the tasks {list(tasks)!r} and "
                f"multitask={self.multitask}. Fit with warm_start=False to start anew.")
        return trained

    # -- fit ---------------------------------------------------------------------------
    def fit(self, X, y):
        """Train the network on every task.

        Parameters
        ----------
        X : dict, TaskPanel, array-like or list
            ``{task: X_t}`` with ``X_t`` of shape ``(n, L)`` or ``(n, C, L)`` (NaN-padded
            or not) or a list of series; a ``TaskPanel``; or one task's array.
        y : dict, TaskLabels or array-like
            Labels in the matching form, any hashable type per task.

        Returns
        -------
        self : MultiTaskTimeSeriesClassifier
        """
        self._validate_params()
        if not isinstance(self.final_estimator, (str, type(None))) and not is_classifier(
                self.final_estimator):
            raise ValueError(
                f"final_estimator must be a classifier (or 'svm'); "
                f"{type(self.final_estimator).__name__} is not one "
                "(sklearn.base.is_classifier is False): its outputs would be taken for "
                "class indices.")
        if not is_multitask_input(X) and is_label_columns(y):
            return self._fit_shared_input(X, y)
        self._forget_single_array_attributes()
        if not is_multitask_input(X):
            X, y = self._validate_single_array(X, y, reset=True)
        panel, labels, kind = check_task_data(X, y)
        classes = check_task_classes(labels)
        tasks = panel.tasks
        n_channels = panel.n_channels()
        if self.multitask and len(set(n_channels.values())) > 1:
            first = tasks[0]
            other = next(t for t in tasks if n_channels[t] != n_channels[first])
            raise ValueError(
                f"task {other!r} has {n_channels[other]} channels but task {first!r} has "
                f"{n_channels[first]}; hard parameter sharing needs one channel count "
                "(use multitask=False, or select channels)."
            )
        self._check_recipe()

        panel = self._preprocess(panel)
        task_index = {t: i for i, t in enumerate(tasks)}
        row_task = np.array([task_index[t] for t in panel.task_ids], dtype=np.int64)
        row_class = np.empty(len(panel), dtype=np.int64)
        for t in tasks:
            rows = panel.rows_of(t)
            row_class[rows] = np.searchsorted(classes[t], labels.task_labels(t))

        names = [str(t) for t in tasks]
        n_classes = [len(classes[t]) for t in tasks]
        if self.warm_start and hasattr(self, "nets_"):
            self._previous_networks(tasks)  # refuses what cannot be continued
            before = self.classes_ if not self._single_array else {tasks[0]: self.classes_}
            changed = [t for t in tasks if t in before and
                       not np.array_equal(np.asarray(before[t]), classes[t])]
            if changed:
                raise ValueError(
                    f"warm_start needs the classes of the previous fit; task "
                    f"{changed[0]!r} had {list(before[changed[0]])!r} and now has "
                    f"{list(classes[changed[0]])!r}.")
        self._class_weights = self._class_weight_list(tasks, classes, labels,
                                                      kind == "array")
        self._open_checkpoints(panel.series, row_task, row_class)
        try:
            fitted = self._fit_networks(panel, tasks, names, n_classes, row_task,
                                        row_class)
        except BaseException:
            self._abort_fit()
            raise
        for attr in ("finetune_history_", "finetune_epoch_"):
            if attr not in fitted and hasattr(self, attr):
                delattr(self, attr)
        for attr, value in fitted.items():
            setattr(self, attr, value)
        self.tasks_ = tasks
        self.n_channels_ = n_channels
        self._task_index = task_index if self.multitask else {t: 0 for t in tasks}
        self._ref_lengths = {t: int(panel.lengths()[panel.rows_of(t)].max()) for t in tasks}
        if self.final_estimator is not None:
            self._fit_final_estimators(panel, row_class)
        elif hasattr(self, "final_estimators_"):
            del self.final_estimators_
        self._single_array = kind == "array"
        self._shared_input = None
        self.classes_ = classes[tasks[0]] if self._single_array else classes
        heldout = self._heldout_accuracy(tasks, names)
        if heldout is None:
            vars(self).pop("heldout_accuracy_", None)
        else:
            self.heldout_accuracy_ = heldout[tasks[0]] if self._single_array else heldout
        self._close_checkpoints()
        return self

    def _heldout_accuracy(self, tasks, names):
        """Every task's validation accuracy at the state that predicts it, or None."""
        if self.final_estimator is not None or self.validation_fraction == 0:
            return None
        out = {}
        for t, name in zip(tasks, names):
            kept = getattr(self, "finetune_epoch_", {}).get(t, 0)
            if kept:
                row = self.finetune_history_[t][kept - 1]
            else:
                history = self.history_[t] if isinstance(self.history_, dict) else \
                    self.history_
                best = self.best_epoch_[t] if isinstance(self.best_epoch_, dict) else \
                    self.best_epoch_
                if not best:
                    return None
                row = history[best - 1]
            value = row.get(f"valid_acc_{name}")
            if value is None:
                return None
            out[t] = float(value)
        return out

    def _make_final_estimator(self, seed):
        if isinstance(self.final_estimator, str):  # "svm", the only named one
            from .svm import CrossValidatedSVC
            return CrossValidatedSVC(random_state=seed)
        return clone(self.final_estimator)

    def _fit_final_estimators(self, panel, row_class):
        # the SVM stage of MTCS: the network is frozen, one classifier per task reads
        # the embeddings of that task's training series (validation share included)
        self.final_estimators_ = fit_final_estimators(
            self._make_final_estimator, self.tasks_,
            lambda task: (self._embed(panel, task), row_class[panel.rows_of(task)]),
            self.random_state)

    # -- inference ---------------------------------------------------------------------
    def _task_classes(self, task):
        return self.classes_ if self._single_array else self.classes_[task]

    def _validated_panel(self, X):
        check_is_fitted(self)
        if self._single_array and not is_multitask_input(X):
            X, _ = self._validate_single_array(X, reset=False)
        panel, kind = check_task_input(X, tasks=self.tasks_, n_channels=self.n_channels_)
        return self._preprocess(panel), kind

    def _logits(self, panel, task):
        rows = panel.rows_of(task)
        return predict_task_logits(
            self.nets_[task], [panel.series[r] for r in rows], self._task_index[task],
            self._ref_lengths[task])

    def _embed(self, panel, task):
        rows = panel.rows_of(task)
        return task_embeddings(self.nets_[task], [panel.series[r] for r in rows],
                               self._task_index[task], self._ref_lengths[task])

    def _class_indices(self, panel, task):
        if self.final_estimator is not None:
            return np.asarray(self.final_estimators_[task].predict(self._embed(panel, task)),
                              dtype=np.int64)
        return self._logits(panel, task).argmax(axis=1)

    def _task_proba(self, panel, task):
        if self.final_estimator is not None:
            est = self.final_estimators_[task]
            proba = est.predict_proba(self._embed(panel, task))
            # columns of classes the final estimator saw, spread to all of the task's
            out = np.zeros((proba.shape[0], len(self._task_classes(task))))
            out[:, np.asarray(est.classes_, dtype=np.int64)] = proba
            return out
        return _softmax(self._logits(panel, task))

    def _has_proba(self):
        if self.final_estimator is None:
            return True
        if isinstance(self.final_estimator, str):
            from .svm import CrossValidatedSVC
            return hasattr(CrossValidatedSVC(), "predict_proba")
        return hasattr(self.final_estimator, "predict_proba")

    @available_if(_has_proba)
    def predict_proba(self, X):
        """Class probabilities per task.

        Parameters
        ----------
        X : dict, TaskPanel, array-like or list
            Series of tasks seen in fit.

        Returns
        -------
        dict or ndarray
            ``{task: (n_t, n_classes_t)}`` with columns in ``classes_[task]`` order; one
            array for a plain array input. After a fit on label columns, a list with
            one ``(n, n_classes_t)`` array per task (a dict for a dict of labels), as
            scikit-learn's multi-output classifiers give.
        """
        if self._fitted_on_columns():
            return self._shared_predict_proba(X)
        panel, kind = self._validated_panel(X)
        out = {task: self._task_proba(panel, task) for task in panel.tasks}
        return format_like_input(out, panel, kind)

    def predict(self, X):
        """Predict every series' label with its task's head (or final estimator).

        Parameters
        ----------
        X : dict, TaskPanel, array-like or list
            Series of tasks seen in fit.

        Returns
        -------
        dict, TaskLabels or ndarray
            Same form as ``X``. After a fit on label columns (tasks over one ``X``), an
            array of shape ``(n, n_tasks)``, or a dict ``{task: labels}`` when ``y``
            was a dict.
        """
        if self._fitted_on_columns():
            return self._shared_predict(X)
        panel, kind = self._validated_panel(X)
        out = {task: self._task_classes(task)[self._class_indices(panel, task)]
               for task in panel.tasks}
        return format_like_input(out, panel, kind)

    def transform(self, X):
        """Shared embeddings of every series.

        Parameters
        ----------
        X : dict, TaskPanel, array-like or list
            Series of tasks seen in fit.

        Returns
        -------
        dict or ndarray
            ``{task: (n_t, embedding_dim)}``; one array for a plain array input. After
            a fit on label columns, one array ``(n, embedding_dim)`` (with one
            network per task, their embeddings side by side).
        """
        if self._fitted_on_columns():
            return self._shared_transform(X)
        panel, kind = self._validated_panel(X)
        out = {task: self._embed(panel, task) for task in panel.tasks}
        return format_like_input(out, panel, kind)

    def head_probabilities(self, X):
        """Softmax outputs of every task's head on every task's series.

        The quantity behind the MTCS task affinities: how each task's classifier reads
        the series of another task. With ``multitask=False`` the head of task ``h`` is
        read through task ``h``'s own network.

        Parameters
        ----------
        X : dict or TaskPanel
            Series of tasks seen in fit.

        Returns
        -------
        dict
            ``{task: {head_task: ndarray (n_task, n_classes_head)}}``, rows in input
            order, columns in ``classes_[head_task]`` order. After a fit on label
            columns every task reads the same series: ``X`` is that array and every
            task maps to the same heads' probabilities.
        """
        if self._fitted_on_columns():
            proba = self._shared_probabilities(X)
            return {task: dict(proba) for task in self.tasks_}
        panel, _ = self._validated_panel(X)
        out = {}
        for task in panel.tasks:
            rows = panel.rows_of(task)
            series = [panel.series[r] for r in rows]
            probs = {}
            if self.multitask:
                net = self.nets_[task]
                logits = predict_head_logits(net, series, self._task_index[task],
                                             self._ref_lengths[task])
                order = net.module_.head.task_indices
                by_index = dict(zip(order, logits))
                for head_task in self.tasks_:
                    probs[head_task] = _softmax(by_index[self._task_index[head_task]])
            else:
                for head_task in self.tasks_:
                    probs[head_task] = _softmax(predict_task_logits(
                        self.nets_[head_task], series, 0, self._ref_lengths[task]))
            out[task] = probs
        return out

    def _fitted_on_columns(self):
        check_is_fitted(self)
        return bool(getattr(self, "_shared_input", None))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True  # label columns: tasks over one X
        tags.input_tags.allow_nan = True
        tags.non_deterministic = False
        # transform gives the shared embeddings (float32 network outputs)
        tags.transformer_tags.preserves_dtype = []
        return tags


def _softmax(logits):
    logits = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    return p / p.sum(axis=1, keepdims=True)
