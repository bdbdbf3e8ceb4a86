"""Learned task relations of a multi-task classifier (Wang et al. 2022, Fig. 2)."""

import numbers

import numpy as np
import pandas as pd
import torch

from ..nets import relevance_mask, task_affinity

__all__ = ["task_relations", "plot_task_relations"]

_MEASURES = ("relevance", "peak", "covariance")
_INPUTS = ("all", "pair")
# share of the second-moment spectrum kept by the covariance similarity (Wu et al.)
_COVARIANCE_ENERGY = 0.99


def _head_probabilities(estimator, X):
    """``{task: {head: (n_task, C_head) float64}}`` checked for consistent shapes."""
    method = getattr(estimator, "head_probabilities", None)
    if not callable(method):
        raise TypeError(
            "task_relations needs a fitted multi-task classifier with a "
            f"head_probabilities(X) method; {type(estimator).__name__} has none."
        )
    probas = method(X)
    if not isinstance(probas, dict) or not probas:
        raise ValueError(
            "head_probabilities(X) must return a non-empty dict {task: {head: array}}; "
            f"got {type(probas).__name__}."
        )
    heads = None
    n_classes = {}
    out = {}
    for task, per_head in probas.items():
        if not isinstance(per_head, dict):
            raise ValueError(f"task {task!r}: expected a dict {{head: array}}.")
        if heads is None:
            heads = list(per_head)
        elif set(per_head) != set(heads):
            raise ValueError(
                f"task {task!r}: probabilities of heads {sorted(map(str, per_head))}, but "
                f"other tasks have {sorted(map(str, heads))}: every head must be applied "
                "to every task's series."
            )
        arrays = {h: np.asarray(per_head[h], dtype=np.float64) for h in heads}
        rows = {a.shape[0] if a.ndim == 2 else None for a in arrays.values()}
        if len(rows) != 1 or None in rows:
            raise ValueError(
                f"task {task!r}: each head's probabilities must be (n_series, n_classes) "
                "with one row per series of the task."
            )
        for h, a in arrays.items():
            if n_classes.setdefault(h, a.shape[1]) != a.shape[1]:
                raise ValueError(
                    f"head {h!r} gives {a.shape[1]} classes on task {task!r} but "
                    f"{n_classes[h]} elsewhere."
                )
        out[task] = arrays
    return out, heads


def _pair_statistic(p_j, p_k, measure, tau):
    affinity = task_affinity(torch.from_numpy(p_j), torch.from_numpy(p_k))
    if measure == "relevance":
        return float(relevance_mask(affinity, tau).double().mean())
    total = float(affinity.sum())
    if total <= 0:
        return float("nan")
    return float(affinity.max()) * affinity.numel() / total


def _covariance_factor(embeddings):
    """``U_r D_r^1/2`` of the embeddings' second-moment matrix ``X'X``, with ``r`` the
    fewest leading eigenvalues holding 99% of their sum (Wu et al. 2020, section 2.3)."""
    eigenvalues, eigenvectors = np.linalg.eigh(embeddings.T @ embeddings)
    eigenvalues = np.clip(eigenvalues[::-1], 0.0, None)
    eigenvectors = eigenvectors[:, ::-1]
    total = eigenvalues.sum()
    if total <= 0:
        return None
    rank = int(np.searchsorted(np.cumsum(eigenvalues) / total, _COVARIANCE_ENERGY)) + 1
    rank = min(rank, eigenvalues.size)
    return eigenvectors[:, :rank] * np.sqrt(eigenvalues[:rank])


def _covariance_similarity(estimator, X, heads):
    """Wu et al.'s covariance similarity of every pair of tasks' embeddings."""
    transform = getattr(estimator, "transform", None)
    if not callable(transform):
        raise TypeError(
            f"measure='covariance' needs the estimator's transform(X) (the shared "
            f"embeddings); {type(estimator).__name__} has none."
        )
    embeddings = transform(X)
    if not isinstance(embeddings, dict):
        raise ValueError(
            "measure='covariance' needs per-task embeddings: pass X as a dict or a "
            "TaskPanel, so that transform(X) returns {task: (n, D)}."
        )
    factors = {}
    for task, e in embeddings.items():
        e = np.asarray(e, dtype=np.float64)
        if e.ndim != 2 or e.shape[0] == 0:
            raise ValueError(f"task {task!r}: embeddings must be (n_series, D), got {e.shape}.")
        factors[task] = _covariance_factor(e)
    out = pd.DataFrame(np.nan, index=heads, columns=heads)
    for a in heads:
        for b in heads:
            f_a, f_b = factors.get(a), factors.get(b)
            if a == b or f_a is None or f_b is None:
                continue
            out.loc[a, b] = np.linalg.norm(f_a.T @ f_b) / (
                np.linalg.norm(f_a) * np.linalg.norm(f_b))
    return out


