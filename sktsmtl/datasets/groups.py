"""Named task groups: the papers' groups of UCR datasets and the embedded groups.

A task group is a set of related classification tasks learnt together. The UCR groups
are read from the archive folder the user points to (``data_dir`` or
``SKTSMTL_UCR_DIR``); each task is one archive dataset, named as in the archive. The
embedded groups are built from data files that installed packages ship (see
:mod:`sktsmtl.datasets.embedded`).

UCR groups of the ResNet2D paper (Yeh et al., 2023, Table I; 25 tasks in 7 groups):
``Cricket``, ``UWaveGestureLibrary``, ``AllGestureWiimote``, ``DodgerLoop``,
``SemgHand``, ``GestureMidAir``, ``ECG``.

UCR groups of the MTCS paper (Wang et al., 2022): ``mtcs_table1`` (the 15 largest UCR
datasets of its Table 1) and ``mtcs_table2`` (the 10 datasets of its Table 2).

Embedded groups: ``basic_motions``, ``basic_motions_multivariate``,
``japanese_vowels``, ``japanese_vowels_multivariate``.

Group names are matched ignoring case, ``_``, ``-`` and spaces (``"dodger_loop"`` is
``"DodgerLoop"``).
"""

import warnings
from dataclasses import dataclass

from .._names import lookup_key
from .embedded import EMBEDDED_GROUPS, _available
from .paths import _locate, get_data_dir
from .splits import _check_split, _resolve_seed, _select_split
from .ucr import _archive_splits_needed, _load_parts

__all__ = [
    "TaskGroup",
    "RESNET2D_TABLE1_GROUPS",
    "get_task_group",
    "list_task_groups",
    "load_task_group",
]

_RESNET2D = "Yeh et al. 2023, Table I (ResNet2D w/ MTL)"
_MTCS = "Wang et al. 2022, MTCS"


@dataclass(frozen=True)
class TaskGroup:
    """Definition of a named task group.

    Parameters
    ----------
    name : str
        Canonical name.
    tasks : tuple of str
        Task names, in order; for UCR groups the archive dataset names.
    source : {"ucr", "embedded"}
        Where the data come from.
    description : str
        One line.
    reference : str
        Paper and table the group comes from, if any.
    recordings : {"separate", "aligned", "unmatched"}, default="separate"
        How the tasks' rows relate. ``"separate"``: the tasks have their own series
        (identical series across tasks are still found from the data, as in
        DodgerLoop). ``"aligned"``: row ``i`` of every task is one recording seen
        through another sensor axis. ``"unmatched"``: the tasks are views of the same
        recordings, but the archive orders each task differently, so rows cannot be
        matched (a per-task split may then leak; see
        :mod:`sktsmtl.datasets.recordings`).

    Examples
    --------
    >>> from sktsmtl.datasets import get_task_group
    >>> get_task_group("dodger_loop").tasks
    ('DodgerLoopDay', 'DodgerLoopGame', 'DodgerLoopWeekend')
    """

    name: str
    tasks: tuple
    source: str
    description: str = ""
    reference: str = ""
    recordings: str = "separate"


