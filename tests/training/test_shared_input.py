import numpy as np
import pytest
import torch

from sktsmtl.nets import ResNet1D
from sktsmtl.training import SharedInputDataset, SharedInputNet, SharedInputSplit
from sktsmtl.training import TaskBatchSampler, build_network


def _data(n=20, length=16, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 1, length)).astype(np.float32)
    y = np.column_stack([rng.integers(0, 2, n), rng.integers(0, 3, n)])
    y[: n // 4, 1] = -1
    return x, y


def test_dataset_reads_batches_in_order_and_subsets_without_copies():
    x, y = _data()
    ds = SharedInputDataset(x, lengths=np.full(20, 16), y=y)
    X, yb = ds.__getitems__([5, 1, 3])
    np.testing.assert_array_equal(X["x"].numpy(), x[[5, 1, 3]])
    np.testing.assert_array_equal(yb.numpy(), y[[5, 1, 3]])
    sub = ds.subset([2, 4, 6]).subset([2, 0])
    assert len(sub) == 2 and sub.x is x
    np.testing.assert_array_equal(sub.__getitems__([0, 1])[0]["x"].numpy(), x[[6, 2]])
    np.testing.assert_array_equal(sub.labels(), y[[6, 2]])


def test_split_holds_out_a_share_stratified_on_the_finest_task():
    x, y = _data(n=40)
    train, valid = SharedInputSplit(0.25, random_state=0)(SharedInputDataset(x, y=y))
    assert len(train) == 30 and len(valid) == 10
    assert not set(train.rows) & set(valid.rows)
    # every class of the finest task (and the missing label) appears in validation
    assert set(valid.labels()[:, 1]) == set(y[:, 1])


def _net(**params):
    torch.manual_seed(0)
    module = build_network(ResNet1D(in_channels=1, filters=(4, 4)), [2, 3],
                           task_norm_stats=False)
    return SharedInputNet(module, criterion=torch.nn.CrossEntropyLoss, batch_size=8,
                          max_epochs=2, lr=1e-2, train_split=None, verbose=0,
                          sampler_seed=0, **params)


def test_loss_is_the_sum_of_the_labelled_tasks_losses():
    x, y = _data()
    net = _net(task_weights=[1.0, 3.0]).initialize()
    X, yb = SharedInputDataset(x, y=y).__getitems__(list(range(8)))
    logits = net.infer(X)
    assert [t.shape for t in logits] == [(8, 2), (8, 3)]
    plain = net.get_loss(logits, yb)
    labelled = yb[:, 1] >= 0
    expected = (torch.nn.functional.cross_entropy(logits[0], yb[:, 0])
                + torch.nn.functional.cross_entropy(logits[1][labelled], yb[labelled, 1]))
    assert plain.item() == pytest.approx(expected.item(), rel=1e-5)
    weighted = net.get_loss(logits, yb, training=True)
    assert weighted.item() == pytest.approx(
        (expected + 2 * torch.nn.functional.cross_entropy(
            logits[1][labelled], yb[labelled, 1])).item(), rel=1e-5)
    yb[:] = -1
    assert net.get_loss(logits, yb).item() == 0.0


@pytest.mark.parametrize("surgery", [None, "pcgrad"])
def test_training_counts_plain_batches(surgery):
    x, y = _data(n=41)
    ds = SharedInputDataset(x, y=y)
    net = _net(gradient_surgery=surgery).fit(ds)
    assert net.n_batches(ds, training=True) == 5  # 41 rows: the last one joins a batch
    assert len(net.history[-1]["batches"]) == 5
    assert np.isfinite(net.history[-1]["train_loss"])
    assert [a.shape for a in net.head_logits(ds)] == [(41, 2), (41, 3)]
    assert net.embed(ds).shape == (41, 4)


def test_sampler_arguments_are_refused():
    x, y = _data()
    net = _net(iterator_train__shuffle=True)
    with pytest.raises(ValueError, match="iterator_train__shuffle"):
        net.fit(SharedInputDataset(x, y=y))


def test_row_indices_take_four_bytes_below_two_billion_rows():
    # a million series keep their split and epoch order in int32: half the bookkeeping
    ds = SharedInputDataset(np.zeros((10, 1, 4), np.float32), y=np.zeros((10, 1), np.int8))
    assert ds.subset(np.array([1, 5, 7], dtype=np.int64)).rows.dtype == np.int32
    sampler = TaskBatchSampler([np.arange(10, dtype=np.int64)], batch_size=4, random_state=0)
    assert sampler.task_indices[0].dtype == np.int32
    assert sorted(i for batch in sampler for i in batch) == list(range(10))