def task_relations(estimator, X, tau=2.0, measure="relevance", inputs="all"):
    """Relation of every ordered pair of tasks learned by a multi-task classifier.

    The affinity measures read the classifier-sharing statistics of MTCS (Wang et al.
    2022, eq. 4-5) off the fitted heads: for tasks ``j`` and ``k``, every head is
    applied to the series of ``X`` and the affinity ``A = mean_x p_j(x) (outer)
    p_k(x)`` is taken over them, the inspection counterpart of the per-batch affinity
    of training (over all series, it is the average of the batch affinities of an
    epoch). The heatmap of these relations (:func:`plot_task_relations`) is the
    "task relations" figure of the paper (Fig. 2).

    Parameters
    ----------
    estimator : fitted multi-task classifier
        Any estimator with ``head_probabilities(X)`` returning ``{task: {head_task:
        (n_task, n_classes_head)}}``, the softmax outputs of every task's head on each
        task's series (e.g. a fitted
        :class:`~sktsmtl.classification.MultiTaskTimeSeriesClassifier`); for
        ``measure="covariance"``, ``transform(X)`` returning ``{task: (n_task, D)}``.
    X : dict or TaskPanel
        Series of the tasks to read the relations on (e.g. the training or test data).
    tau : float, default=2.0
        Relevance threshold of eq. 5 (used by ``"relevance"``).
    measure : {"relevance", "peak", "covariance"}, default="relevance"
        * ``"relevance"``: the share of class pairs ``(p, q)`` marked relevant by eq. 5,
          ``C_j C_k A[p, q] / sum(A) > tau``, i.e. the fraction of the ``C_j C_k`` head
          weight-row pairs that the sharing loss (eq. 3) pulls together; in [0, 1].
        * ``"peak"``: ``max C_j C_k A[p, q] / sum(A)``, the strongest class
          co-occurrence in multiples of the uniform one (the statistic eq. 5
          thresholds; above ``tau`` at least one pair is tied); in [1, C_j C_k].
        * ``"covariance"``: the covariance similarity of Wu, Zhang & Ré (2020, eq. 5)
          of the two tasks' shared embeddings (``transform(X)``), the score the
          paper's Fig. 2 actually draws: ``||(U_j D_j^1/2)' U_k D_k^1/2||_F /
          (||U_j D_j^1/2||_F ||U_k D_k^1/2||_F)`` with ``U D U'`` the best rank-r
          approximation of the embeddings' ``E'E``, r the fewest leading eigenvalues
          holding 99% of their sum; in [0, 1], symmetric, independent of the heads.
          It is 1 for two rank-one clouds along the same direction and below 1
          otherwise, even for a task against itself (``||D||_F / tr D``).
    inputs : {"all", "pair"}, default="all"
        Series the affinity of a pair is taken over: every series of ``X`` (as in
        training, where a batch of any task relates every pair of heads), or only
        those of the two tasks of the pair (NaN when ``X`` holds neither). Ignored by
        ``"covariance"``.

    Returns
    -------
    pandas.DataFrame of shape (n_tasks, n_tasks)
        Rows and columns are the tasks (the heads, in the estimator's order); the
        diagonal is NaN (a task's relation to itself is not a relation between tasks,
        and would dominate the colour scale). The affinity measures are symmetric: the
        ``(k, j)`` affinity is the transpose of the ``(j, k)`` one. ``attrs["measure"]``
        names the measure.

    Raises
    ------
    TypeError
        If the estimator lacks ``head_probabilities`` (or ``transform`` for
        ``"covariance"``).
    ValueError
        If ``measure``, ``tau`` or ``inputs`` is invalid, or the probabilities are
        inconsistent.

    Examples
    --------
    >>> import numpy as np
    >>> from sktsmtl.inspection import task_relations
    >>> class Fitted:  # stands for a fitted multi-task classifier
    ...     def head_probabilities(self, X):
    ...         p_a = np.array([[0.9, 0.1], [0.1, 0.9]])
    ...         p_b = np.array([[0.8, 0.1, 0.1], [0.1, 0.1, 0.8]])
    ...         return {"a": {"a": p_a, "b": p_b}, "b": {"a": p_a, "b": p_b}}
    >>> task_relations(Fitted(), X=None).round(3)
           a      b
    a    NaN  0.333
    b  0.333    NaN
    """
    if measure not in _MEASURES:
        raise ValueError(f"measure must be one of {_MEASURES}, got {measure!r}.")
    if inputs not in _INPUTS:
        raise ValueError(f"inputs must be one of {_INPUTS}, got {inputs!r}.")
    if isinstance(tau, bool) or not isinstance(tau, numbers.Real) or not tau > 0:
        raise ValueError(f"tau must be a positive number, got {tau!r}.")
    probas, heads = _head_probabilities(estimator, X)
    if measure == "covariance":
        out = _covariance_similarity(estimator, X, heads)
    else:
        out = pd.DataFrame(np.nan, index=heads, columns=heads)
        for i, j in enumerate(heads):
            for k in heads[i + 1:]:
                sources = list(probas) if inputs == "all" else [
                    t for t in probas if t in (j, k)]
                if not sources:
                    continue
                p_j = np.concatenate([probas[t][j] for t in sources])
                p_k = np.concatenate([probas[t][k] for t in sources])
                out.loc[j, k] = out.loc[k, j] = _pair_statistic(p_j, p_k, measure, tau)
    out = out.astype(np.float64)
    out.attrs["measure"] = measure
    return out