_UCR_GROUPS = [
    TaskGroup(
        "Cricket",
        ("CricketX", "CricketY", "CricketZ"),
        "ucr",
        "Cricket umpire signals, accelerometer axes X/Y/Z",
        _RESNET2D,
        recordings="unmatched",
    ),
    TaskGroup(
        "UWaveGestureLibrary",
        (
            "UWaveGestureLibraryAll",
            "UWaveGestureLibraryX",
            "UWaveGestureLibraryY",
            "UWaveGestureLibraryZ",
        ),
        "ucr",
        "uWave gestures, accelerometer axes and their concatenation",
        _RESNET2D,
        recordings="aligned",
    ),
    TaskGroup(
        "AllGestureWiimote",
        ("AllGestureWiimoteX", "AllGestureWiimoteY", "AllGestureWiimoteZ"),
        "ucr",
        "Wiimote gestures, accelerometer axes X/Y/Z (variable length)",
        _RESNET2D,
        recordings="aligned",
    ),
    TaskGroup(
        "DodgerLoop",
        ("DodgerLoopDay", "DodgerLoopGame", "DodgerLoopWeekend"),
        "ucr",
        "Loop-sensor traffic near Dodger Stadium: weekday, game day, weekend (missing "
        "values)",
        _RESNET2D,
    ),
    TaskGroup(
        "SemgHand",
        ("SemgHandGenderCh2", "SemgHandMovementCh2", "SemgHandSubjectCh2"),
        "ucr",
        "Surface EMG of hand movements: gender, movement, subject",
        _RESNET2D,
    ),
    TaskGroup(
        "GestureMidAir",
        ("GestureMidAirD1", "GestureMidAirD2", "GestureMidAirD3"),
        "ucr",
        "Mid-air hand gestures, 3D coordinates (variable length)",
        _RESNET2D,
        recordings="unmatched",
    ),
    TaskGroup(
        "ECG",
        (
            "ECG200",
            "ECG5000",
            "ECGFiveDays",
            "NonInvasiveFetalECGThorax1",
            "NonInvasiveFetalECGThorax2",
            "TwoLeadECG",
        ),
        "ucr",
        "Electrocardiogram datasets",
        _RESNET2D,
    ),
    TaskGroup(
        "mtcs_table1",
        (
            "Crop",
            "ElectricDevices",
            "StarLightCurves",
            "Wafer",
            "TwoPatterns",
            "ECG5000",
            "FordA",
            "UWaveGestureLibraryAll",
            "UWaveGestureLibraryX",
            "UWaveGestureLibraryY",
            "UWaveGestureLibraryZ",
            "FordB",
            "ChlorineConcentration",
            "NonInvasiveFetalECGThorax1",
            "NonInvasiveFetalECGThorax2",
        ),
        "ucr",
        "The 15 largest UCR datasets",
        _MTCS + ", Table 1",
    ),
    TaskGroup(
        "mtcs_table2",
        (
            "Lightning2",
            "Lightning7",
            "EOGHorizontalSignal",
            "EOGVerticalSignal",
            "Chinatown",
            "MelbournePedestrian",
            "SmallKitchenAppliances",
            "LargeKitchenAppliances",
            "Computers",
            "HouseTwenty",
        ),
        "ucr",
        "10 UCR datasets with known task semantics (task-relation study)",
        _MTCS + ", Table 2",
    ),
]

#: The seven groups of the ResNet2D paper's Table I, in the table's order.
RESNET2D_TABLE1_GROUPS = (
    "Cricket",
    "UWaveGestureLibrary",
    "AllGestureWiimote",
    "DodgerLoop",
    "SemgHand",
    "GestureMidAir",
    "ECG",
)

_EMBEDDED = [
    TaskGroup(name, tuple(spec["tasks"]), "embedded", spec["description"], "",
              spec.get("recordings", "separate"))
    for name, spec in EMBEDDED_GROUPS.items()
]


def _key(name):
    return lookup_key(name)


_REGISTRY = {_key(g.name): g for g in _UCR_GROUPS + _EMBEDDED}


def get_task_group(name):
    """Return the definition of a named task group.

    Parameters
    ----------
    name : str
        Group name; case, ``_``, ``-`` and spaces are ignored.

    Returns
    -------
    TaskGroup

    Raises
    ------
    ValueError
        For an unknown name; the message lists the known groups.

    Examples
    --------
    >>> from sktsmtl.datasets import get_task_group
    >>> group = get_task_group("ecg")
    >>> group.name, group.source, len(group.tasks)
    ('ECG', 'ucr', 6)
    """
    if not isinstance(name, str):
        raise TypeError(f"a task group name must be a string, got {type(name).__name__}.")
    group = _REGISTRY.get(_key(name))
    if group is None:
        known = ", ".join(g.name for g in _REGISTRY.values())
        raise ValueError(f"Unknown task group {name!r}. Known task groups: {known}.")
    return group


