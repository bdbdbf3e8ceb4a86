import numpy as np
import pytest

from sktsmtl.datasets import (
    load_task_group,
    recording_split_tasks,
    shared_test_rows,
    task_recordings,
    train_val_test_split_tasks,
)


def _fit_and_test_ids(parts, ids_parts):
    fit = {t: np.concatenate([ids_parts[0][0][t], ids_parts[1][0][t]]) for t in parts[0][0]}
    return fit, ids_parts[2][0]


def test_identical_series_are_one_recording_across_tasks_padding_aside():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5, 8))
    padded = np.full((5, 10), np.nan)
    padded[:, :8] = X
    other = rng.normal(size=(3, 8))
    ids, shared = task_recordings({"a": X, "b": padded[[4, 0]], "c": other})
    assert shared
    assert ids["b"].tolist() == [ids["a"][4], ids["a"][0]]
    assert not set(ids["c"]) & set(ids["a"])
    _, separate = task_recordings({"a": X, "c": other})
    assert not separate


def test_aligned_rows_need_equal_row_counts():
    ids, shared = task_recordings({"x": np.zeros((4, 3)), "y": np.ones((4, 3))},
                                  aligned=True)
    assert shared and ids["x"].tolist() == ids["y"].tolist() == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="aligned.*different row counts"):
        task_recordings({"x": np.zeros((4, 3)), "y": np.ones((5, 3))}, aligned=True)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_recording_split_keeps_every_recording_in_one_part(seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(60, 12))
    tasks_X = {"fine": X, "coarse": X[::-1].copy(), "own": rng.normal(size=(30, 12))}
    tasks_y = {"fine": np.arange(60) % 4, "coarse": (np.arange(60) % 2)[::-1],
               "own": np.arange(30) % 3}
    ids, _ = task_recordings(tasks_X)
    parts = recording_split_tasks(tasks_X, tasks_y, ids, random_state=seed)
    id_parts = recording_split_tasks({t: ids[t] for t in ids}, tasks_y, ids,
                                     random_state=seed)
    fit, test = _fit_and_test_ids(parts, id_parts)
    assert shared_test_rows(fit, test) == {}
    for t in tasks_X:  # the paper's proportions within every task
        n = len(tasks_X[t])
        assert len(parts[2][0][t]) == pytest.approx(0.2 * n, abs=1)
        assert len(parts[0][0][t]) + len(parts[1][0][t]) + len(parts[2][0][t]) == n
    # classes stay represented in every task's training part
    assert set(parts[0][1]["fine"]) == {0, 1, 2, 3}


def test_dodger_loop_per_task_split_leaks_and_the_recording_split_does_not(ucr_dir):
    X, y = load_task_group("DodgerLoop", split="all", data_dir=ucr_dir)
    ids, shared = task_recordings(X)
    assert shared and all(len(set(v)) == 158 for v in ids.values())
    per_task = _fit_and_test_ids(train_val_test_split_tasks(X, y, random_state=0),
                                 train_val_test_split_tasks(ids, y, random_state=0))
    leaks = shared_test_rows(*per_task)
    assert set(leaks) == set(X) and all(n >= 15 for n in leaks.values())  # of 32
    clean = _fit_and_test_ids(recording_split_tasks(X, y, ids, random_state=0),
                              recording_split_tasks(ids, y, ids, random_state=0))
    assert shared_test_rows(*clean) == {}