def plot_task_relations(relations, ax=None, path=None, cmap="Blues", annotate=True,
                        vmin=None, vmax=None):
    """Draw a task-relation heatmap: the darker the cell, the more related the tasks.

    Parameters
    ----------
    relations : pandas.DataFrame of shape (n_tasks, n_tasks)
        From :func:`task_relations` (or any square frame; NaN cells are left blank).
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure when None.
    path : str or path-like, default=None
        Save the figure as a PNG there.
    cmap : str, default="Blues"
        Colour map.
    annotate : bool, default=True
        Write each cell's value in it.
    vmin, vmax : float, default=None
        Ends of the colour scale; the data's range when None.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from sktsmtl.inspection import plot_task_relations
    >>> rel = pd.DataFrame([[None, 0.5], [0.5, None]], index=["a", "b"],
    ...                    columns=["a", "b"], dtype=float)
    >>> ax = plot_task_relations(rel)
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['a', 'b']
    """
    import matplotlib.pyplot as plt

    if not isinstance(relations, pd.DataFrame):
        raise TypeError(
            f"relations must be a pandas DataFrame (from task_relations), got "
            f"{type(relations).__name__}."
        )
    values = relations.to_numpy(dtype=np.float64)
    if values.ndim != 2 or values.shape[0] != values.shape[1] or values.shape[0] == 0:
        raise ValueError(f"relations must be a non-empty square frame, got {values.shape}.")
    labels = [str(t) for t in relations.index]
    n = len(labels)
    if ax is None:
        side = max(3.5, 0.6 * n + 1.5)
        _, ax = plt.subplots(figsize=(side + 1.0, side))
    im = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, vmin=vmin, vmax=vmax,
                   interpolation="nearest")
    measure = relations.attrs.get("measure", "relation")
    ax.figure.colorbar(im, ax=ax, label=measure)
    ax.set_xticks(range(n), labels=[str(t) for t in relations.columns], rotation=45,
                  ha="right")
    ax.set_yticks(range(n), labels=labels)
    if annotate:
        finite = values[np.isfinite(values)]
        middle = (finite.min() + finite.max()) / 2 if finite.size else 0.0
        for i in range(n):
            for j in range(n):
                if np.isfinite(values[i, j]):
                    ax.text(j, i, f"{values[i, j]:.2f}", ha="center", va="center",
                            fontsize=8, color="white" if values[i, j] > middle else "black")
    ax.set_title("task relations")
    if path is not None:
        ax.figure.savefig(path, format="png", dpi=100, bbox_inches="tight")
    return ax
