"""``CrossValidatedSVC``: the SVM fine-tuning stage of TS2Vec and MTCS on frozen embeddings."""

import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import GridSearchCV
from sklearn.svm import SVC
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["CrossValidatedSVC"]

#: The penalties TS2Vec's ``fit_svm`` searches (``np.inf`` is a hard margin).
DEFAULT_C_GRID = (1e-4, 1e-3, 1e-2, 0.1, 1.0, 10.0, 100.0, 1000.0, 1e4, np.inf)


def _check_c_grid(C_grid):
    """The grid as a list of floats; raise ``ValueError`` unless it is non-empty, > 0."""
    if C_grid is None:
        return list(DEFAULT_C_GRID)
    try:
        values = np.asarray(C_grid, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"C_grid must hold real numbers, got {C_grid!r}.") from None
    if values.ndim != 1 or values.size == 0:
        raise ValueError(
            f"C_grid must be a non-empty 1D sequence of penalties, got shape {values.shape}."
        )
    bad = values[np.isnan(values) | (values <= 0)]
    if bad.size:
        raise ValueError(
            f"C_grid must hold positive penalties (np.inf allowed), got {float(bad[0])}."
        )
    return [float(c) for c in values]


def _stratified_subsample(y_encoded, n_keep, min_per_class, random_state):
    """Sorted indices of a stratified random subsample of ``n_keep`` rows.

    Each class keeps its share of ``n_keep`` (rounded, the rows lost to rounding going
    to the largest remainders) and at least ``min(count, min_per_class)`` rows, taken
    from the classes with the most rows, so that a stratified CV still sees it in
    every fold.
    """
    rng = check_random_state(random_state)
    counts = np.bincount(y_encoded)
    exact = counts * (n_keep / counts.sum())
    keep = np.floor(exact).astype(np.int64)
    by_remainder = np.argsort(-(exact - keep), kind="stable")
    keep[by_remainder[: n_keep - keep.sum()]] += 1
    floor = np.minimum(counts, min_per_class)
    for c in np.flatnonzero(keep < floor):
        for _ in range(floor[c] - keep[c]):
            keep[np.argmax(keep - floor)] -= 1
        keep[c] = floor[c]
    rows = [rng.choice(np.flatnonzero(y_encoded == c), size=k, replace=False)
            for c, k in enumerate(keep)]
    return np.sort(np.concatenate(rows))


