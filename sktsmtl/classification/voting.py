"""``MultiTaskVotingClassifier``: soft voting of classifiers over the same tasks.

A multi-task network and a single-task peer make different errors (learnt filters shared
across tasks against random convolutions read by a ridge classifier per task); averaging
their class probabilities per task is the usual way to get the better of both (the
probability averaging of scikit-learn's ``VotingClassifier``, per task).
"""

import numpy as np
from sklearn.base import clone
from sklearn.utils import get_tags
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import _BaseComposition
from sklearn.utils.validation import check_is_fitted

from ..data import check_task_classes, check_task_data, check_task_input, format_like_input
from .base import MultiTaskClassifierMixin, is_multitask_input
from .per_task import PerTaskClassifier

__all__ = ["MultiTaskVotingClassifier", "make_rocket_vote"]

#: The ROCKET-family members a preset vote can take (``RocketClassifier`` variants).
_ROCKETS = ("minirocket", "multirocket", "hydra")


class MultiTaskVotingClassifier(MultiTaskClassifierMixin, _BaseComposition):
    """Average the class probabilities of several classifiers, task by task.

    Every estimator is fitted on all tasks. A multi-task classifier (one with
    ``score_tasks``, such as :class:`~sktsmtl.MultiTaskTimeSeriesClassifier`) takes the
    tasks at once; any other classifier is fitted per task through
    :class:`~sktsmtl.PerTaskClassifier`. For every task the weighted mean of the
    estimators' ``predict_proba`` gives the class probabilities, and its largest entry
    the prediction.

    Parameters
    ----------
    estimators : list of (str, estimator)
        Named classifiers with ``predict_proba``. Parameters are routed as
        ``<name>__<parameter>``, as in scikit-learn's ``VotingClassifier``.
    weights : array-like of shape (n_estimators,), "heldout" or None, default=None
        Weight of every estimator's probabilities; None weighs them equally.
        "heldout" weighs them task by task by their accuracy on training series held
        out of their fit, raised to the power 4 (CAWPE, Large et al. 2019: a
        clearly better estimator dominates, close ones share): every estimator must
        have ``heldout_accuracy_`` (the networks' validation accuracy, MiniRocket's
        leave-one-out accuracy).

    Attributes
    ----------
    estimators_ : list of estimators
        The fitted clones, in the order of ``estimators``.
    named_estimators_ : dict
        The same by name.
    tasks_ : list
        Task names seen in fit (``[0]`` for one task's array).
    classes_ : dict or ndarray
        ``{task: classes}``; one array for one task's array.
    weights_ : dict or ndarray
        ``{task: weights}`` applied, summing to 1; one array for one task's array.

    References
    ----------
    J. Large, J. Lines, A. Bagnall, "A probabilistic classifier ensemble weighting
    scheme based on cross-validated accuracy estimates", Data Mining and Knowledge
    Discovery, 2019.

    See Also
    --------
    sklearn.ensemble.VotingClassifier : The same rule for one task.

    Examples
    --------
    >>> from sktsmtl import MultiTaskTimeSeriesClassifier, MultiTaskVotingClassifier
    >>> from sktsmtl.classification import RocketClassifier
    >>> from sktsmtl.datasets import make_warped_tasks
    >>> X, y = make_warped_tasks(n_tasks=2, length=40, length_step=0, random_state=0)
    >>> clf = MultiTaskVotingClassifier([
    ...     ("shared", MultiTaskTimeSeriesClassifier(max_epochs=2, random_state=0)),
    ...     ("rocket", RocketClassifier(n_kernels=840, random_state=0)),
    ... ]).fit(X, y)
    >>> sorted(clf.predict_proba(X))
    ['task_0', 'task_1']
    """

    _parameter_constraints = {
        "estimators": [list],
        "weights": ["array-like", StrOptions({"heldout"}), None],
    }

    #: Power of the held-out accuracies in ``weights="heldout"`` (CAWPE's alpha).
    HELDOUT_POWER = 4

    def __init__(self, estimators, *, weights=None):
        self.estimators = estimators
        self.weights = weights

    def get_params(self, deep=True):
        """Parameters, with every estimator's as ``<name>__<parameter>`` when deep.

        Parameters
        ----------
        deep : bool, default=True

        Returns
        -------
        dict
        """
        return self._get_params("estimators", deep=deep)

    def set_params(self, **params):
        """Set parameters, an estimator by its name or its own as ``<name>__<param>``.

        Parameters
        ----------
        **params

        Returns
        -------
        self : MultiTaskVotingClassifier
        """
        self._set_params("estimators", **params)
        return self

    def _checked_estimators(self):
        if not self.estimators:
            raise ValueError("estimators must name at least one classifier.")
        names = []
        for item in self.estimators:
            if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)):
                raise TypeError(f"estimators must be (name, estimator) pairs; got {item!r}.")
            name, estimator = item
            if "__" in name or name in ("estimators", "weights"):
                raise ValueError(f"estimator name {name!r} may not contain '__' nor be a "
                                 "parameter's name.")
            if not hasattr(estimator, "predict_proba"):
                raise TypeError(f"estimator {name!r} ({type(estimator).__name__}) has no "
                                "predict_proba: soft voting needs class probabilities.")
            names.append(name)
        if len(set(names)) != len(names):
            raise ValueError(f"estimator names must be unique; got {names}.")
        weights = None
        if isinstance(self.weights, str):
            return self.weights
        if self.weights is not None:
            weights = np.asarray(self.weights, dtype=np.float64)
            if weights.shape != (len(self.estimators),):
                raise ValueError(f"weights has {weights.size} values for "
                                 f"{len(self.estimators)} estimators.")
            if not np.all(np.isfinite(weights)) or (weights < 0).any() or weights.sum() <= 0:
                raise ValueError(f"weights must be finite, non-negative and not all 0; got "
                                 f"{self.weights!r}.")
        return weights

    def fit(self, X, y):
        """Fit a clone of every estimator on all tasks.

        Parameters
        ----------
        X : dict, TaskPanel, array-like or list
            ``{task: X_t}``, a ``TaskPanel``, or one task's array or list of series.
        y : dict, TaskLabels or array-like
            Labels in the matching form.

        Returns
        -------
        self : MultiTaskVotingClassifier
        """
        self._validate_params()
        weights = self._checked_estimators()
        self._forget_single_array_attributes()
        if not is_multitask_input(X):
            X, y = self._validate_single_array(X, y, reset=True)
        panel, labels, kind = check_task_data(X, y)
        classes = check_task_classes(labels)
        fitted = []
        for _, estimator in self.estimators:
            estimator = clone(estimator)
            if not hasattr(estimator, "score_tasks"):
                estimator = PerTaskClassifier(estimator)
            fitted.append(estimator.fit(X, y))
        self.estimators_ = fitted
        self.named_estimators_ = {n: e for (n, _), e in zip(self.estimators, fitted)}
        self.tasks_ = panel.tasks
        self._single_array = kind == "array"
        self.classes_ = classes[panel.tasks[0]] if self._single_array else classes
        self.weights_ = self._task_weights(weights)
        if self._single_array:
            self.weights_ = self.weights_[panel.tasks[0]]
        return self

    def _task_weights(self, weights):
        """``{task: weights summing to 1}``."""
        n = len(self.estimators_)
        if weights is None:
            return {t: np.full(n, 1.0 / n) for t in self.tasks_}
        if not isinstance(weights, str):
            return {t: weights / weights.sum() for t in self.tasks_}
        heldout = []
        for (name, original), estimator in zip(self.estimators, self.estimators_):
            value = getattr(estimator, "heldout_accuracy_", None)
            if value is None:
                raise ValueError(
                    f"weights='heldout' needs every estimator's heldout_accuracy_; "
                    f"estimator {name!r} ({type(original).__name__}) has none after its "
                    "fit (a network without validation part or with a final "
                    "estimator, or a classifier that does not estimate it).")
            heldout.append(value if isinstance(value, dict) else
                           {self.tasks_[0]: value})
        out = {}
        for t in self.tasks_:
            w = np.array([h[t] for h in heldout], dtype=np.float64) ** self.HELDOUT_POWER
            out[t] = w / w.sum() if w.sum() > 0 else np.full(n, 1.0 / n)
        return out

    def predict_proba(self, X):
        """Weighted mean of the estimators' class probabilities, per task.

        Parameters
        ----------
        X : dict, TaskPanel, array-like or list
            Series of tasks seen in fit.

        Returns
        -------
        dict or ndarray
            ``{task: (n_t, n_classes_t)}``, columns in ``classes_[task]`` order; one
            array for one task's array.
        """
        proba, panel, kind = self._proba(X)
        return proba if panel is None else format_like_input(proba, panel, kind)

    def _proba(self, X):
        """Mean probabilities: an array for one task's array (and no panel), else
        ``{task: array}`` with the validated panel and the input's form."""
        check_is_fitted(self)
        if self._single_array and not is_multitask_input(X):
            X, _ = self._validate_single_array(X, reset=False)
            return np.average([e.predict_proba(X) for e in self.estimators_], axis=0,
                              weights=self.weights_), None, "array"
        panel, kind = check_task_input(X, tasks=self.tasks_)
        probas = [e.predict_proba(panel) for e in self.estimators_]
        out = {task: np.average([p[task] for p in probas], axis=0,
                                weights=self.weights_[task])
               for task in panel.tasks}
        return out, panel, kind

    def predict(self, X):
        """The class of largest mean probability, per task.

        Parameters
        ----------
        X : dict, TaskPanel, array-like or list
            Series of tasks seen in fit.

        Returns
        -------
        dict, TaskLabels or ndarray
            Same form as ``X``.
        """
        proba, panel, kind = self._proba(X)
        if panel is None:
            return self.classes_[np.argmax(proba, axis=1)]
        out = {t: np.asarray(self.classes_[t])[np.argmax(p, axis=1)] for t, p in proba.items()}
        return format_like_input(out, panel, kind)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        try:
            tags.input_tags.allow_nan = all(get_tags(e).input_tags.allow_nan
                                            for _, e in self.estimators)
        except (TypeError, ValueError):  # estimators not yet valid
            tags.input_tags.allow_nan = False
        return tags


