"""Per-task model selection and the per-task fine-tuning stage (issue 16)."""

import pickle

import numpy as np
import pytest
import torch

from sktsmtl import MultiTaskTimeSeriesClassifier

torch.set_num_threads(1)


def _tasks():
    rng = np.random.default_rng(0)
    t = np.linspace(0, 6, 30)
    X = {"a": np.sin(t * rng.uniform(1, 3, (40, 1))) + rng.normal(0, 0.3, (40, 30)),
         "b": np.sin(t * rng.uniform(1, 3, (30, 1))) + rng.normal(0, 0.3, (30, 30))}
    y = {"a": np.arange(40) % 2, "b": np.arange(30) % 3}
    return X, y


def _clf(**params):
    settings = dict(backbone="resnet1d", backbone__preset="tiny", max_epochs=6,
                    batch_size=8, lr=1e-2, random_state=0)
    return MultiTaskTimeSeriesClassifier(**dict(settings, **params))


def _best(history, task):
    # the task's best validation accuracy, ties to the lower validation loss, then earlier
    rows = [(r[f"valid_acc_{task}"], -r[f"valid_loss_{task}"], -r["epoch"]) for r in history]
    return -max(rows)[2]


def test_every_task_is_predicted_with_its_own_best_epoch():
    X, y = _tasks()
    clf = _clf(model_selection="per_task").fit(X, y)
    assert clf.best_epoch_ == {t: _best(clf.history_, t) for t in ("a", "b")}
    # the task's network holds the weights of that epoch: its validation predictions
    # score what the history says they scored at that epoch
    if clf.best_epoch_["a"] != clf.best_epoch_["b"]:
        assert clf.nets_["a"] is not clf.nets_["b"]
    mean = _clf().fit(X, y)
    for t in ("a", "b"):
        assert clf.history_[clf.best_epoch_[t] - 1][f"valid_acc_{t}"] >= \
            mean.history_[mean.best_epoch_ - 1][f"valid_acc_{t}"]
    restored = pickle.loads(pickle.dumps(clf))
    for t in ("a", "b"):
        np.testing.assert_array_equal(restored.predict(X)[t], clf.predict(X)[t])
        np.testing.assert_allclose(restored.transform(X)[t], clf.transform(X)[t])
    svm = _clf(model_selection="per_task", final_estimator="svm").fit(X, y)
    assert set(svm.predict(X)) == {"a", "b"}


def test_per_task_states_equal_a_refit_stopped_at_that_epoch():
    X, y = _tasks()
    clf = _clf(model_selection="per_task").fit(X, y)
    for t in ("a", "b"):
        epoch = clf.best_epoch_[t]
        # a fit of the same seed for exactly `epoch` epochs ends in the same weights
        short = _clf(max_epochs=epoch, callbacks__best_epoch__monitor="epoch").fit(X, y)
        short_state = short.nets_[t].module_.state_dict()
        for k, v in clf.nets_[t].module_.state_dict().items():
            torch.testing.assert_close(v, short_state[k])


def test_head_finetuning_keeps_the_backbone_and_trains_the_head():
    X, y = _tasks()
    # without validation the last fine-tuning epoch is kept: no fall-back to the joint state
    joint = _clf(validation_fraction=0).fit(X, y)
    tuned = _clf(finetune_epochs=3, validation_fraction=0).fit(X, y)
    assert tuned.finetune_epoch_ == {"a": 3, "b": 3}
    assert set(tuned.finetune_history_) == {"a", "b"}
    assert all(len(h) == 3 for h in tuned.finetune_history_.values())
    base = joint.nets_["a"].module_.state_dict()
    for t in ("a", "b"):
        state = tuned.nets_[t].module_.state_dict()
        for k, v in state.items():
            if k.startswith("backbone.") and "running" not in k and "num_batches" not in k:
                torch.testing.assert_close(v, base[k])  # frozen
        # the task's own head moved
        i = ["a", "b"].index(t)
        assert any(not torch.equal(v, base[k]) for k, v in state.items()
                   if k.startswith(f"head.heads.{i}."))
        assert all(p.requires_grad for p in tuned.nets_[t].module_.parameters())


def test_a_task_is_finetuned_and_validated_on_its_own_rows():
    X, y = _tasks()
    tuned = _clf(finetune_epochs=2).fit(X, y)
    # the validation rows of other tasks are not scored in a task's fine-tuning
    keys = tuned.finetune_history_["a"][-1].keys()
    assert "valid_acc_a" in keys and "valid_acc_b" not in keys


def test_finetuning_keeps_the_joint_state_where_it_validates_better():
    X, y = _tasks()
    joint = _clf().fit(X, y)
    # a learning rate that wrecks the head: no fine-tuning epoch beats the joint state
    wrecked = _clf(finetune_epochs=2, finetune_lr=1e3).fit(X, y)
    assert wrecked.finetune_epoch_ == {"a": 0, "b": 0}
    for t in ("a", "b"):
        np.testing.assert_array_equal(wrecked.predict(X)[t], joint.predict(X)[t])
    # otherwise the kept epoch is the best of the joint state (epoch 0) and the
    # fine-tuning epochs, in BestEpochRestorer's order
    tuned = _clf(finetune_epochs=4).fit(X, y)
    for t in ("a", "b"):
        history = tuned.finetune_history_[t]
        rows = [(r["valid_acc"], -r["valid_loss"], -r["epoch"]) for r in history]
        kept = tuned.finetune_epoch_[t]
        assert kept in range(5)
        if kept > 0:
            assert -max(rows)[2] == kept
            assert tuned.nets_[t] is not joint.nets_[t]


def test_full_finetuning_moves_the_backbone():
    X, y = _tasks()
    tuned = _clf(finetune_epochs=2, finetune="all", finetune_lr=1e-2,
                 validation_fraction=0).fit(X, y)
    base = _clf(validation_fraction=0).fit(X, y).nets_["a"].module_.state_dict()
    state = tuned.nets_["a"].module_.state_dict()
    assert any(not torch.equal(state[k], base[k]) for k in base
               if k.startswith("backbone.") and k.endswith("weight"))


@pytest.mark.parametrize("params", [dict(task_weights={"a": 2.0}),
                                    dict(gradient_surgery="pcgrad"),
                                    dict(finetune_epochs=1)])
def test_multitask_options_need_a_shared_network(params):
    X, y = _tasks()
    name = next(iter(params))
    with pytest.raises(ValueError, match=f"{name}=.*needs multitask=True"):
        _clf(multitask=False, **params).fit(X, y)


def test_recalibrated_statistics_are_the_training_rows_statistics():
    X, y = _tasks()
    clf = _clf(recalibrate_norm=True, validation_fraction=0, max_epochs=2).fit(X, y)
    net = clf.nets_["a"]
    backbone = net.module_.backbone
    norm = backbone.blocks[0].norms[0]
    # task a's statistics of the first batch norm equal those of its training series
    # through the final weights, computed directly
    x = torch.as_tensor(np.asarray(X["a"])[:, None, :], dtype=torch.float32)
    with torch.no_grad():
        h = backbone.blocks[0].convs[0](x)
    mean = h.mean(dim=(0, 2))
    torch.testing.assert_close(norm.task_running_mean[0], mean, atol=1e-4, rtol=1e-3)
    # and the momentum is back
    assert norm.momentum == 0.1
