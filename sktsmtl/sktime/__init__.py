"""sktime adapters: sktsmtl's estimators in sktime's classification harness.

Imported only when used: ``import sktsmtl`` does not import this subpackage, and this
subpackage is where sktime's classifier machinery is imported.

Modules
-------
panel
    :func:`~sktsmtl.sktime.to_sktime_panel`,
    :func:`~sktsmtl.sktime.task_of_instance`: sktime ``pd-multiindex`` panels whose
    instance ids carry the task (``"task::id"``).
classifier
    :class:`~sktsmtl.sktime.MultiTaskSktimeClassifier`: an sktsmtl (or scikit-learn)
    estimator as an sktime ``BaseClassifier``, with auxiliary tasks for multi-task
    learning inside a one-data-set-at-a-time harness.
benchmark
    :func:`~sktsmtl.sktime.make_classification_benchmark`,
    :func:`~sktsmtl.sktime.add_task_group`, :func:`~sktsmtl.sktime.sktime_baselines`,
    :func:`~sktsmtl.sktime.results_table`: a task group in sktime's
    ``ClassificationBenchmark``, sktsmtl's methods beside sktime's own classifiers.
"""

from .benchmark import (
    add_task_group,
    make_classification_benchmark,
    results_table,
    sktime_baselines,
)
from .classifier import MultiTaskSktimeClassifier
from .panel import TASK_SEPARATOR, task_of_instance, to_sktime_panel

__all__ = [
    "MultiTaskSktimeClassifier",
    "TASK_SEPARATOR",
    "to_sktime_panel",
    "task_of_instance",
    "make_classification_benchmark",
    "add_task_group",
    "sktime_baselines",
    "results_table",
]