class CrossValidatedSVC(ClassifierMixin, BaseEstimator):
    """RBF support vector classifier whose penalty ``C`` is chosen by stratified CV.

    The fine-tuning protocol of TS2Vec's ``fit_svm``, which MTCS follows to classify
    the frozen embeddings of its encoder: ``SVC(kernel="rbf", gamma="scale")`` with

    - **small data** (``n // n_classes < min_per_class`` or ``n < min_samples``): no
      search, one fit with ``C = np.inf`` (a hard margin);
    - **otherwise**: ``C`` searched over ``C_grid`` by ``cv``-fold stratified CV
      (accuracy), then the best ``C`` refitted on the searched rows. Above
      ``max_samples`` training rows, the search (and the refit) uses a stratified
      random subsample of ``max_samples`` rows.

    Parameters
    ----------
    C_grid : array-like of float or None, default=None
        Penalties searched; positive, ``np.inf`` allowed. None is the protocol's grid
        ``(1e-4, 1e-3, 1e-2, 0.1, 1, 10, 100, 1000, 1e4, inf)``.
    cv : int, default=5
        Number of stratified folds (unshuffled, as in the protocol); at least 2.
    min_per_class : int, default=5
        No search when there are fewer training rows per class on average.
    min_samples : int, default=50
        No search when there are fewer training rows.
    max_samples : int or None, default=10_000
        Above this many training rows, search on a stratified subsample of this size;
        None searches on all rows.
    max_iter : int, default=10_000_000
        Iteration limit of every SVC fit (-1: none).
    n_jobs : int or None, default=None
        Parallel fits of the grid search (joblib); None means 1 unless in a
        ``joblib.parallel_config`` context.
    random_state : int, RandomState instance or None, default=None
        Seeds the subsample above ``max_samples`` rows (the only randomness).
    verbose : int, default=0
        Verbosity of the grid search.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Number of features (embedding dimensions) seen in ``fit``.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Column names, when ``fit`` receives a DataFrame with string column names.
    searched_ : bool
        Whether ``C`` was chosen by grid search (False: the ``C = inf`` fallback).
    best_C_ : float
        The penalty of ``svc_``.
    cv_results_ : dict
        ``GridSearchCV.cv_results_`` of the search; only set when ``searched_``.
    svc_ : sklearn.svm.SVC
        The fitted SVC used by ``predict`` and ``decision_function``.
    n_iter_ : ndarray of shape (n_classes * (n_classes - 1) // 2,)
        Solver iterations of ``svc_``, one per one-vs-one pair of classes.

    See Also
    --------
    sklearn.svm.SVC : the underlying classifier.

    Notes
    -----
    A class with fewer than ``cv`` members also gives the ``C = inf`` fallback:
    stratified folds cannot all hold it, and a fold without it may leave a single class
    to fit on. ``max_samples`` must then leave room for ``cv`` rows of every class
    (``max_samples >= cv * n_classes``). ``C = np.inf`` is accepted by scikit-learn's
    SVC as is.

    There is no ``predict_proba``: the protocol's SVC is not calibrated (TS2Vec scores
    accuracy only), and Platt scaling would cost an inner CV and can disagree with
    ``predict``. Use ``decision_function`` for scores, or wrap the estimator in
    :class:`~sklearn.calibration.CalibratedClassifierCV` for probabilities.

    TS2Vec's fallback SVC has no iteration limit; here ``max_iter`` bounds it too. A
    hard margin cannot be reached when identical rows carry different labels: the
    solver then stops at ``max_iter`` with a ``ConvergenceWarning`` (TS2Vec's would
    not stop); lower ``max_iter`` to stop sooner.

    Examples
    --------
    >>> import numpy as np
    >>> from sktsmtl.classification import CrossValidatedSVC
    >>> rng = np.random.default_rng(0)
    >>> y = np.repeat(["a", "b"], 40)
    >>> X = rng.normal(size=(80, 3)) + 3 * (y == "b")[:, None]
    >>> clf = CrossValidatedSVC(C_grid=[0.1, 1.0, np.inf]).fit(X, y)
    >>> clf.searched_, clf.best_C_ in (0.1, 1.0, np.inf)
    (True, True)
    >>> clf.predict([[0.0, 0.0, 0.0], [3.0, 3.0, 3.0]])
    array(['a', 'b'], dtype='<U1')
    >>> CrossValidatedSVC().fit(X[::4], y[::4]).best_C_  # 20 rows: no search
    inf
    """

    _parameter_constraints = {
        "C_grid": ["array-like", None],
        "cv": [Interval(numbers.Integral, 2, None, closed="left")],
        "min_per_class": [Interval(numbers.Integral, 0, None, closed="left")],
        "min_samples": [Interval(numbers.Integral, 0, None, closed="left")],
        "max_samples": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "max_iter": [Interval(numbers.Integral, -1, None, closed="left")],
        "n_jobs": [numbers.Integral, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        C_grid=None,
        cv=5,
        min_per_class=5,
        min_samples=50,
        max_samples=10_000,
        max_iter=10_000_000,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.C_grid = C_grid
        self.cv = cv
        self.min_per_class = min_per_class
        self.min_samples = min_samples
        self.max_samples = max_samples
        self.max_iter = max_iter
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True  # handed to the SVC as CSR
        return tags

    def _svc(self, C):
        return SVC(C=C, kernel="rbf", gamma="scale", max_iter=self.max_iter)

    def fit(self, X, y):
        """Choose ``C`` (or fall back to ``C = inf``) and fit the SVC.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Training features, e.g. frozen embeddings of the series.
        y : array-like of shape (n_samples,)
            Class labels (any hashable type); at least two classes.

        Returns
        -------
        self : CrossValidatedSVC
            The fitted classifier.

        Examples
        --------
        >>> from sktsmtl.classification import CrossValidatedSVC
        >>> clf = CrossValidatedSVC().fit([[0.0], [1.0], [9.0], [10.0]], [-1, -1, 1, 1])
        >>> clf.searched_, clf.classes_
        (False, array([-1,  1]))
        """
        self._validate_params()
        C_grid = _check_c_grid(self.C_grid)
        X, y = validate_data(self, X, y, accept_sparse="csr", dtype=np.float64)
        check_classification_targets(y)
        self.classes_, y_encoded = np.unique(y, return_inverse=True)
        n_samples, n_classes = len(y), len(self.classes_)
        if n_classes < 2:
            raise ValueError(
                f"{type(self).__name__} needs at least 2 classes in y; got 1 class "
                f"({self.classes_[0]!r})."
            )
        counts = np.bincount(y_encoded)
        small = n_samples // n_classes < self.min_per_class or n_samples < self.min_samples
        rare = counts.min() < self.cv
        if hasattr(self, "cv_results_"):  # stale, from an earlier fit
            del self.cv_results_

        self.searched_ = not (small or rare)
        if not self.searched_:
            self.svc_ = self._svc(np.inf).fit(X, y)
            self.best_C_ = float(np.inf)
            self.n_iter_ = self.svc_.n_iter_
            return self

        if self.max_samples is not None and n_samples > self.max_samples:
            if self.max_samples < self.cv * n_classes:
                raise ValueError(
                    f"max_samples={self.max_samples} leaves no room for cv={self.cv} "
                    f"rows of each of the {n_classes} classes; use max_samples >= "
                    f"{self.cv * n_classes}."
                )
            rows = _stratified_subsample(y_encoded, self.max_samples, self.cv,
                                         self.random_state)
            X, y = X[rows], y[rows]
        search = GridSearchCV(self._svc(1.0), {"C": C_grid}, cv=self.cv,
                              n_jobs=self.n_jobs, verbose=self.verbose)
        search.fit(X, y)
        self.svc_ = search.best_estimator_
        self.best_C_ = float(search.best_params_["C"])
        self.cv_results_ = search.cv_results_
        self.n_iter_ = self.svc_.n_iter_
        return self

    def _validated(self, X):
        check_is_fitted(self)
        return validate_data(self, X, reset=False, accept_sparse="csr", dtype=np.float64)

    def predict(self, X):
        """Predict the class of each row.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Features.

        Returns
        -------
        ndarray of shape (n_samples,)
            Predicted labels.
        """
        X = self._validated(X)
        return self.svc_.predict(X)

    def decision_function(self, X):
        """Signed distances to the SVC's decision boundaries.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Features.

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_classes)
            For two classes, positive values favour ``classes_[1]``; otherwise one
            one-vs-rest column per class, in the order of ``classes_``.

        Examples
        --------
        >>> from sktsmtl.classification import CrossValidatedSVC
        >>> clf = CrossValidatedSVC().fit([[0.0], [1.0], [9.0], [10.0]], ["x", "x", "y", "y"])
        >>> bool(clf.decision_function([[10.0]])[0] > 0)
        True
        """
        X = self._validated(X)
        return self.svc_.decision_function(X)
