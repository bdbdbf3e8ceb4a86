"""TaskBatchSampler implements Algorithm 2 of Yeh et al. (2023)."""

import math
from collections import Counter

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

from sktsmtl.training import TaskBatchSampler

SIZES = (23, 10, 4)  # batch 5: 5, 2 and 1 batches per pass
BATCH = 5


def _tasks(sizes=SIZES):
    # interleave the tasks' rows in the dataset so that rows are not contiguous per task
    ids = np.concatenate([np.full(n, t) for t, n in enumerate(sizes)])
    rows = np.random.default_rng(42).permutation(len(ids))
    return [rows[ids == t] for t in range(len(sizes))]


def _task_of(tasks):
    return {int(r): t for t, rows in enumerate(tasks) for r in rows}


def _epoch(sampler):
    return [list(b) for b in sampler]


def test_batches_are_task_homogeneous_and_sized():
    tasks = _tasks()
    task_of = _task_of(tasks)
    for batch in _epoch(TaskBatchSampler(tasks, BATCH, random_state=0)):
        assert len({task_of[r] for r in batch}) == 1
        assert 1 <= len(batch) <= BATCH
        assert all(isinstance(r, int) for r in batch)


def test_counts_per_epoch_and_len():
    tasks = _tasks()
    sampler = TaskBatchSampler(tasks, BATCH, random_state=0)
    n_iter = max(math.ceil(n / BATCH) for n in SIZES)
    assert sampler.n_iterations == n_iter == 5
    assert len(sampler) == n_iter * len(SIZES)
    task_of = _task_of(tasks)
    for _ in range(3):
        batches = _epoch(sampler)
        assert len(batches) == len(sampler)
        per_task = Counter(task_of[b[0]] for b in batches)
        assert per_task == {t: n_iter for t in range(len(SIZES))}


def test_one_batch_of_every_task_per_iteration_in_varying_order():
    tasks = _tasks()
    task_of = _task_of(tasks)
    sampler = TaskBatchSampler(tasks, BATCH, random_state=0)
    orders = []
    for _ in range(4):
        batches = _epoch(sampler)
        for i in range(sampler.n_iterations):
            group = batches[i * len(SIZES):(i + 1) * len(SIZES)]
            order = tuple(task_of[b[0]] for b in group)
            assert sorted(order) == list(range(len(SIZES)))
            orders.append(order)
    assert len(set(orders)) > 1


def test_largest_task_seen_exactly_once_per_epoch():
    tasks = _tasks()
    sampler = TaskBatchSampler(tasks, BATCH, random_state=1)
    largest = set(tasks[0].tolist())
    for _ in range(3):
        seen = [r for b in _epoch(sampler) for r in b if r in largest]
        assert sorted(seen) == sorted(largest)


def test_smaller_tasks_cycle_without_repeats_within_a_pass():
    tasks = _tasks()
    task_of = _task_of(tasks)
    sampler = TaskBatchSampler(tasks, BATCH, random_state=2)
    for _ in range(3):
        batches = _epoch(sampler)
        for t in (1, 2):
            n = SIZES[t]
            stream = [r for b in batches if task_of[b[0]] == t for r in b]
            assert len([b for b in batches if task_of[b[0]] == t]) == sampler.n_iterations
            # the stream is a concatenation of full permutations of the task's rows
            # (the last one possibly cut short by the end of the epoch)
            for start in range(0, len(stream), n):
                chunk = stream[start:start + n]
                assert len(set(chunk)) == len(chunk)
                assert set(chunk) <= set(tasks[t].tolist())
                if len(chunk) == n:
                    assert set(chunk) == set(tasks[t].tolist())
            # a pass is cut into batches at the end of the task: the short batch of a
            # pass is its last one, and the next batch starts a new permutation
            sizes = [len(b) for b in batches if task_of[b[0]] == t]
            pattern = _pass_sizes(n)
            assert sizes == (pattern * sampler.n_iterations)[:len(sizes)]


def _pass_sizes(n):
    return [min(BATCH, n - i) for i in range(0, n, BATCH)]


def test_every_task_reshuffled_each_epoch():
    tasks = _tasks()
    sampler = TaskBatchSampler(tasks, BATCH, random_state=3)
    task_of = _task_of(tasks)
    firsts = [[r for b in _epoch(sampler) if task_of[b[0]] == 0 for r in b] for _ in range(3)]
    assert firsts[0] != firsts[1] != firsts[2]
    # each epoch starts a fresh pass even for a task whose pass was cut by the epoch end
    for _ in range(3):
        batches = _epoch(sampler)
        stream = [r for b in batches if task_of[b[0]] == 1 for r in b]
        assert len(set(stream[:SIZES[1]])) == SIZES[1]


