"""The methods a benchmark compares, by name, and how a run's settings reach them.

A method is a name bound to a *factory*: a zero-argument callable that returns a fresh
unfitted estimator with the method's own defaults (the settings of the paper it comes
from), or an estimator instance that is cloned. The runner then hands each fit its seed
and the run's settings through :meth:`BenchmarkMethod.build`, which sets every setting
on the estimator parameter of that name (on the estimator itself, else on the nested
estimators that have it, for example ``PerTaskClassifier(estimator=...)``). Settings an
estimator has no parameter for are left out, so 1NN-DTW ignores ``max_epochs``.

Built-in methods (Yeh et al. 2023, Table I; Wang et al. 2022; Cheng et al. 2024):

``1nn-dtw``
    ``PerTaskClassifier(KNeighborsDTWClassifier())``: unconstrained 1NN-DTW per task.
``minirocket``, ``multirocket``, ``hydra``
    ``PerTaskClassifier(RocketClassifier(variant))``: MiniRocket (Dempster et al. 2021),
    MultiRocket (Tan et al. 2022) or Hydra (Dempster et al. 2023) features, scaled, and
    a ridge classifier with its penalty chosen by cross-validation, per task: the
    strongest fast single-task peers, fitted in seconds.
``<backbone>``, ``<backbone>-mtl``, for every registered backbone
    :class:`~sktsmtl.MultiTaskTimeSeriesClassifier` with the backbone, ``multitask=False``
    (one independent network per task) or shared by all tasks (hard parameter sharing,
    one head per task), with the backbone's ``paper_settings`` (for ResNet1D and
    ResNet2D the ResNet2D paper's AdamW at lr 1e-4, batch 40; a backbone without them
    takes the classifier's defaults). Where a name below is also a backbone's
    (``minirocket``), the method below keeps the name.
``ts2vec-svm``
    A TS2Vec encoder per task, then one SVM per task on its frozen embeddings. AdamW,
    lr 1e-3, batch 32 (the MTCS paper).
``mtl-svm``
    One TS2Vec encoder shared by all tasks (hard sharing), then the SVMs.
``mtcs-svm``
    The shared TS2Vec encoder trained with MTCS's cross-task sharing loss, then the SVMs.
``ts2vec-ssl-svm``
    TS2Vec itself: a :class:`~sktsmtl.representation.TS2VecTransformer` per task trained
    with the self-supervised hierarchical contrastive loss (no labels), then one SVM per
    task (the MTCS paper's "TS2Vec" column; TS2Vec's settings: AdamW lr 1e-3, batch 8,
    200 steps up to 100,000 values, else 600).
``ts2vec-ssl-joint-svm``
    One self-supervised TS2Vec encoder pre-trained on all tasks together, then one SVM
    per task (the MTCS paper's section 4.4.1).
``resnet1d+minirocket``, ``resnet1d-mtl+minirocket``
    Soft voting (:class:`~sktsmtl.MultiTaskVotingClassifier`, equal weights) of
    MiniRocket per task with ResNet1D per task, or with ResNet1D shared by all tasks
    and every task predicted by its own best validation epoch
    (``model_selection="per_task"``); the networks at lr 1e-3, batch 40, 20 epochs
    (the settings of the measurement on the Benchmarks page).
``resnet1d+minirocket+multirocket``, ``resnet1d-mtl+minirocket+multirocket``
    The same votes with MultiRocket per task as a third member, equal weights: the
    most accurate multi-task method measured so far (the Benchmarks page), built by
    :func:`~sktsmtl.make_rocket_vote`.

Training length is the estimator's ``max_epochs`` unless the run sets one (the
self-supervised methods count TS2Vec's optimiser steps, ``n_iters``, unless the run
sets ``max_epochs``: then they train that many whole epochs).
"""

import inspect
from dataclasses import dataclass, field

from sklearn.base import clone
from sklearn.pipeline import Pipeline

from .._names import lookup_key

__all__ = [
    "SETTINGS",
    "BenchmarkMethod",
    "get_method",
    "list_methods",
    "make_method",
    "register_method",
    "unregister_method",
]

#: Names of the run settings that :meth:`BenchmarkMethod.build` sets on an estimator
#: parameter of the same name.
SETTINGS = ("max_epochs", "lr", "device", "normalize", "validation_fraction")


def _key(name):
    return lookup_key(name)


