"""Two-dimensional views of learnt representations (Yeh et al. 2023, Fig. 5)."""

import numbers

import numpy as np

from ..data import SINGLE_TASK, TaskLabels, TaskPanel

__all__ = ["embedding_coordinates", "plot_embeddings"]

_METHODS = ("tsne", "pca")


def _as_task_dict(values, name):
    """``{task: array}`` from a dict, a TaskPanel/TaskLabels or one task's array."""
    if isinstance(values, dict):
        return {t: np.asarray(v) for t, v in values.items()}
    if isinstance(values, TaskPanel):
        return {t: values.task_array(t) for t in values.tasks}
    if isinstance(values, TaskLabels):
        return {t: np.asarray(values.task_labels(t)) for t in values.tasks}
    if values is None:
        raise TypeError(f"{name} is None.")
    return {SINGLE_TASK: np.asarray(values)}


def _embeddings(estimator, X, y, tasks):
    transform = getattr(estimator, "transform", None)
    if not callable(transform):
        raise TypeError(
            "plot_embeddings needs a fitted estimator with a transform(X) method giving "
            f"representations (a TS2VecTransformer, a MultiTaskTimeSeriesClassifier); "
            f"{type(estimator).__name__} has none."
        )
    Z = _as_task_dict(transform(X), "transform(X)")
    labels = _as_task_dict(y, "y")
    if tasks is None:
        tasks = list(Z)
    elif isinstance(tasks, (str, numbers.Number)) or not hasattr(tasks, "__iter__"):
        tasks = [tasks]
    tasks = list(tasks)
    if not tasks:
        raise ValueError("tasks is empty: choose at least one task.")
    for t in tasks:
        if t not in Z:
            raise ValueError(f"task {t!r} is not in X; its tasks are {list(Z)}.")
        if t not in labels:
            raise ValueError(f"task {t!r} has no labels in y.")
        z = Z[t].reshape(len(Z[t]), -1)
        if len(labels[t]) != len(z):
            raise ValueError(
                f"task {t!r}: y has {len(labels[t])} labels but X has {len(z)} series."
            )
        Z[t] = z
    return tasks, Z, labels


def _project(values, method, random_state, perplexity):
    if method == "pca":
        from sklearn.decomposition import PCA

        n_components = min(2, values.shape[0], values.shape[1])
        out = PCA(n_components=n_components, random_state=random_state).fit_transform(values)
    else:
        from sklearn.manifold import TSNE

        if values.shape[0] < 3:
            raise ValueError(f"t-SNE needs at least 3 series; got {values.shape[0]}.")
        if perplexity is None:
            perplexity = float(min(30.0, max(1.0, (values.shape[0] - 1) / 3)))
        out = TSNE(n_components=2, perplexity=perplexity, init="pca",
                   random_state=random_state).fit_transform(values)
    if out.shape[1] < 2:
        out = np.column_stack([out, np.zeros(len(out))])
    return out


def embedding_coordinates(estimator, X, y, tasks=None, method="tsne", random_state=0,
                          perplexity=None):
    """2D coordinates of the representations of the chosen tasks' series.

    Parameters
    ----------
    estimator : fitted estimator with ``transform``
        Gives ``{task: (n_t, D)}`` representations (or a ``TaskPanel`` of them, or one
        array for one task).
    X : dict, TaskPanel, array-like or list
        Series of the tasks, in any form the estimator takes.
    y : dict, TaskLabels or array-like
        Labels in the matching form.
    tasks : list, default=None
        Tasks to show; None: all tasks of ``X``.
    method : {"tsne", "pca"}, default="tsne"
        :class:`sklearn.manifold.TSNE` or :class:`sklearn.decomposition.PCA`.
    random_state : int, default=0
        Seed of the projection.
    perplexity : float, default=None
        t-SNE perplexity; None: ``min(30, (n - 1) / 3)`` for ``n`` projected series.

    Returns
    -------
    dict
        ``{task: (coordinates (n_t, 2), labels (n_t,))}``. When the tasks' representations
        have one size (a shared encoder), all tasks are projected together, so that the
        panels share one map; otherwise every task is projected on its own.
    """
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}; got {method!r}.")
    tasks, Z, labels = _embeddings(estimator, X, y, tasks)
    if len({Z[t].shape[1] for t in tasks}) == 1:
        stacked = _project(np.vstack([Z[t] for t in tasks]).astype(np.float64), method,
                           random_state, perplexity)
        bounds = np.cumsum([0] + [len(Z[t]) for t in tasks])
        coords = {t: stacked[bounds[i]:bounds[i + 1]] for i, t in enumerate(tasks)}
    else:
        coords = {t: _project(Z[t].astype(np.float64), method, random_state, perplexity)
                  for t in tasks}
    return {t: (coords[t], labels[t]) for t in tasks}


