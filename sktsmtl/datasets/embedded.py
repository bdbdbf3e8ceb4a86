"""Task groups built from data files shipped inside installed packages (no download).

sktime ships a few UEA multivariate datasets as ``.ts`` files in its package folder
(``sktime/datasets/data/<Name>/<Name>_TRAIN.ts``). They are read here with sktsmtl's own
``.ts`` reader (sktime is located with :mod:`importlib`, not imported) and their channels
are turned into tasks:

``basic_motions``
    BasicMotions (4 students, smart watch, 4 activities: Standing, Running, Walking,
    Badminton; 40 train and 40 test series of length 100). Its 6 channels become 6
    univariate tasks, in the file's dimension order: ``accel_x``, ``accel_y``,
    ``accel_z`` (dimensions 0-2, the 3D accelerometer) and ``gyro_x``, ``gyro_y``,
    ``gyro_z`` (dimensions 3-5, the 3D gyroscope). The file's header names the sensors
    in that order (accelerometer, then gyroscope); the axis letters follow the
    dimension order within each sensor, which the archive does not document further.
    Every task has the same labels (the activity).
``basic_motions_multivariate``
    The same data as one multivariate task ``basic_motions`` of shape ``(n, 6, 100)``.
``japanese_vowels``
    JapaneseVowels (9 speakers saying /ae/; 270 train and 370 test series of 7 to 29
    frames). Its 12 channels, the 12 LPC cepstrum coefficients in file order, become 12
    univariate variable-length tasks ``lpcc_01`` ... ``lpcc_12``, NaN-padded at the end.
    Every task has the same labels (the speaker, ints 1 to 9).
``japanese_vowels_multivariate``
    The same data as one multivariate task ``japanese_vowels`` of shape ``(n, 12, L)``.

Train and test are the shipped split.
"""

import importlib.util
from pathlib import Path

import numpy as np

from .rows import parse_labels, stack_padded
from .ts_format import _read_ts_raw

__all__ = ["sktime_data_dir", "EMBEDDED_GROUPS"]

BASIC_MOTIONS_CHANNELS = ("accel_x", "accel_y", "accel_z", "gyro_x", "gyro_y", "gyro_z")
JAPANESE_VOWELS_CHANNELS = tuple(f"lpcc_{i:02d}" for i in range(1, 13))


def sktime_data_dir():
    """Return the folder of the datasets that the installed sktime ships.

    sktime is located with :func:`importlib.util.find_spec`; it is not imported.

    Returns
    -------
    pathlib.Path
        ``<site-packages>/sktime/datasets/data``.

    Raises
    ------
    ImportError
        When sktime is not installed.

    Examples
    --------
    >>> from sktsmtl.datasets import sktime_data_dir
    >>> (sktime_data_dir() / "BasicMotions").is_dir()
    True
    """
    spec = importlib.util.find_spec("sktime")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            "The embedded task groups are read from the data files that sktime ships; "
            "install sktime (pip install sktime)."
        )
    return Path(list(spec.submodule_search_locations)[0]) / "datasets" / "data"


def _dataset_files(dataset):
    folder = sktime_data_dir() / dataset
    return {s: folder / f"{dataset}_{s.upper()}.ts" for s in ("train", "test")}


def _available(dataset):
    try:
        return all(p.is_file() for p in _dataset_files(dataset).values())
    except ImportError:
        return False


def _read_dataset(dataset, splits):
    """Read a shipped dataset: {split: (X (n, C, L), y)}, labels parsed jointly."""
    files = _dataset_files(dataset)
    missing = [str(files[s]) for s in splits if not files[s].is_file()]
    if missing:
        raise FileNotFoundError(
            f"The installed sktime does not ship {dataset}: missing {', '.join(missing)}."
        )
    raw = {s: _read_ts_raw(files[s])[:2] for s in splits}
    labels = parse_labels([lab for s in splits for lab in raw[s][1]])
    out, start = {}, 0
    for s in splits:
        series, raw_labels = raw[s]
        out[s] = (stack_padded(series), labels[start : start + len(raw_labels)])
        start += len(raw_labels)
    return out


def _channels_as_tasks(dataset, channel_names):
    def load(splits, tasks):
        parts = _read_dataset(dataset, splits)
        out = {}
        for task in tasks:
            c = channel_names.index(task)
            out[task] = {
                s: (np.ascontiguousarray(X[:, c, :]), y.copy()) for s, (X, y) in parts.items()
            }
        return out

    return load


def _as_one_task(dataset, task_name):
    def load(splits, tasks):
        return {task_name: _read_dataset(dataset, splits)}

    return load


#: name -> dict(tasks, description, loader, dataset); the loader takes the archive
#: splits wanted and the tasks wanted and returns {task: {split: (X, y)}}.
EMBEDDED_GROUPS = {
    "basic_motions": {
        "tasks": BASIC_MOTIONS_CHANNELS,
        "dataset": "BasicMotions",
        "description": "BasicMotions (sktime-shipped): its 6 sensor channels as 6 "
        "univariate tasks (activity labels)",
        "loader": _channels_as_tasks("BasicMotions", BASIC_MOTIONS_CHANNELS),
        "recordings": "aligned",
    },
    "basic_motions_multivariate": {
        "tasks": ("basic_motions",),
        "dataset": "BasicMotions",
        "description": "BasicMotions (sktime-shipped) as one 6-channel task",
        "loader": _as_one_task("BasicMotions", "basic_motions"),
    },
    "japanese_vowels": {
        "tasks": JAPANESE_VOWELS_CHANNELS,
        "dataset": "JapaneseVowels",
        "description": "JapaneseVowels (sktime-shipped): its 12 LPC cepstrum channels as "
        "12 univariate variable-length tasks (speaker labels)",
        "loader": _channels_as_tasks("JapaneseVowels", JAPANESE_VOWELS_CHANNELS),
        "recordings": "aligned",
    },
    "japanese_vowels_multivariate": {
        "tasks": ("japanese_vowels",),
        "dataset": "JapaneseVowels",
        "description": "JapaneseVowels (sktime-shipped) as one 12-channel variable-length "
        "task",
        "loader": _as_one_task("JapaneseVowels", "japanese_vowels"),
    },
}