def _set_by_name(estimator, values):
    """Set each value on the parameter of that name; return the names that were set.

    A name is set on the estimator when it has that parameter, otherwise on every
    nested parameter ending in ``__name`` (an estimator inside a meta-estimator); a
    routed name (``backbone__filters``, ``optimizer__betas``) on every network estimator.
    """
    from ..training import ROUTED_PREFIXES, NetworkEstimator

    params = estimator.get_params(deep=True)
    # the network estimators in the tree take any routed parameter (backbone__filters),
    # set or not: (prefix of their parameters, estimator)
    networks = [("", estimator)] if isinstance(estimator, NetworkEstimator) else []
    networks += [(f"{p}__", v) for p, v in params.items() if isinstance(v, NetworkEstimator)]
    updates, applied = {}, set()
    for name, value in values.items():
        if name in params:
            targets = [name]
        else:
            targets = [p for p in params if p.endswith(f"__{name}")]
        if not targets and name.startswith(ROUTED_PREFIXES):
            targets = [prefix + name for prefix, _ in networks]
        for target in targets:
            updates[target] = value
            applied.add(name)
    if updates:
        estimator.set_params(**updates)
    return applied


def _param_by_name(estimator, name):
    """The value of the parameter ``name`` (or of the first nested one), else None."""
    params = estimator.get_params(deep=True)
    if name in params:
        return params[name]
    nested = [p for p in params if p.endswith(f"__{name}")]
    return params[nested[0]] if nested else None


@dataclass(frozen=True)
class BenchmarkMethod:
    """A named method: how to build a fresh estimator for one benchmark fit.

    Parameters
    ----------
    name : str
        Name used on the command line and in the results.
    factory : callable or estimator
        A zero-argument callable returning an unfitted estimator with the method's
        defaults, or an estimator instance, cloned for every fit. A multi-task
        estimator (one with ``score_tasks``) is fitted on all tasks at once; any other
        classifier is fitted per task through
        :class:`~sktsmtl.classification.PerTaskClassifier`.
    description : str, default=""
        One line.

    Examples
    --------
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from sktsmtl.benchmarking import BenchmarkMethod
    >>> method = BenchmarkMethod("1nn-euclid", KNeighborsClassifier(n_neighbors=1))
    >>> estimator, applied = method.build(random_state=0, max_epochs=5)
    >>> type(estimator).__name__, sorted(applied)
    ('PerTaskClassifier', [])
    """

    name: str
    factory: object = field(repr=False)
    description: str = ""

    def build(self, random_state=None, **settings):
        """A fresh estimator with the seed and the settings that it has parameters for.

        Parameters
        ----------
        random_state : int or None, default=None
            Seed, set on the ``random_state`` parameter(s) when there is one.
        **settings
            Values of :data:`SETTINGS` (and any other parameter name); None leaves the
            method's default.

        Returns
        -------
        estimator : estimator
            Unfitted.
        applied : set of str
            Names of the settings that were set (``random_state`` not included).
        """
        from ..classification import PerTaskClassifier

        if hasattr(self.factory, "get_params"):
            estimator = clone(self.factory)
        else:
            estimator = self.factory()
        if not (hasattr(estimator, "fit") and hasattr(estimator, "predict")):
            raise TypeError(
                f"method {self.name!r}: the factory returned a "
                f"{type(estimator).__name__}, not an estimator with fit and predict."
            )
        if not hasattr(estimator, "score_tasks"):
            estimator = PerTaskClassifier(estimator)
        if random_state is not None:
            _set_by_name(estimator, {"random_state": random_state})
        values = {k: v for k, v in settings.items() if v is not None}
        applied = _set_by_name(estimator, values)
        return estimator, applied


def _network(backbone, multitask, **params):
    """Factory of a ``MultiTaskTimeSeriesClassifier`` with a method's own settings."""
    def factory():
        from ..classification import MultiTaskTimeSeriesClassifier

        return MultiTaskTimeSeriesClassifier(backbone=backbone, multitask=multitask, **params)

    return factory


class _MultiTaskPipeline(Pipeline):
    """A pipeline ending in a multi-task classifier, with its per-task scores.

    The runner fits an estimator with ``score_tasks`` on all tasks at once; a plain
    :class:`~sklearn.pipeline.Pipeline` has none.
    """

    def score_tasks(self, X, y):
        """Accuracy of every task, on ``X`` passed through the transformers."""
        Xt = X
        for _, _, transformer in self._iter(with_final=False, filter_passthrough=True):
            Xt = transformer.transform(Xt)
        return self.steps[-1][1].score_tasks(Xt, y)


def _ts2vec_ssl(joint):
    def factory():
        from ..classification import CrossValidatedSVC, PerTaskClassifier
        from ..representation import TS2VecTransformer

        return _MultiTaskPipeline([
            ("ts2vec", TS2VecTransformer(multitask=joint)),
            ("svm", PerTaskClassifier(CrossValidatedSVC())),
        ])

    return factory