def test_reproducible_with_seed_and_epochs_differ():
    tasks = _tasks()
    a = TaskBatchSampler(tasks, BATCH, random_state=7)
    b = TaskBatchSampler(tasks, BATCH, random_state=7)
    epochs_a = [_epoch(a) for _ in range(3)]
    epochs_b = [_epoch(b) for _ in range(3)]
    assert epochs_a == epochs_b
    assert epochs_a[0] != epochs_a[1]
    assert _epoch(TaskBatchSampler(tasks, BATCH, random_state=8)) != epochs_a[0]
    # unseeded samplers still produce valid epochs
    assert len(_epoch(TaskBatchSampler(tasks, BATCH))) == 15


def test_generator_and_randomstate_accepted():
    tasks = _tasks()
    s1 = TaskBatchSampler(tasks, BATCH, random_state=np.random.default_rng(0))
    s2 = TaskBatchSampler(tasks, BATCH, random_state=np.random.RandomState(0))
    assert len(_epoch(s1)) == len(_epoch(s2)) == 15


def test_evaluation_order():
    tasks = _tasks()
    sampler = TaskBatchSampler(tasks, BATCH, shuffle=False)
    batches = _epoch(sampler)
    assert batches == _epoch(sampler)  # deterministic
    assert len(batches) == len(sampler) == sum(math.ceil(n / BATCH) for n in SIZES)
    assert [r for b in batches for r in b] == [int(r) for t in tasks for r in t]
    task_of = _task_of(tasks)
    assert all(len({task_of[r] for r in b}) == 1 for b in batches)


def test_drop_last():
    tasks = _tasks()
    task_of = _task_of(tasks)
    sampler = TaskBatchSampler(tasks, BATCH, random_state=0, drop_last=True)
    assert sampler.n_iterations == 4  # floor(23 / 5)
    batches = _epoch(sampler)
    assert len(batches) == len(sampler) == 12
    for b in batches:
        t = task_of[b[0]]
        # tasks with at least a batch of rows give full batches; the 4-row task gives all
        assert len(b) == (BATCH if SIZES[t] >= BATCH else SIZES[t])
    evaluation = _epoch(TaskBatchSampler(tasks, BATCH, shuffle=False, drop_last=True))
    assert len(evaluation) == 4 + 2 + 1
    assert all(len(b) == BATCH for b in evaluation[:6]) and len(evaluation[6]) == 4


def test_empty_task_is_skipped():
    sampler = TaskBatchSampler([np.arange(3), np.array([], dtype=int), np.arange(3, 5)], 2,
                               random_state=0)
    assert sampler.n_tasks == 2
    batches = _epoch(sampler)
    assert len(batches) == len(sampler) == 4
    assert sorted(r for b in batches for r in b if r < 3) == [0, 1, 2]


def test_from_task_ids():
    ids = np.array([0, 2, 1, 0, 2, 2, 0])
    sampler = TaskBatchSampler.from_task_ids(ids, 2, shuffle=False)
    assert _epoch(sampler) == [[0, 3], [6], [2], [1, 4], [5]]


def test_invalid_arguments():
    with pytest.raises(ValueError, match="batch_size"):
        TaskBatchSampler([np.arange(3)], 0)
    with pytest.raises(TypeError):
        TaskBatchSampler([np.array([0.5, 1.0])], 2)
    with pytest.raises(ValueError):
        TaskBatchSampler([np.array([-1, 2])], 2)
    with pytest.raises(ValueError):
        TaskBatchSampler.from_task_ids(np.array([[0, 1]]), 2)


def test_with_dataloader():
    tasks = _tasks()
    n = sum(SIZES)
    ds = TensorDataset(torch.arange(n))
    loader = DataLoader(ds, batch_sampler=TaskBatchSampler(tasks, BATCH, random_state=0))
    batches = [b[0].tolist() for b in loader]
    assert len(batches) == len(loader) == 15


def test_a_short_last_slice_joins_the_batch_before_it():
    # 41 rows in batches of 40: a lone last row would reach batch norm alone
    sampler = TaskBatchSampler([np.arange(41)], batch_size=40, random_state=0,
                               min_batch_size=2)
    sizes = [len(b) for b in sampler]
    assert sizes == [41] and len(sampler) == 1
    assert sorted(next(iter(sampler))) == list(range(41))
    # two tasks, the small one cycled: no batch of one anywhere
    sampler = TaskBatchSampler([np.arange(81), np.arange(81, 84)], batch_size=40,
                               random_state=0, min_batch_size=2)
    assert Counter(len(b) for b in sampler) == {40: 1, 41: 1, 3: 2}
    # evaluation order keeps its batches
    assert [len(b) for b in TaskBatchSampler([np.arange(41)], 40, shuffle=False)] == [40, 1]


def test_a_task_of_one_row_is_one_batch_whatever_min_batch_size():
    sampler = TaskBatchSampler([np.arange(1)], batch_size=4, min_batch_size=2)
    assert list(sampler) == [[0]]


@pytest.mark.parametrize("value", [0, -1, 1.5, True])
def test_min_batch_size_is_validated(value):
    with pytest.raises(ValueError, match="min_batch_size"):
        TaskBatchSampler([np.arange(4)], batch_size=2, min_batch_size=value)
