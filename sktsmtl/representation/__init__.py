"""Self-supervised representations of time series as scikit-learn transformers.

:class:`TS2VecTransformer` trains TS2Vec encoders (Yue et al. 2022) without labels, per
task or jointly on all tasks (the MTCS paper's section 4.4.1), and maps every series to
its instance representation, ready for a per-task SVM. It trains on the package's skorch
stack through :class:`ContrastiveNet` (the contrastive loss as the net's training step)
and :class:`AveragedWeights` (TS2Vec's weight averaging as a callback).
"""

from ._contrastive import AveragedWeights, ContrastiveDataset, ContrastiveNet
from .ts2vec import TS2VecTransformer

__all__ = ["TS2VecTransformer", "ContrastiveNet", "ContrastiveDataset", "AveragedWeights"]
