"""Multi-task data containers, input conversion and validation.

No torch and no models here: this layer turns every accepted input form into a
:class:`TaskPanel` (X) and :class:`TaskLabels` (y) and rejects bad input with errors that
name the task.
"""

from .label_columns import check_label_columns, is_label_columns
from .mapped import read_only_file_mapping, read_rows, row_blocks
from .panel import TaskLabels, TaskPanel
from .series import pad_series, series_from_task_input, strip_trailing_nan
from .validation import (
    SINGLE_TASK,
    check_not_iterator,
    check_task_classes,
    check_task_data,
    check_task_input,
    format_like_input,
)

__all__ = [
    "TaskPanel",
    "TaskLabels",
    "SINGLE_TASK",
    "check_not_iterator",
    "check_task_input",
    "check_task_data",
    "check_task_classes",
    "format_like_input",
    "pad_series",
    "series_from_task_input",
    "strip_trailing_nan",
    "check_label_columns",
    "is_label_columns",
    "read_only_file_mapping",
    "row_blocks",
    "read_rows",
]