def make_rocket_vote(rockets=("minirocket", "multirocket"), *, multitask=True,
                     weights=None, random_state=None, **network_params):
    """The multi-task preset: a shared ResNet1D voting with ROCKET peers per task.

    The most accurate multi-task method measured so far (the Benchmarks page, "Votes of
    a shared network with both ROCKETs"): ResNet1D shared by all tasks, every task
    predicted by its own best validation epoch, averaged task by task with MiniRocket
    and MultiRocket fitted per task. Its network trains 20 epochs at lr 1e-3, batch
    40, without early stopping (the settings it was measured with).

    Parameters
    ----------
    rockets : sequence of {"minirocket", "multirocket", "hydra"}, \
default=("minirocket", "multirocket")
        The :class:`~sktsmtl.classification.RocketClassifier` variants that vote, one
        each, per task.
    multitask : bool, default=True
        Whether the network is shared by all tasks (with per-task selection of its
        epoch); False gives one network per task, the vote's apart counterpart.
    weights : array-like, "heldout" or None, default=None
        As :class:`MultiTaskVotingClassifier`'s; None weighs the members equally (as
        measured).
    random_state : int, RandomState instance or None, default=None
        Seed of the network and of the ROCKETs' kernels.
    **network_params
        Parameters of the network's
        :class:`~sktsmtl.MultiTaskTimeSeriesClassifier`, replacing the preset's
        (``max_epochs``, ``lr``, ``device``, ...).

    Returns
    -------
    MultiTaskVotingClassifier
        Unfitted; members named ``"network"`` and the variants, so that
        ``network__max_epochs`` reaches the network in a grid search.

    See Also
    --------
    MultiTaskVotingClassifier : Any other vote.

    Examples
    --------
    >>> from sktsmtl import make_rocket_vote
    >>> from sktsmtl.datasets import make_warped_tasks
    >>> X, y = make_warped_tasks(n_tasks=2, length=40, length_step=0, random_state=0)
    >>> vote = make_rocket_vote(("minirocket",), max_epochs=2, random_state=0)
    >>> [name for name, _ in vote.estimators]
    ['network', 'minirocket']
    >>> sorted(vote.fit(X, y).score_tasks(X, y))
    ['task_0', 'task_1']
    """
    from .multitask import MultiTaskTimeSeriesClassifier
    from .rocket import RocketClassifier

    rockets = [rockets] if isinstance(rockets, str) else list(rockets)
    unknown = [r for r in rockets if r not in _ROCKETS]
    if not rockets or unknown or len(set(rockets)) < len(rockets):
        raise ValueError(f"rockets must name each of {list(_ROCKETS)} at most once, and "
                         f"at least one of them; got {rockets}.")
    settings = dict(backbone="resnet1d", multitask=bool(multitask), lr=1e-3,
                    max_epochs=20, batch_size=40, early_stopping=None,
                    random_state=random_state)
    if multitask:
        settings["model_selection"] = "per_task"
    settings.update(network_params)
    network = MultiTaskTimeSeriesClassifier(**settings)
    return MultiTaskVotingClassifier(
        [("network", network)]
        + [(r, RocketClassifier(r, random_state=random_state)) for r in rockets],
        weights=weights)
