"""Evaluation protocols: which rows a method fits on and which it is scored on.

``"paper"``
    The ResNet2D paper's protocol (Yeh et al. 2023, section IV), leak-free. Each
    task's archive train and test rows are merged and split, stratified, into 60 %
    train, 20 % validation and 20 % test with the fit's seed. Where tasks share
    recordings (identical series, as DodgerLoop's three label sets over 158 series, or
    rows that the group declares aligned, as the axes of basic_motions and
    UWaveGestureLibrary) the split is drawn once per recording and used by every task
    (:func:`~sktsmtl.datasets.recording_split_tasks`), so no test series, nor another
    view of its recording, is in any task's training or validation part. Groups whose
    tasks share nothing are split per task exactly as ``"paper-per-task"``. Every method
    fits on train plus validation (80 %); the networks hold the validation share out
    again themselves (``validation_fraction=0.25`` of 80 % is the 20 %) and keep the
    epoch with the best validation accuracy, while 1NN-DTW and the ROCKET peers, which
    select nothing, use all of it. Scores are on the 20 % test part, so every seed is a
    new split.
``"paper-per-task"``
    The paper's split as the paper draws it: per task, stratified, whatever the tasks
    share (:func:`~sktsmtl.datasets.train_val_test_split_tasks`). On groups whose
    tasks share recordings a shared network then trains on other tasks' test series:
    the run warns that the multi-task comparison is not clean.
``"ucr"``
    The archive's own train/test split, the same for every seed. The networks train on
    all of the train split and keep their last epoch (``validation_fraction=0``): the
    test split is never used to select anything. Where the archive's splits of tasks
    that share recordings disagree, the run warns.

A group whose tasks view the same recordings in an order that cannot be matched
(``recordings="unmatched"``: Cricket, GestureMidAir) cannot be split cleanly: every
protocol warns for it.
"""

from dataclasses import dataclass

import numpy as np

from .._names import lookup_key
from ..datasets import (
    concat_rows,
    get_data_dir,
    get_task_group,
    load_task_group,
    n_rows,
    recording_split_tasks,
    shared_test_rows,
    task_recordings,
    train_val_test_split_tasks,
)

__all__ = ["PROTOCOLS", "Protocol", "get_protocol"]


