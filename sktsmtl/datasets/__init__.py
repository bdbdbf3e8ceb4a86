"""Datasets: archive readers, named task groups, split helpers and synthetic data.

Nothing is downloaded and nothing touches the network. The UCR groups are read from a
local copy of the archive named by ``data_dir`` or the environment variable
``SKTSMTL_UCR_DIR``; the embedded groups from data files that installed packages ship.

Modules
-------
paths
    :func:`get_data_dir`, :func:`ucr_file_paths`: where the archive is.
ucr
    :func:`read_ucr_tsv`, :func:`load_ucr_dataset`: UCR ``.tsv`` files, one dataset.
ts_format
    :func:`read_ts_file`: sktime ``.ts`` files (own parser).
groups
    :func:`load_task_group`, :func:`list_task_groups`, :func:`get_task_group`: named
    task groups (the papers' groups and the embedded ones).
embedded
    :func:`sktime_data_dir` and the groups built from sktime's shipped datasets.
splits
    :func:`train_val_test_split_tasks`, :func:`paper_split`,
    :func:`train_val_test_indices`: the paper's stratified 60/20/20 split.
synthetic
    :func:`make_random_walk_pairs`, :func:`make_warped_tasks`, :func:`make_label_sets`.
"""

from .embedded import sktime_data_dir
from .groups import (
    RESNET2D_TABLE1_GROUPS,
    TaskGroup,
    get_task_group,
    list_task_groups,
    load_task_group,
)
from .paths import DATA_DIR_ENV, get_data_dir, ucr_file_paths
from .recordings import recording_split_tasks, shared_test_rows, task_recordings
from .rows import concat_rows, n_rows
from .splits import (
    PAPER_SIZES,
    SPLITS,
    paper_split,
    train_val_test_indices,
    train_val_test_split_tasks,
)
from .synthetic import make_label_sets, make_random_walk_pairs, make_warped_tasks
from .ts_format import read_ts_file
from .ucr import load_ucr_dataset, read_ucr_tsv

__all__ = [
    "DATA_DIR_ENV",
    "get_data_dir",
    "ucr_file_paths",
    "read_ucr_tsv",
    "load_ucr_dataset",
    "read_ts_file",
    "TaskGroup",
    "RESNET2D_TABLE1_GROUPS",
    "get_task_group",
    "list_task_groups",
    "load_task_group",
    "sktime_data_dir",
    "SPLITS",
    "PAPER_SIZES",
    "train_val_test_indices",
    "train_val_test_split_tasks",
    "paper_split",
    "task_recordings",
    "recording_split_tasks",
    "shared_test_rows",
    "make_random_walk_pairs",
    "make_warped_tasks",
    "make_label_sets",
    "concat_rows",
    "n_rows",
]
