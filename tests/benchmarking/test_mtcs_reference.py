"""The MTCS paper's tables, ``reference_tables`` and the self-supervised methods."""

import numpy as np
import pytest

from sktsmtl.benchmarking import (
    MTCS_SECTION441,
    MTCS_TABLE1,
    MTCS_TABLE2,
    RESNET2D_TABLE1,
    get_method,
    list_methods,
    make_method,
    paper_results,
    rank_table,
    reference_tables,
)
from sktsmtl.representation import TS2VecTransformer


def test_mtcs_tables_reproduce_the_published_averages():
    # the paper's "15 datasets Avg." and "10 datasets Avg." rows
    table1 = np.array(list(MTCS_TABLE1.values()))
    assert len(MTCS_TABLE1) == 15
    assert np.round(table1[:, :3].mean(axis=0), 3).tolist() == [0.882, 0.876, 0.868]
    table2 = np.array(list(MTCS_TABLE2.values()))
    assert len(MTCS_TABLE2) == 10
    assert np.round(table2.mean(axis=0), 3).tolist() == [0.809, 0.797, 0.787]
    assert MTCS_SECTION441 == {"ts2vec-ssl-joint-svm": 0.812, "mtcs-svm": 0.882}


def test_paper_results_of_each_table():
    t1 = paper_results(table="mtcs-table1")
    assert len(t1) == 15 * 8 and set(t1.method) >= {"mtcs-svm", "1nn-dtw", "t-loss"}
    assert paper_results(["FordA"], ["tst"], table="mtcs-table1").accuracy.tolist() == [0.568]
    assert len(paper_results()) == 25 * 5  # Table I stays the default
    with pytest.raises(ValueError, match="table must be one of"):
        paper_results(table="table3")


def test_reference_tables_cover_the_run():
    run_tasks = ["Lightning2", "Lightning7", "Chinatown"]
    run_methods = ["ts2vec-ssl-svm", "ts2vec-ssl-joint-svm", "mtl-svm", "mtcs-svm"]
    tables = reference_tables(run_tasks, run_methods)
    assert [title for title, _ in tables] == ["MTCS paper (Wang et al. 2022), Table 2"]
    frame = tables[0][1]
    assert set(frame.task) == set(run_tasks)
    assert set(frame.method) == {"ts2vec-ssl-svm", "mtl-svm", "mtcs-svm"}
    ranked = rank_table(frame, decimals=3)
    assert "Average rank" in ranked.index
    # the ResNet2D tasks give Table I; MTCS Table 1 shares ECG5000 and the UWave tasks
    titles = [t for t, _ in reference_tables(["ECG5000", "DodgerLoopDay"],
                                             ["1nn-dtw", "resnet2d-mtl", "mtcs-svm"])]
    assert titles == ["ResNet2D paper (Yeh et al. 2023), Table I",
                      "MTCS paper (Wang et al. 2022), Table 1"]
    # all of Table 1's datasets with the joint self-supervised method: section 4.4.1
    last_title, last = reference_tables(list(MTCS_TABLE1), ["ts2vec-ssl-joint-svm"])[-1]
    assert "4.4.1" in last_title and last.accuracy.tolist() == [0.812]
    assert reference_tables(["Unknown"], ["resnet2d"]) == []
    everything = reference_tables()
    assert len(everything) == 4 and len(everything[0][1]) == len(RESNET2D_TABLE1) * 5


def test_self_supervised_methods_are_registered():
    names = list_methods()
    assert {"ts2vec-ssl-svm", "ts2vec-ssl-joint-svm"} <= set(names)
    per_task = make_method("ts2vec-ssl-svm", random_state=3, device="cpu", max_epochs=7)
    assert hasattr(per_task, "score_tasks")
    ssl = per_task.named_steps["ts2vec"]
    assert isinstance(ssl, TS2VecTransformer)
    assert ssl.multitask is False and ssl.random_state == 3 and ssl.batch_size == 8
    joint, applied = get_method("ts2vec-ssl-joint-svm").build(random_state=0, n_iters=2)
    assert joint.named_steps["ts2vec"].multitask is True and "n_iters" in applied


def test_self_supervised_method_fits_and_scores_per_task():
    rng = np.random.default_rng(0)
    X = {"a": rng.normal(size=(10, 16)), "b": rng.normal(size=(8, 12))}
    y = {"a": np.repeat([0, 1], 5), "b": np.repeat(["u", "v"], 4)}
    for name in ("ts2vec-ssl-svm", "ts2vec-ssl-joint-svm"):
        est = make_method(name, random_state=0, n_iters=2, output_dim=8, hidden_dim=4,
                          depth=1)
        scores = est.fit(X, y).score_tasks(X, y)
        assert set(scores) == {"a", "b"}
        assert all(0 <= v <= 1 for v in scores.values())
