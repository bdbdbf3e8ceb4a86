import numpy as np
import pandas as pd
import pytest

from sktsmtl.benchmarking import (
    AVERAGE_RANK,
    accuracy_ranks,
    mean_accuracy,
    rank_table,
    to_markdown,
)


def _results():
    """Three methods, three tasks, two seeds; ties on t1 (all), t2 (b and c)."""
    acc = {  # (method, task): (seed 0, seed 1)
        ("a", "t1"): (0.80, 0.80), ("b", "t1"): (0.90, 0.70), ("c", "t1"): (0.75, 0.85),
        ("a", "t2"): (1.00, 0.90), ("b", "t2"): (0.60, 0.60), ("c", "t2"): (0.50, 0.70),
        ("a", "t3"): (0.20, 0.40), ("b", "t3"): (0.50, 0.50), ("c", "t3"): (0.90, 0.90),
    }
    rows = [dict(method=m, task=t, seed=s, accuracy=v[s]) for (m, t), v in acc.items()
            for s in (0, 1)]
    return pd.DataFrame(rows)


def test_mean_accuracy_averages_seeds_in_order_of_appearance():
    acc = mean_accuracy(_results())
    assert list(acc.index) == ["t1", "t2", "t3"] and list(acc.columns) == ["a", "b", "c"]
    np.testing.assert_allclose(acc.to_numpy(), [[0.8, 0.8, 0.8], [0.95, 0.6, 0.6],
                                                [0.3, 0.5, 0.9]])


def test_ranks_share_the_mean_rank_on_ties():
    ranks = accuracy_ranks(mean_accuracy(_results()))
    np.testing.assert_array_equal(ranks.to_numpy(), [[2.0, 2.0, 2.0], [1.0, 2.5, 2.5],
                                                     [3.0, 2.0, 1.0]])


def test_ranks_tie_at_the_printed_precision_unless_exact():
    acc = pd.DataFrame({"a": [0.901], "b": [0.899], "c": [0.5]}, index=["t"])
    assert accuracy_ranks(acc).iloc[0].tolist() == [1.5, 1.5, 3.0]
    assert accuracy_ranks(acc, decimals=None).iloc[0].tolist() == [1.0, 2.0, 3.0]


def test_rank_table_layout():
    table = rank_table(_results())
    assert list(table.index) == ["t1", "t2", "t3", AVERAGE_RANK]
    assert table.loc["t1"].tolist() == ["0.80 (2.0)", "0.80 (2.0)", "0.80 (2.0)"]
    assert table.loc["t2"].tolist() == ["0.95 (1.0)", "0.60 (2.5)", "0.60 (2.5)"]
    assert table.loc["t3"].tolist() == ["0.30 (3.0)", "0.50 (2.0)", "0.90 (1.0)"]
    # (2 + 1 + 3) / 3, (2 + 2.5 + 2) / 3, (2 + 2.5 + 1) / 3
    assert table.loc[AVERAGE_RANK].tolist() == ["2.00", "2.17", "1.83"]


def test_rank_table_of_an_accuracy_table_and_markdown():
    table = rank_table(mean_accuracy(_results()), decimals=1)
    assert table.loc["t3"].tolist() == ["0.3 (3.0)", "0.5 (2.0)", "0.9 (1.0)"]
    text = to_markdown(table)
    lines = text.splitlines()
    assert lines[0] == "| task | a | b | c |"
    assert lines[1] == "| --- | --- | --- | --- |"
    assert lines[-1].startswith(f"| {AVERAGE_RANK} |")
    assert len(lines) == 2 + 4


def test_a_method_without_a_task_cannot_be_ranked():
    results = _results()
    results = results[~((results.method == "b") & (results.task == "t3"))]
    with pytest.raises(ValueError, match=r"\('b', 't3'\)"):
        rank_table(results)


def test_results_without_accuracy_column():
    with pytest.raises(ValueError, match="accuracy"):
        mean_accuracy(pd.DataFrame({"method": ["a"], "task": ["t"]}))
