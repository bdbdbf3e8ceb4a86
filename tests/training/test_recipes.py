"""The multi-task recipes as functions over trained nets (sktsmtl.training.recipes).

The estimator-level behaviour (which epoch every task keeps, what fine-tuning freezes)
is tested in tests/classification/test_task_selection.py; here each function alone.
"""

import types

import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression

from sktsmtl import MultiTaskTimeSeriesClassifier
from sktsmtl.nets import ClassifierSharingLoss
from sktsmtl.training import (
    TaskAccuracy,
    TaskBestStates,
    TaskDataset,
    TaskStratifiedSplit,
    finetune_per_task,
    fit_final_estimators,
    joint_training_parts,
    seed_sequence,
    select_per_task,
)

torch.set_num_threads(1)


def test_joint_training_parts():
    loss, callbacks = joint_training_parts(["a", "b"], sharing="mtcs", alpha=0.3, tau=2.0,
                                           model_selection="per_task")
    assert isinstance(loss, ClassifierSharingLoss)
    assert (loss.alpha, loss.tau) == (0.3, 2.0)
    assert [type(c) for _, c in callbacks] == [TaskAccuracy, TaskBestStates]
    # one task: nothing to share between, and its best state is the net's best epoch
    loss, callbacks = joint_training_parts(["a"], sharing="mtcs", alpha=0.3, tau=2.0,
                                           model_selection="per_task")
    assert loss is None and [name for name, _ in callbacks] == ["task_accuracy"]


def test_select_per_task_loads_each_task_state_into_its_own_copy():
    module = torch.nn.Linear(2, 2)
    best_of_a = {k: torch.full_like(v, 7.0) for k, v in module.state_dict().items()}
    net = types.SimpleNamespace(module_=module, best_epoch_=5, task_states_={0: best_of_a},
                                task_best_epochs_={0: 2})
    nets, best = select_per_task(net, ["a", "b"])
    assert best == {"a": 2, "b": 5}
    assert nets["b"] is net  # no state recorded for "b": the shared net itself
    assert nets["a"] is not net
    assert torch.equal(nets["a"].module_.weight, torch.full((2, 2), 7.0))
    assert not torch.equal(net.module_.weight, torch.full((2, 2), 7.0))
    # the states now live in the copies only
    assert not hasattr(net, "task_states_") and not hasattr(net, "task_best_epochs_")


def test_fit_final_estimators_draws_a_seed_per_task_and_reads_one_task_at_a_time():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(30, 3))
    calls, seeds = [], []

    def make(seed):
        seeds.append(seed)
        return LogisticRegression(random_state=seed)

    def task_data(task):
        calls.append(task)
        return z, (z[:, 0] > 0).astype(int)

    fitted = fit_final_estimators(make, ["b", "a"], task_data, 4)
    assert list(fitted) == ["b", "a"] and calls == ["b", "a"]
    assert seeds == [int(s) for s in seed_sequence(4, 3)[1:]]
    assert all(isinstance(f, LogisticRegression) and hasattr(f, "coef_")
               for f in fitted.values())


def _fitted_shared_classifier():
    rng = np.random.default_rng(0)
    t = np.linspace(0, 6, 30)
    X = {"a": np.sin(t * rng.uniform(1, 3, (40, 1))) + rng.normal(0, 0.3, (40, 30)),
         "b": np.sin(t * rng.uniform(1, 3, (30, 1))) + rng.normal(0, 0.3, (30, 30))}
    y = {"a": np.arange(40) % 2, "b": np.arange(30) % 3}
    clf = MultiTaskTimeSeriesClassifier(backbone="resnet1d", backbone__preset="tiny",
                                        max_epochs=3, batch_size=8, lr=1e-2,
                                        random_state=0).fit(X, y)
    series = [np.asarray(X[t][i], dtype=np.float32)[None] for t in X
              for i in range(len(X[t]))]
    task_index = np.repeat([0, 1], [40, 30])
    codes = np.concatenate([y["a"], y["b"]])
    return clf, TaskDataset(series, task_index, codes)


@pytest.mark.parametrize("lr, kept", [(1e3, {"a": 0, "b": 0}), (1e-2, None)])
def test_finetune_per_task_keeps_the_start_unless_a_tuned_epoch_validates_better(lr, kept):
    clf, dataset = _fitted_shared_classifier()
    train, valid = TaskStratifiedSplit(0.25, 0, ["a", "b"])(dataset)
    start = dict(clf.nets_)
    nets, histories, kept_epochs = finetune_per_task(
        clf, start, train, valid, ["a", "b"], ["a", "b"], epochs=2, lr=lr,
        head_only=True, seed=0)
    assert set(histories) == {"a", "b"} and all(len(h) == 2 for h in histories.values())
    if kept is not None:  # a rate that wrecks the head: no epoch validates better
        assert kept_epochs == kept
        assert all(nets[t] is start[t] for t in ("a", "b"))
        return
    for t in ("a", "b"):
        assert kept_epochs[t] in (0, 1, 2)
        assert (nets[t] is start[t]) == (kept_epochs[t] == 0)
        # the head alone was trained: the backbone's weights are the start's
        base = start[t].module_.state_dict()
        for k, v in nets[t].module_.state_dict().items():
            if k.startswith("backbone.") and k.endswith("weight"):
                torch.testing.assert_close(v, base[k])