def plot_embeddings(estimator, X, y, tasks=None, method="tsne", path=None, random_state=0,
                    perplexity=None, title=None):
    """Draw the representations of the chosen tasks in 2D, coloured by each task's labels.

    The view of the ResNet2D paper's Fig. 5: one panel per task, every series a point
    at its t-SNE (or PCA) coordinates, coloured by its label in that task. With a
    shared encoder all tasks are projected together, so the same series (two tasks with
    the same series and related label sets, as gender and subject) sits at the same
    place in every panel.

    Parameters
    ----------
    estimator : fitted estimator with ``transform``
        For example a :class:`~sktsmtl.representation.TS2VecTransformer`, a
        :class:`~sktsmtl.MultiTaskTimeSeriesClassifier` or a pipeline ending in one.
    X : dict, TaskPanel, array-like or list
        Series of the tasks.
    y : dict, TaskLabels or array-like
        Their labels, in the matching form.
    tasks : list, default=None
        Tasks to draw, one panel each; None: all tasks of ``X``.
    method : {"tsne", "pca"}, default="tsne"
        Projection to 2D.
    path : str or path-like, default=None
        Save the figure as a PNG there.
    random_state : int, default=0
        Seed of the projection.
    perplexity : float, default=None
        t-SNE perplexity; None: ``min(30, (n - 1) / 3)``.
    title : str, default=None
        Figure title; None: the estimator's class name and the method.

    Returns
    -------
    ndarray of matplotlib Axes
        One per task, in the order of ``tasks``.

    See Also
    --------
    embedding_coordinates : the coordinates without the drawing.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sklearn.decomposition import PCA
    >>> from sktsmtl.inspection import plot_embeddings
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(20, 6))
    >>> axes = plot_embeddings(PCA(3).fit(X), X, np.repeat(["a", "b"], 10), method="pca")
    >>> axes.shape, axes[0].get_legend().get_texts()[0].get_text()
    ((1,), 'a')
    """
    import matplotlib.pyplot as plt

    views = embedding_coordinates(estimator, X, y, tasks=tasks, method=method,
                                  random_state=random_state, perplexity=perplexity)
    n = len(views)
    fig, axes = plt.subplots(1, n, figsize=(4.2 * n, 4.0), squeeze=False)
    axes = axes[0]
    for ax, (task, (xy, labels)) in zip(axes, views.items()):
        classes = list(dict.fromkeys(labels.tolist()))
        cmap = plt.get_cmap("tab10" if len(classes) <= 10 else "tab20")
        for k, c in enumerate(classes):
            keep = labels == c
            ax.scatter(xy[keep, 0], xy[keep, 1], s=14, color=cmap(k % cmap.N), label=str(c),
                       alpha=0.85, edgecolors="none")
        ax.set_title(str(task))
        ax.set_xticks([])
        ax.set_yticks([])
        ax.legend(fontsize=7, loc="best", markerscale=1.2, frameon=False)
    name = "t-SNE" if method == "tsne" else "PCA"
    fig.suptitle(title if title is not None else f"{type(estimator).__name__}: {name}")
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, format="png", dpi=100, bbox_inches="tight")
    return axes
