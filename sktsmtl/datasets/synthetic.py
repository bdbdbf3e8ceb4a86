"""Synthetic data: random-walk pairs (for learning DTW), small warped task groups, and
related label sets over one set of series.

Both generators are fast and exactly repeatable with an int ``random_state``; they are
meant for tests, examples and quick experiments, not as benchmarks.
"""

import numbers

import numpy as np

__all__ = ["make_random_walk_pairs", "make_warped_tasks", "make_label_sets", "SHAPES"]


def _check_random_state(seed):
    """scikit-learn's ``check_random_state``, imported on use (import time matters)."""
    from sklearn.utils import check_random_state as _check

    return _check(seed)


def _check_int(value, name, minimum):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    return int(value)


def _znormalise(x):
    mean = x.mean(axis=-1, keepdims=True)
    std = x.std(axis=-1, keepdims=True)
    return (x - mean) / np.where(std > 0, std, 1.0)


def make_random_walk_pairs(n_pairs, length, n_channels=1, random_state=None):
    """Make pairs of z-normalised Gaussian random walks.

    Each series is the cumulative sum of standard normal steps, then z-normalised
    (mean 0, standard deviation 1) per series and channel. The two series of a pair are
    independent; the pairs are the input of a learnt DTW approximation.

    Parameters
    ----------
    n_pairs : int
        Number of pairs (>= 1).
    length : int
        Series length (>= 2).
    n_channels : int, default=1
        Channels per series; 1 gives univariate series without a channel axis.
    random_state : int, RandomState instance or None, default=None
        Seed.

    Returns
    -------
    pairs : ndarray of shape (n_pairs, 2, length) or (n_pairs, 2, n_channels, length)
        float64.

    Examples
    --------
    >>> import numpy as np
    >>> from sktsmtl.datasets import make_random_walk_pairs
    >>> pairs = make_random_walk_pairs(5, 32, random_state=0)
    >>> pairs.shape
    (5, 2, 32)
    >>> bool(np.allclose(pairs.mean(axis=-1), 0) and np.allclose(pairs.std(axis=-1), 1))
    True
    >>> make_random_walk_pairs(4, 16, n_channels=3, random_state=0).shape
    (4, 2, 3, 16)
    """
    n_pairs = _check_int(n_pairs, "n_pairs", 1)
    length = _check_int(length, "length", 2)
    n_channels = _check_int(n_channels, "n_channels", 1)
    rng = _check_random_state(random_state)
    steps = rng.standard_normal((n_pairs, 2, n_channels, length))
    walks = _znormalise(np.cumsum(steps, axis=-1))
    if n_channels == 1:
        walks = walks[:, :, 0, :]
    return np.ascontiguousarray(walks)


def _bump(u, centre, width):
    return np.exp(-(((u - centre) / width) ** 2))


#: The shape bank of :func:`make_warped_tasks`: name -> function of u in [0, 1].
SHAPES = {
    "sine": lambda u: np.sin(2 * np.pi * u),
    "bump": lambda u: 2.0 * _bump(u, 0.35, 0.1) - 0.5,
    "step": lambda u: np.tanh(20.0 * (u - 0.5)),
    "triangle": lambda u: 1.0 - 4.0 * np.abs(u - 0.5),
    "two_bumps": lambda u: 2.0 * (_bump(u, 0.25, 0.07) + _bump(u, 0.75, 0.07)) - 0.5,
    "ramp": lambda u: 2.0 * u - 1.0,
    "cosine2": lambda u: np.cos(4 * np.pi * u),
    "dip": lambda u: 0.5 - 2.0 * _bump(u, 0.65, 0.1),
}


def _random_warp(u, rng, warp, n_knots=5):
    increments = rng.uniform(1.0 - warp, 1.0 + warp, size=n_knots)
    knots_out = np.concatenate([[0.0], np.cumsum(increments)]) / increments.sum()
    knots_in = np.linspace(0.0, 1.0, n_knots + 1)
    return np.interp(u, knots_in, knots_out)