@dataclass(frozen=True)
class Protocol:
    """An evaluation protocol.

    Parameters
    ----------
    name : str
        ``"paper"``, ``"paper-per-task"`` or ``"ucr"``.
    validation_fraction : float
        Set on the networks: the share of the fit data they hold out to pick the best
        epoch (0: none, last epoch).
    description : str
        One line.
    unit : {"recording", "task", "archive"}, default="task"
        What the split is drawn over: the recordings of all tasks together (leak-free),
        each task on its own, or none (the archive's split).

    Examples
    --------
    >>> from sktsmtl.benchmarking import get_protocol
    >>> protocol = get_protocol("paper")
    >>> data = protocol.load("basic_motions", tasks=["accel_x"])
    >>> X_fit, y_fit, X_test, y_test = protocol.split(data, seed=0)
    >>> X_fit["accel_x"].shape, X_test["accel_x"].shape
    ((64, 100), (16, 100))
    """

    name: str
    validation_fraction: float
    description: str
    unit: str = "task"

    def load(self, group, data_dir=None, tasks=None, missing="skip"):
        """Read a task group's rows that the protocol needs.

        Parameters
        ----------
        group : str
            Task group name (see :func:`~sktsmtl.datasets.list_task_groups`).
        data_dir : str or path-like, default=None
            UCR archive folder for UCR groups; None reads ``SKTSMTL_UCR_DIR``.
        tasks : list of str, default=None
            Only these tasks of the group.
        missing : {"skip", "error"}, default="skip"
            Datasets of a UCR group absent from the folder: skip them with a warning
            (an error when none is present), or raise.

        Returns
        -------
        dict
            ``{part: (tasks_X, tasks_y)}``: part ``"all"`` for the paper's protocols,
            ``"train"`` and ``"test"`` for ``"ucr"``; and ``"recordings"`` (the
            recording id of every row, see :func:`~sktsmtl.datasets.task_recordings`),
            ``"shared"`` (whether tasks share recordings) and ``"group"``.

        Raises
        ------
        ValueError
            Unknown group (the message lists the known groups) or task.
        FileNotFoundError
            No archive folder, or missing files; the message says which files are
            expected where.
        """
        definition = get_task_group(group)
        if definition.source == "ucr":
            _check_archive_folder(definition, data_dir, tasks)
        parts = ("train", "test") if self.unit == "archive" else ("all",)
        data = {}
        for part in parts:
            data[part] = load_task_group(group, split=part, data_dir=data_dir, tasks=tasks,
                                         missing=missing)
        # recording ids of every task's rows, in the order of "all" (train then test)
        X_all = data["all"][0] if "all" in data else {
            t: concat_rows(data["train"][0][t], data["test"][0][t]) for t in data["train"][0]}
        data["recordings"], data["shared"] = task_recordings(
            X_all, aligned=definition.recordings == "aligned")
        data["group"] = definition
        return data

    def split(self, data, seed):
        """The fit and test parts of one seed.

        Parameters
        ----------
        data : dict
            As returned by :meth:`load`.
        seed : int
            Seed of the paper's split (unused by ``"ucr"``).

        Returns
        -------
        X_fit, y_fit, X_test, y_test : dict
            ``{task: ...}``; for ``"paper"`` the fit part is train then validation rows.
        """
        X_fit, y_fit, X_te, y_te, _, _ = self._parts(data, seed)
        return X_fit, y_fit, X_te, y_te

    def _parts(self, data, seed):
        """The split with the recording ids of the fit and test rows."""
        ids = data["recordings"]
        if self.unit == "archive":
            n_train = {t: n_rows(X) for t, X in data["train"][0].items()}
            return (*data["train"], *data["test"],
                    {t: ids[t][:n] for t, n in n_train.items()},
                    {t: ids[t][n:] for t, n in n_train.items()})
        X, y = data["all"]
        # rows carry their recording id through the split (an extra "task" of ids)
        tagged = {t: np.asarray(ids[t]) for t in X}
        if self.unit == "recording" and data["shared"]:
            parts = recording_split_tasks(X, y, ids, random_state=seed)
            id_parts = recording_split_tasks(tagged, y, ids, random_state=seed)
        else:
            parts = train_val_test_split_tasks(X, y, random_state=seed)
            id_parts = train_val_test_split_tasks(tagged, y, random_state=seed)
        (X_tr, y_tr), (X_va, y_va), (X_te, y_te) = parts
        X_fit = {t: concat_rows(X_tr[t], X_va[t]) for t in X}
        y_fit = {t: np.concatenate([y_tr[t], y_va[t]]) for t in X}
        fit_ids = {t: np.concatenate([id_parts[0][0][t], id_parts[1][0][t]]) for t in X}
        return X_fit, y_fit, X_te, y_te, fit_ids, id_parts[2][0]

    def leakage(self, data, seed):
        """Why the split of ``seed`` is not clean for multi-task learning, or None.

        Parameters
        ----------
        data : dict
            As returned by :meth:`load`.
        seed : int

        Returns
        -------
        str or None
            A sentence for a warning: the group's recordings cannot be matched, or the
            test rows of some tasks are recordings in another task's fit rows.
        """
        group = data["group"]
        if group.recordings == "unmatched" and len(data["recordings"]) > 1:
            return (f"the tasks of {group.name} are views of the same recordings, which "
                    "the archive orders differently per task, so no split can keep a "
                    "recording's views together: a test series of one task may be "
                    "another view of a training series of another task, and the "
                    "comparison of multi-task with per-task methods is not clean.")
        if not data["shared"]:
            return None
        _, _, _, _, fit_ids, test_ids = self._parts(data, seed)
        leaks = shared_test_rows(fit_ids, test_ids)
        if not leaks:
            return None
        counts = ", ".join(f"{n} of {len(test_ids[t])} in {t}" for t, n in leaks.items())
        return (f"under the {self.name!r} protocol (seed {seed}) test series of {group.name} "
                f"are recordings in another task's training data ({counts}): a shared "
                "network trains on them, and the comparison of multi-task with per-task "
                "methods is not clean; protocol 'paper' splits by recording.")


PROTOCOLS = {
    "paper": Protocol("paper", 0.25,
                      "stratified 60/20/20 split of train+test drawn once per recording "
                      "for tasks that share recordings (leak-free), else per task; best "
                      "epoch on the 20 % validation part", unit="recording"),
    "paper-per-task": Protocol("paper-per-task", 0.25,
                               "the paper's per-task stratified 60/20/20 split, whatever "
                               "the tasks share; best epoch on the validation part"),
    "ucr": Protocol("ucr", 0.0, "the archive's train/test split, last epoch",
                    unit="archive"),
}


def get_protocol(name):
    """The protocol named ``name``.

    Parameters
    ----------
    name : str
        ``"paper"``, ``"paper-per-task"`` or ``"ucr"`` (case ignored).

    Returns
    -------
    Protocol

    Raises
    ------
    ValueError
        For an unknown name; the message lists the known ones.

    Examples
    --------
    >>> from sktsmtl.benchmarking import get_protocol
    >>> get_protocol("ucr").validation_fraction
    0.0
    """
    if isinstance(name, Protocol):
        return name
    protocol = next((p for key, p in PROTOCOLS.items()
                     if lookup_key(key) == lookup_key(name)), None)
    if protocol is None:
        raise ValueError(
            f"Unknown protocol {name!r}. Known protocols: {', '.join(PROTOCOLS)}.")
    return protocol


def _check_archive_folder(group, data_dir, tasks):
    """A missing archive folder gets an error that says which files go where."""
    try:
        get_data_dir(data_dir)
    except FileNotFoundError as exc:
        names = list(tasks) if tasks is not None else list(group.tasks)
        expected = ", ".join(f"<folder>/{t}/{t}_TRAIN.tsv and {t}_TEST.tsv" for t in names)
        raise FileNotFoundError(
            f"Task group {group.name!r} is read from the UCR archive folder. {exc} "
            f"Expected files: {expected}."
        ) from None