def _try_data_dir(data_dir):
    try:
        return get_data_dir(data_dir)
    except FileNotFoundError:
        return None


def list_task_groups(data_dir=None, format="tsv"):
    """Describe every named task group and whether its data are available here.

    Parameters
    ----------
    data_dir : str or path-like, default=None
        UCR archive folder; None reads ``SKTSMTL_UCR_DIR``. When neither is set, the UCR
        groups are reported unavailable (no error).
    format : {"tsv", "ts"}, default="tsv"
        Which files of the UCR groups must be present.

    Returns
    -------
    list of dict
        One dict per group with keys ``name``, ``source`` (``"ucr"`` or
        ``"embedded"``), ``tasks`` (tuple), ``n_tasks``, ``available`` (bool: every
        task's train and test files are present), ``missing_tasks`` (tuple),
        ``description`` and ``reference``.

    Examples
    --------
    >>> from sktsmtl.datasets import list_task_groups
    >>> info = {g["name"]: g for g in list_task_groups()}
    >>> info["basic_motions"]["available"], info["basic_motions"]["n_tasks"]
    (True, 6)
    >>> info["DodgerLoop"]["source"]
    'ucr'
    """
    root = _try_data_dir(data_dir)
    out = []
    for group in _REGISTRY.values():
        if group.source == "ucr":
            if root is None:
                missing = group.tasks
            else:
                missing = tuple(t for t in group.tasks if _locate(t, root, format)[1])
        else:
            dataset = EMBEDDED_GROUPS[group.name]["dataset"]
            missing = () if _available(dataset) else group.tasks
        out.append(
            {
                "name": group.name,
                "source": group.source,
                "tasks": group.tasks,
                "n_tasks": len(group.tasks),
                "available": not missing,
                "missing_tasks": missing,
                "description": group.description,
                "reference": group.reference,
            }
        )
    return out


def _resolve_group(name):
    if isinstance(name, str):
        return get_task_group(name)
    try:
        tasks = tuple(name)
    except TypeError:
        raise TypeError(
            "name must be a task group name or a list of UCR dataset names, got "
            f"{type(name).__name__}."
        ) from None
    if not tasks or not all(isinstance(t, str) for t in tasks):
        raise ValueError("a custom task group must be a non-empty list of dataset names.")
    return TaskGroup("custom", tasks, "ucr", "user-defined list of UCR datasets")


def _select_tasks(group, tasks):
    if tasks is None:
        return list(group.tasks)
    if isinstance(tasks, str):
        tasks = [tasks]
    tasks = list(tasks)
    unknown = [t for t in tasks if t not in group.tasks]
    if unknown:
        raise ValueError(
            f"Task(s) {unknown} are not in task group {group.name!r}, whose tasks are "
            f"{list(group.tasks)}."
        )
    if len(set(tasks)) != len(tasks):
        raise ValueError(f"tasks lists a task more than once: {tasks}.")
    if not tasks:
        raise ValueError("tasks is empty.")
    return tasks