def _backbone_methods():
    """``<name>`` and ``<name>-mtl`` of every registered backbone (the built-in ones
    first), with the backbone's ``paper_settings``; a name a built-in method has is
    that method's."""
    from ..nets import BUILTIN_BACKBONES, backbone_names, get_backbone

    names = list(BUILTIN_BACKBONES) + [n for n in backbone_names()
                                       if n not in BUILTIN_BACKBONES]
    methods = []
    for name in names:
        cls = get_backbone(name)
        settings = dict(getattr(cls, "paper_settings", None) or {})
        for multitask, key in ((False, name), (True, f"{name}-mtl")):
            if _key(key) not in _BUILTIN_KEYS:
                kind = "shared by all tasks (hard sharing)" if multitask else "per task"
                methods.append(BenchmarkMethod(key, _network(name, multitask, **settings),
                                               f"{cls.__name__} {kind}"))
    return methods


def _rocket(variant):
    def factory():
        from ..classification import PerTaskClassifier, RocketClassifier

        return PerTaskClassifier(RocketClassifier(variant))

    return factory


def _vote_with_rockets(multitask, rockets=("minirocket",)):
    def factory():
        from ..classification import make_rocket_vote

        return make_rocket_vote(rockets, multitask=multitask)

    return factory


def _one_nn_dtw():
    from ..classification import KNeighborsDTWClassifier, PerTaskClassifier

    return PerTaskClassifier(KNeighborsDTWClassifier())


# the MTCS paper's training settings (the backbones carry their own papers'): a fixed
# number of epochs, the best validation epoch kept, no early stopping
_MTCS = dict(final_estimator="svm", lr=1e-3, batch_size=32, early_stopping=None)

_BUILTIN = [
    BenchmarkMethod("1nn-dtw", _one_nn_dtw, "1NN-DTW per task, unconstrained"),
    BenchmarkMethod("ts2vec-svm", _network("ts2vec", False, sharing="hard", **_MTCS),
                    "TS2Vec encoder per task, SVM per task on its embeddings"),
    BenchmarkMethod("mtl-svm", _network("ts2vec", True, sharing="hard", **_MTCS),
                    "TS2Vec encoder shared (hard sharing), SVM per task"),
    BenchmarkMethod("mtcs-svm", _network("ts2vec", True, sharing="mtcs", **_MTCS),
                    "TS2Vec encoder shared with MTCS's sharing loss, SVM per task"),
    BenchmarkMethod("ts2vec-ssl-svm", _ts2vec_ssl(False),
                    "self-supervised TS2Vec encoder per task, SVM per task"),
    BenchmarkMethod("ts2vec-ssl-joint-svm", _ts2vec_ssl(True),
                    "self-supervised TS2Vec encoder pre-trained on all tasks, SVM per task"),
    BenchmarkMethod("minirocket", _rocket("minirocket"),
                    "MiniRocket features and a ridge classifier per task"),
    BenchmarkMethod("multirocket", _rocket("multirocket"),
                    "MultiRocket features and a ridge classifier per task"),
    BenchmarkMethod("hydra", _rocket("hydra"),
                    "Hydra's competing-kernel counts and a ridge classifier per task"),
    BenchmarkMethod("resnet1d+minirocket", _vote_with_rockets(False),
                    "ResNet1D per task and MiniRocket per task, soft voting"),
    BenchmarkMethod("resnet1d-mtl+minirocket", _vote_with_rockets(True),
                    "ResNet1D shared (per-task selection) and MiniRocket, soft voting"),
    BenchmarkMethod("resnet1d+minirocket+multirocket",
                    _vote_with_rockets(False, ("minirocket", "multirocket")),
                    "ResNet1D per task, MiniRocket and MultiRocket per task, soft voting"),
    BenchmarkMethod("resnet1d-mtl+minirocket+multirocket",
                    _vote_with_rockets(True, ("minirocket", "multirocket")),
                    "ResNet1D shared (per-task selection), MiniRocket and MultiRocket, "
                    "soft voting"),
]

_REGISTRY = {_key(m.name): m for m in _BUILTIN}
_BUILTIN_KEYS = frozenset(_REGISTRY)


def list_methods():
    """Names of the known methods: 1NN-DTW, every registered backbone's two methods
    (the package's backbones first, by name), the other built-in methods, the user's.

    Returns
    -------
    list of str

    Examples
    --------
    >>> from sktsmtl.benchmarking import list_methods
    >>> list_methods()[:3]
    ['1nn-dtw', 'convtimenet', 'convtimenet-mtl']
    """
    named = [m.name for m in _REGISTRY.values()]
    backbones = [m.name for m in _backbone_methods() if _key(m.name) not in _REGISTRY]
    return named[:1] + backbones + named[1:]


