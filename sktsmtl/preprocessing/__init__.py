"""Task-aware scikit-learn transformers for time series.

Every transformer works series by series on any input form of :mod:`sktsmtl.data` (a
dict ``{task: X_t}``, a :class:`~sktsmtl.data.TaskPanel`, an ``(n, L)`` or ``(n, C, L)``
array, a list of series of varying length) and returns the same form, so it can sit in
a :class:`~sklearn.pipeline.Pipeline` before a multi-task classifier.
"""

from .base import SeriesTransformer
from .imputation import MissingValueImputer, interpolate_missing
from .normalization import ZNormalizer
from .resampling import Resampler

__all__ = ["MissingValueImputer", "ZNormalizer", "Resampler", "interpolate_missing",
           "SeriesTransformer"]
