"""The skorch training layer: Algorithm 2's task-homogeneous batch sampler, the
multi-task ``NeuralNet`` subclass, its callbacks, device and seeding policy.

Estimators call :func:`fit_task_network`, :func:`predict_task_logits` and
:func:`task_embeddings`; the pieces they assemble are public for users who want to
train a network themselves.
"""

from .callbacks import BestEpochRestorer, EpochProgress, TaskAccuracy
from .dataset import TaskDataset
from .device import resolve_device, seed_sequence
from .fitting import fit_task_network, predict_head_logits, predict_task_logits, task_embeddings
from .memory import available_memory, check_training_memory, inference_batch_size
from .net import MultiTaskNet
from .sampler import TaskBatchSampler
from .split import TaskStratifiedSplit, split_per_task

__all__ = [
    "TaskBatchSampler",
    "TaskDataset",
    "MultiTaskNet",
    "TaskAccuracy",
    "BestEpochRestorer",
    "EpochProgress",
    "TaskStratifiedSplit",
    "split_per_task",
    "resolve_device",
    "seed_sequence",
    "fit_task_network",
    "predict_task_logits",
    "predict_head_logits",
    "task_embeddings",
    "available_memory",
    "check_training_memory",
    "inference_batch_size",
]