def get_method(name):
    """The method registered under ``name`` (case and ``_``/``-`` ignored).

    Parameters
    ----------
    name : str

    Returns
    -------
    BenchmarkMethod

    Raises
    ------
    ValueError
        For an unknown name; the message lists the known methods.

    Examples
    --------
    >>> from sktsmtl.benchmarking import get_method
    >>> get_method("ResNet1D_MTL").name
    'resnet1d-mtl'
    """
    if not isinstance(name, str):
        raise TypeError(f"a method name must be a string, got {type(name).__name__}.")
    method = _REGISTRY.get(_key(name))
    if method is None:
        method = next((m for m in _backbone_methods() if _key(m.name) == _key(name)), None)
    if method is None:
        raise ValueError(
            f"Unknown method {name!r}. Known methods: {', '.join(list_methods())} "
            "(add your own with sktsmtl.benchmarking.register_method)."
        )
    return method


def make_method(name, random_state=None, **settings):
    """Build a fresh estimator of a named method.

    Parameters
    ----------
    name : str
        A name of :func:`list_methods`.
    random_state : int or None, default=None
        Seed.
    **settings
        ``max_epochs``, ``lr``, ``device``, ``normalize``, ``validation_fraction`` or
        any other parameter name; None keeps the method's default; a setting the
        estimator has no parameter for is ignored.

    Returns
    -------
    estimator
        Unfitted; a multi-task estimator (non-multi-task classifiers come wrapped in
        :class:`~sktsmtl.classification.PerTaskClassifier`).

    Examples
    --------
    >>> from sktsmtl.benchmarking import make_method
    >>> clf = make_method("resnet1d-mtl", random_state=0, max_epochs=3)
    >>> clf.backbone, clf.multitask, clf.max_epochs, clf.lr, clf.random_state
    ('resnet1d', True, 3, 0.0001, 0)
    """
    return get_method(name).build(random_state=random_state, **settings)[0]


def register_method(name, factory, description="", replace=False):
    """Add a user method to the registry, usable by name in benchmarks.

    Parameters
    ----------
    name : str
        The method's name; case and ``_``/``-`` are ignored when looking it up.
    factory : callable or estimator
        A zero-argument callable returning a fresh estimator, or an estimator instance
        (cloned for every fit). See :class:`BenchmarkMethod`.
    description : str, default=""
        One line.
    replace : bool, default=False
        Allow replacing a user method of the same name. Built-in methods cannot be
        replaced.

    Returns
    -------
    BenchmarkMethod

    Examples
    --------
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from sktsmtl.benchmarking import register_method, unregister_method
    >>> from sktsmtl.benchmarking import list_methods
    >>> _ = register_method("1nn-euclid", KNeighborsClassifier(n_neighbors=1))
    >>> "1nn-euclid" in list_methods()
    True
    >>> unregister_method("1nn-euclid")
    """
    if not isinstance(name, str) or not name.strip():
        raise TypeError(f"a method name must be a non-empty string, got {name!r}.")
    if not (hasattr(factory, "get_params") or callable(factory)):
        raise TypeError(
            "factory must be an estimator or a zero-argument callable returning one, "
            f"got {type(factory).__name__}."
        )
    if not hasattr(factory, "get_params"):
        required = [p for p in inspect.signature(factory).parameters.values()
                    if p.default is p.empty
                    and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        if required:
            raise TypeError(
                f"factory must take no required arguments; {factory!r} requires "
                f"{[p.name for p in required]}. The seed and settings are set on the "
                "estimator it returns."
            )
    key = _key(name)
    if key in _BUILTIN_KEYS:
        raise ValueError(f"{name!r} is a built-in method and cannot be replaced.")
    if key in _REGISTRY and not replace:
        raise ValueError(f"A method {name!r} is already registered; pass replace=True.")
    method = BenchmarkMethod(name.strip(), factory, description)
    _REGISTRY[key] = method
    return method


def unregister_method(name):
    """Remove a user method registered with :func:`register_method`.

    Parameters
    ----------
    name : str

    Raises
    ------
    ValueError
        For a built-in method or a name that is not registered.

    Examples
    --------
    >>> from sklearn.dummy import DummyClassifier
    >>> from sktsmtl.benchmarking import list_methods, register_method, unregister_method
    >>> _ = register_method("majority", DummyClassifier())
    >>> unregister_method("majority")
    >>> "majority" in list_methods()
    False
    """
    key = _key(name)
    if key in _BUILTIN_KEYS:
        raise ValueError(f"{name!r} is a built-in method and cannot be removed.")
    if key not in _REGISTRY:
        raise ValueError(f"No user method {name!r} is registered.")
    del _REGISTRY[key]