def make_warped_tasks(
    n_tasks=3,
    n_classes=3,
    n_per_class=10,
    length=64,
    length_step=16,
    warp=0.3,
    noise=0.1,
    variable_length=False,
    random_state=None,
):
    """Make a small multi-task group of time-warped shape classes.

    Task ``t`` (named ``"task_t"``) has ``n_classes`` classes; class ``k`` is the shape
    number ``t + k`` of :data:`SHAPES` (sine, bump, step, triangle, two_bumps, ramp,
    cosine2, dip). Neighbouring tasks therefore share shapes under different labels:
    the step is class 2 of task 0 and class 1 of task 1. Each series is its class's
    shape under a random monotone piecewise-linear time warp, scaled by a random
    amplitude ``1 + 0.1 * N(0, 1)``, plus Gaussian noise. Task ``t`` has length
    ``length + t * length_step``.

    Parameters
    ----------
    n_tasks : int, default=3
        Number of tasks; ``n_tasks + n_classes - 1`` must not exceed 8 (the shapes).
    n_classes : int, default=3
        Classes per task (>= 2).
    n_per_class : int, default=10
        Series per class and task.
    length : int, default=64
        Length of task 0's series (>= 4).
    length_step : int, default=16
        Length added per task; 0 gives all tasks the same length.
    warp : float, default=0.3
        Warp strength in [0, 1): the slopes of the warp lie in ``[1 - warp, 1 + warp]``
        up to normalisation; 0 gives no warping.
    noise : float, default=0.1
        Standard deviation of the additive Gaussian noise.
    variable_length : bool, default=False
        When True, each series has its own length, drawn uniformly between 70 % and
        100 % of its task's length, and every ``X_t`` is a list of 1D arrays.
    random_state : int, RandomState instance or None, default=None
        Seed.

    Returns
    -------
    tasks_X : dict
        ``{"task_t": X_t}``, ``X_t`` a float64 array ``(n_classes * n_per_class, L_t)``
        (or a list of 1D arrays with ``variable_length=True``), rows in random order.
    tasks_y : dict
        ``{"task_t": y_t}``, int64 labels ``0 .. n_classes - 1``.

    Examples
    --------
    >>> from sktsmtl.datasets import make_warped_tasks
    >>> tasks_X, tasks_y = make_warped_tasks(n_tasks=2, n_per_class=4, random_state=0)
    >>> {t: X.shape for t, X in tasks_X.items()}
    {'task_0': (12, 64), 'task_1': (12, 80)}
    >>> sorted(set(tasks_y["task_1"].tolist()))
    [0, 1, 2]
    """
    n_tasks = _check_int(n_tasks, "n_tasks", 1)
    n_classes = _check_int(n_classes, "n_classes", 2)
    n_per_class = _check_int(n_per_class, "n_per_class", 1)
    length = _check_int(length, "length", 4)
    length_step = _check_int(length_step, "length_step", 0)
    if n_tasks + n_classes - 1 > len(SHAPES):
        raise ValueError(
            f"n_tasks + n_classes - 1 = {n_tasks + n_classes - 1} shapes are needed but "
            f"only {len(SHAPES)} exist ({', '.join(SHAPES)})."
        )
    if not 0.0 <= warp < 1.0:
        raise ValueError(f"warp must be in [0, 1), got {warp!r}.")
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise!r}.")
    rng = _check_random_state(random_state)
    shapes = list(SHAPES.values())
    tasks_X, tasks_y = {}, {}
    for t in range(n_tasks):
        task_length = length + t * length_step
        labels = np.repeat(np.arange(n_classes, dtype=np.int64), n_per_class)
        labels = labels[rng.permutation(len(labels))]
        series = []
        for k in labels:
            n = task_length
            if variable_length:
                n = int(rng.randint(int(np.ceil(0.7 * task_length)), task_length + 1))
            u = np.linspace(0.0, 1.0, n)
            amplitude = 1.0 + 0.1 * rng.standard_normal()
            x = amplitude * shapes[t + k](_random_warp(u, rng, warp))
            series.append(x + noise * rng.standard_normal(n))
        tasks_X[f"task_{t}"] = series if variable_length else np.vstack(series)
        tasks_y[f"task_{t}"] = labels
    return tasks_X, tasks_y


