"""sktsmtl: multi-task time-series classification for scikit-learn.

Public estimators are re-exported here; subpackages hold the layers described in the
architecture page of the documentation. The re-exports are loaded on first use (PEP
562), so that ``import sktsmtl`` and the ``sktsmtl`` command's help do not pay for
torch, scikit-learn and numba until an estimator is asked for.
"""

import importlib

__version__ = "0.1.0"

from ._numba_cache import configure_numba_cache

# before any module with a cached numba kernel is imported
configure_numba_cache()

# public name -> the subpackage that defines it
_EXPORTS = {
    "MultiTaskTimeSeriesClassifier": "classification",
    "PerTaskClassifier": "classification",
    "KNeighborsDTWClassifier": "classification",
    "RocketClassifier": "classification",
    "MultiTaskVotingClassifier": "classification",
    "make_rocket_vote": "classification",
    "DTWApproximator": "approximation",
    "TaskPanel": "data",
    "TaskLabels": "data",
    "TS2VecTransformer": "representation",
}

__all__ = [*_EXPORTS, "__version__"]


def __getattr__(name):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value  # later lookups skip this function
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
