"""Evaluation protocols: which rows a method fits on and which it is scored on.

``"paper"``
    The ResNet2D paper's protocol (Yeh et al. 2023, section IV). Each task's archive
    train and test rows are merged and split per task, stratified, into 60 % train,
    20 % validation and 20 % test with the fit's seed
    (:func:`~sktsmtl.datasets.train_val_test_split_tasks`). Every method fits on train
    plus validation (80 %); the networks hold the validation share out again themselves
    (``validation_fraction=0.25`` of 80 % is the 20 %) and keep the epoch with the best
    validation accuracy, while 1NN-DTW, which selects nothing, uses all of it. Scores
    are on the 20 % test part, so every seed is a new split.
``"ucr"``
    The archive's own train/test split, the same for every seed. The networks train on
    all of the train split and keep their last epoch (``validation_fraction=0``): the
    test split is never used to select anything.
"""

from dataclasses import dataclass

import numpy as np

from ..datasets import get_data_dir, get_task_group, load_task_group, train_val_test_split_tasks
from ..datasets.rows import concat_rows

__all__ = ["PROTOCOLS", "Protocol", "get_protocol"]


@dataclass(frozen=True)
class Protocol:
    """An evaluation protocol.

    Parameters
    ----------
    name : str
        ``"paper"`` or ``"ucr"``.
    validation_fraction : float
        Set on the networks: the share of the fit data they hold out to pick the best
        epoch (0: none, last epoch).
    description : str
        One line.

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
            ``{part: (tasks_X, tasks_y)}``: part ``"all"`` for ``"paper"``, ``"train"``
            and ``"test"`` for ``"ucr"``.

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
        parts = ("all",) if self.name == "paper" else ("train", "test")
        data = {}
        for part in parts:
            data[part] = load_task_group(group, split=part, data_dir=data_dir, tasks=tasks,
                                         missing=missing)
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
        if self.name == "ucr":
            return data["train"] + data["test"]
        X, y = data["all"]
        (X_tr, y_tr), (X_va, y_va), (X_te, y_te) = train_val_test_split_tasks(
            X, y, random_state=seed)
        X_fit = {t: concat_rows(X_tr[t], X_va[t]) for t in X}
        y_fit = {t: np.concatenate([y_tr[t], y_va[t]]) for t in X}
        return X_fit, y_fit, X_te, y_te


PROTOCOLS = {
    "paper": Protocol("paper", 0.25,
                      "per-task stratified 60/20/20 split of train+test, best epoch on "
                      "the 20 % validation part"),
    "ucr": Protocol("ucr", 0.0, "the archive's train/test split, last epoch"),
}


def get_protocol(name):
    """The protocol named ``name``.

    Parameters
    ----------
    name : str
        ``"paper"`` or ``"ucr"``.

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
    protocol = PROTOCOLS.get(str(name).lower())
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
