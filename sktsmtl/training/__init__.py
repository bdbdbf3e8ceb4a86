"""The skorch training layer: Algorithm 2's task-homogeneous batch sampler, the
multi-task ``NeuralNet`` subclass, its callbacks, device and seeding policy.

Estimators derive from :class:`NetworkEstimator` (training parameters, routed
``backbone__*``/skorch parameters, the one place a skorch net is built), apply the
multi-task recipes of ``sktsmtl.training.recipes`` to the nets they train (per-task
selection, fine-tuning, the final-estimator stage) and predict through
:func:`predict_task_logits` and :func:`task_embeddings`; the pieces they assemble are
public for users who want to train a network themselves.
"""

from .builder import build_backbone, build_network
from .callbacks import (
    BestEpochRestorer,
    EpochProgress,
    TaskAccuracy,
    TaskBestStates,
    TaskProgressBar,
)
from .checkpoint import CheckpointStore, TrainingCheckpoint, fit_fingerprint
from .dataset import TaskDataset
from .distributed import ShardedBatches, data_parallel_group
from .device import resolve_device, seed_sequence
from .estimator import (
    ROUTED_PREFIXES,
    TRAINING_PARAMETER_CONSTRAINTS,
    NetworkEstimator,
    document_training_parameters,
)
from .interrupts import interrupts_propagate, propagate_interrupts
from .fitting import predict_head_logits, predict_task_logits, task_embeddings
from .memory import available_memory, check_training_memory, inference_batch_size
from .net import MultiTaskNet, PrecisionNet, TaskHeadsNet
from .precision import autocast, resolve_precision
from .recipes import (
    finetune_per_task,
    fit_final_estimators,
    joint_training_parts,
    select_per_task,
)
from .sampler import TaskBatchSampler
from .shared_input import SharedInputDataset, SharedInputNet, SharedInputSplit
from .split import TaskStratifiedSplit, split_per_task

__all__ = [
    "TaskBatchSampler",
    "TaskDataset",
    "MultiTaskNet",
    "TaskHeadsNet",
    "SharedInputDataset",
    "SharedInputNet",
    "SharedInputSplit",
    "ShardedBatches",
    "data_parallel_group",
    "PrecisionNet",
    "TaskAccuracy",
    "BestEpochRestorer",
    "TaskBestStates",
    "EpochProgress",
    "TaskProgressBar",
    "TaskStratifiedSplit",
    "split_per_task",
    "resolve_device",
    "seed_sequence",
    "NetworkEstimator",
    "ROUTED_PREFIXES",
    "predict_task_logits",
    "predict_head_logits",
    "joint_training_parts",
    "select_per_task",
    "finetune_per_task",
    "fit_final_estimators",
    "task_embeddings",
    "available_memory",
    "check_training_memory",
    "inference_batch_size",
    "CheckpointStore",
    "TrainingCheckpoint",
    "fit_fingerprint",
    "propagate_interrupts",
    "interrupts_propagate",
    "build_backbone",
    "build_network",
    "document_training_parameters",
    "TRAINING_PARAMETER_CONSTRAINTS",
    "autocast",
    "resolve_precision",
]
