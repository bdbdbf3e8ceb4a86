"""sktsmtl: multi-task time-series classification for scikit-learn.

Public estimators are re-exported here; subpackages hold the layers described in the
architecture page of the documentation.
"""

__version__ = "0.1.0"

from ._numba_cache import configure_numba_cache

# before any module with a cached numba kernel is imported
configure_numba_cache()

from .approximation import DTWApproximator  # noqa: E402
from .classification import (  # noqa: E402
    KNeighborsDTWClassifier,
    MultiTaskTimeSeriesClassifier,
    PerTaskClassifier,
    RocketClassifier,
)
from .data import TaskLabels, TaskPanel  # noqa: E402

__all__ = [
    "MultiTaskTimeSeriesClassifier",
    "PerTaskClassifier",
    "KNeighborsDTWClassifier",
    "RocketClassifier",
    "DTWApproximator",
    "TaskPanel",
    "TaskLabels",
    "__version__",
]

from .representation import TS2VecTransformer  # noqa: E402

__all__ += ["TS2VecTransformer"]
