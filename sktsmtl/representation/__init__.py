"""Self-supervised representations of time series as scikit-learn transformers.

:class:`TS2VecTransformer` trains TS2Vec encoders (Yue et al. 2022) without labels, per
task or jointly on all tasks (the MTCS paper's section 4.4.1), and maps every series to
its instance representation, ready for a per-task SVM.
"""

from .ts2vec import TS2VecTransformer

__all__ = ["TS2VecTransformer"]