#: Rows generated at a time by :func:`make_label_sets` (bounds its working memory).
_BLOCK_ROWS = 8192


def make_label_sets(n_series=1000, length=168, n_subjects=12, noise=0.5, out=None,
                    random_state=None):
    """Make one set of series with three related label sets over it.

    A week of hourly activity (``length=168``), as in the ResNet2D paper's merchant
    case (one series, several label sets). Every series belongs to a ``subject`` whose
    daily profile (two peaks at subject-specific hours) repeats every 24 steps; the
    subject's ``group`` is whether its peaks lie in the first or the second half of the
    day (a coarser view of the subject: a label hierarchy, like gender over subject);
    ``weekend`` says whether the last two days of every seven are busier or quieter
    than the others, independent of the subject. Each series has a random amplitude,
    a random shift of up to two hours and Gaussian noise.

    Parameters
    ----------
    n_series : int, default=1000
        Number of series (>= 2).
    length : int, default=168
        Series length (>= 24).
    n_subjects : int, default=12
        Subjects (>= 2, even): half of them in each group.
    noise : float, default=0.5
        Standard deviation of the additive noise.
    out : ndarray of shape (n_series, length), default=None
        float32 array to write the series into (a ``numpy.memmap`` for data larger
        than memory: the series are made a block of rows at a time); None allocates
        one.
    random_state : int, RandomState instance or None, default=None
        Seed.

    Returns
    -------
    X : ndarray of shape (n_series, length)
        float32 series (``out`` when given).
    Y : dict
        ``{"group": ..., "subject": ..., "weekend": ...}``: int64 labels per series.

    Examples
    --------
    >>> from sktsmtl.datasets import make_label_sets
    >>> X, Y = make_label_sets(n_series=6, random_state=0)
    >>> X.shape, X.dtype, list(Y)
    ((6, 168), dtype('float32'), ['group', 'subject', 'weekend'])
    >>> bool(((Y["subject"] >= 6) == Y["group"]).all())
    True
    """
    n_series = _check_int(n_series, "n_series", 2)
    length = _check_int(length, "length", 24)
    n_subjects = _check_int(n_subjects, "n_subjects", 2)
    if n_subjects % 2:
        raise ValueError(f"n_subjects must be even (half in each group), got {n_subjects}.")
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise!r}.")
    if out is None:
        out = np.empty((n_series, length), dtype=np.float32)
    elif out.shape != (n_series, length):
        raise ValueError(f"out must have shape {(n_series, length)}, got {out.shape}.")
    rng = _check_random_state(random_state)
    half = n_subjects // 2
    hours = np.arange(24.0)
    # subject k < half peaks in the first half of the day (group 0), the others after
    first = np.concatenate([np.linspace(1, 8, half), np.linspace(13, 20, half)])
    second = first + np.tile(np.linspace(2.5, 4.0, half), 2)
    profiles = (_bump(hours[None, :], first[:, None], 1.5)
                + 0.7 * _bump(hours[None, :], second[:, None], 1.5))
    subject = rng.randint(0, n_subjects, n_series).astype(np.int64)
    weekend = rng.randint(0, 2, n_series).astype(np.int64)
    step = np.arange(length)
    weekend_days = ((step // 24) % 7)[None, :] >= 5
    for start in range(0, n_series, _BLOCK_ROWS):
        rows = slice(start, min(start + _BLOCK_ROWS, n_series))
        n = rows.stop - rows.start
        shift = rng.randint(-2, 3, n)
        hour = (step[None, :] - shift[:, None]) % 24
        amplitude = 1.0 + 0.2 * rng.standard_normal(n)
        scale = np.where(weekend_days, np.where(weekend[rows, None], 1.5, 0.5), 1.0)
        x = profiles[subject[rows][:, None], hour] * scale * amplitude[:, None]
        out[rows] = x + noise * rng.standard_normal((n, length))
    return out, {"group": (subject >= half).astype(np.int64), "subject": subject,
                 "weekend": weekend}