def load_task_group(
    name,
    split="train",
    data_dir=None,
    random_state=0,
    tasks=None,
    missing="error",
    format="tsv",
):
    """Load a task group as two dicts ``{task: X_t}`` and ``{task: y_t}``.

    Parameters
    ----------
    name : str or list of str
        A group name (see :func:`list_task_groups`; case, ``_``, ``-`` and spaces
        ignored), or a list of UCR dataset names forming an ad-hoc group.
    split : {"train", "test", "all", "paper_train", "paper_val", "paper_test"}, \
default="train"
        ``"train"``/``"test"``: the archive's (or shipped) split. ``"all"``: train then
        test rows of each task. ``"paper_*"``: one part of the ResNet2D paper's per-task
        stratified 60/20/20 split of all rows (:func:`paper_split`).
    data_dir : str or path-like, default=None
        UCR archive folder for the UCR groups; None reads ``SKTSMTL_UCR_DIR``. Unused by
        embedded groups.
    random_state : int, RandomState instance or None, default=0
        Seed of the ``"paper_*"`` splits, shared by all tasks. Use an int so that the
        three parts loaded by three calls are disjoint.
    tasks : list of str, default=None
        Load only these tasks of the group, in this order.
    missing : {"error", "skip"}, default="error"
        For UCR groups, what to do when some datasets are not in the folder: raise a
        ``FileNotFoundError`` listing the missing files and the folder, or skip those
        tasks with a warning (an error still when none is present).
    format : {"tsv", "ts"}, default="tsv"
        File format of the UCR groups. Unused by embedded groups.

    Returns
    -------
    tasks_X : dict
        ``{task: X_t}``, ``X_t`` a float64 array ``(n_t, L_t)`` (or ``(n_t, C, L_t)``
        for multivariate tasks), NaN-padded at the end for shorter series and NaN in
        place for missing values.
    tasks_y : dict
        ``{task: y_t}``, int64 when a task's labels are all integral, else strings.

    Raises
    ------
    ValueError
        Unknown group (the message lists the known ones), unknown task, bad split.
    FileNotFoundError
        UCR folder not set, or datasets missing with ``missing="error"``.

    Examples
    --------
    >>> from sktsmtl.datasets import load_task_group
    >>> tasks_X, tasks_y = load_task_group("basic_motions", split="train")
    >>> list(tasks_X)
    ['accel_x', 'accel_y', 'accel_z', 'gyro_x', 'gyro_y', 'gyro_z']
    >>> tasks_X["accel_x"].shape, tasks_y["accel_x"][:2].tolist()
    ((40, 100), ['Standing', 'Standing'])

    With the UCR archive folder set (``SKTSMTL_UCR_DIR``):

    >>> tasks_X, tasks_y = load_task_group("DodgerLoop", split="paper_train")  # doctest: +SKIP
    >>> {t: X.shape for t, X in tasks_X.items()}  # doctest: +SKIP
    {'DodgerLoopDay': (94, 288), 'DodgerLoopGame': (94, 288), 'DodgerLoopWeekend': (94, 288)}
    """
    _check_split(split)
    if missing not in ("error", "skip"):
        raise ValueError(f"missing must be 'error' or 'skip', got {missing!r}.")
    group = _resolve_group(name)
    wanted = _select_tasks(group, tasks)
    needed = _archive_splits_needed(split)
    seed = _resolve_seed(random_state) if split.startswith("paper_") else None

    if group.source == "embedded":
        parts = EMBEDDED_GROUPS[group.name]["loader"](needed, wanted)
    else:
        root = get_data_dir(data_dir)
        absent = {}
        for task in wanted:
            files_missing = _locate(task, root, format, needed)[1]
            if files_missing:
                absent[task] = files_missing
        if absent:
            files = [f for fs in absent.values() for f in fs]
            if missing == "error" or len(absent) == len(wanted):
                hint = (
                    " Pass missing='skip' to load the tasks that are present, or "
                    "tasks=[...] to choose them."
                    if len(absent) < len(wanted)
                    else ""
                )
                raise FileNotFoundError(
                    f"Task group {group.name!r}: {len(absent)} of {len(wanted)} datasets "
                    f"are not in the UCR archive folder {str(root)!r}; missing files: "
                    f"{', '.join(files)}.{hint}"
                )
            warnings.warn(
                f"Task group {group.name!r}: skipping {list(absent)}, whose files are "
                f"not in {str(root)!r}.",
                UserWarning,
                stacklevel=2,
            )
            wanted = [t for t in wanted if t not in absent]
        parts = {task: _load_parts(task, root, format, needed) for task in wanted}

    tasks_X, tasks_y = {}, {}
    for task in wanted:
        tasks_X[task], tasks_y[task] = _select_split(parts[task], split, seed, task)
    return tasks_X, tasks_y
