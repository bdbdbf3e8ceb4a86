"""Data-parallel training on torch's ``DistributedDataParallel`` (DDP).

Launched by ``torchrun`` (or any launcher that initialises a process group), every
process runs the same script on the same data. Inside an initialised process group of
two or more processes, the multi-task nets train data-parallel:

* every process draws the same global mini-batches (Algorithm 2's, or the shared-input
  ones) from one seed and takes its share of each (rows ``rank::world_size``), so one
  epoch is still one epoch of Algorithm 2 over the whole data;
* the network is wrapped in ``DistributedDataParallel`` for the training forward and
  backward passes: gradients are averaged over the processes before every step, and
  the weights stay identical;
* validation runs whole on every process (after the batch-norm statistics of process 0
  are copied to all), so every process keeps the same best epoch.

Outside a process group (or in a group of one) nothing changes.
"""

import numpy as np
import torch
from torch.utils.data import Sampler

from ..data.mapped import read_only_file_mapping, read_rows

__all__ = ["data_parallel_group", "ShardedBatches", "check_same_data",
           "broadcast_module_buffers"]


def data_parallel_group():
    """``(rank, world_size)`` of the initialised process group, or None outside one
    (or in a group of one process).

    Returns
    -------
    tuple of int or None

    Examples
    --------
    >>> from sktsmtl.training.distributed import data_parallel_group
    >>> data_parallel_group() is None  # a plain Python process
    True
    """
    dist = torch.distributed
    if not dist.is_available() or not dist.is_initialized():
        return None
    world = dist.get_world_size()
    return None if world < 2 else (dist.get_rank(), world)


class ShardedBatches(Sampler):
    """One process's share of every batch of a batch sampler.

    Parameters
    ----------
    batches : Sampler
        Yields lists of row indices (the same on every process).
    rank, world_size : int
        This process and the number of processes: it takes rows
        ``batch[rank::world_size]``.

    Examples
    --------
    >>> from sktsmtl.training.distributed import ShardedBatches
    >>> list(ShardedBatches([[0, 1, 2, 3], [4, 5, 6]], rank=1, world_size=2))
    [[1, 3], [5]]
    """

    def __init__(self, batches, rank, world_size):
        self.batches = batches
        self.rank = rank
        self.world_size = world_size

    def __iter__(self):
        for batch in self.batches:
            yield list(batch)[self.rank::self.world_size]

    def __len__(self):
        return len(self.batches)


def check_same_data(summary, what):
    """Raise on every process when the processes were given different data.

    Parameters
    ----------
    summary : object
        Something every process computes from its data (row counts per task, a
        checksum); picklable.
    what : str
        What it describes, for the message.

    Raises
    ------
    ValueError
    """
    dist = torch.distributed
    gathered = [None] * dist.get_world_size()
    dist.all_gather_object(gathered, summary)
    if any(g != gathered[0] for g in gathered):
        raise ValueError(
            f"data-parallel training needs the same data on every process; the "
            f"{what} differ: {gathered}. Load the same data (all of it) in every "
            "process: each takes its own share of every mini-batch.")


def data_checksum(x, rows=64):
    """A cheap fingerprint of an array: its shape and the sum of a few rows."""
    index = np.linspace(0, len(x) - 1, num=min(rows, len(x))).astype(np.int64)
    values = read_rows(x, index, np.float64, mapping=read_only_file_mapping(x))
    return (tuple(int(s) for s in x.shape), float(values.sum()))


def broadcast_module_buffers(module):
    """Copy the buffers (batch-norm statistics) of process 0 to every process."""
    for buffer in module.buffers():
        torch.distributed.broadcast(buffer.data, src=0)


def wrap_data_parallel(module, device):
    """``module`` in ``DistributedDataParallel``: gradients averaged over processes.

    Parameters
    ----------
    module : torch.nn.Module
    device : str
        Its device; a CUDA device is passed on as ``device_ids``.

    Returns
    -------
    torch.nn.parallel.DistributedDataParallel
    """
    from torch.nn.parallel import DistributedDataParallel

    device = torch.device(device)
    ids = [device.index if device.index is not None else torch.cuda.current_device()] \
        if device.type == "cuda" else None
    # an Algorithm 2 batch trains one task's head: the others take no part in it
    return DistributedDataParallel(module, device_ids=ids, find_unused_parameters=True)
