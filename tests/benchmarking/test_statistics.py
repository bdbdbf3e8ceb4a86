import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sktsmtl.benchmarking import (
    accuracy_intervals,
    default_pairs,
    paired_comparison,
    rank_table,
    write_report,
)


def _results(acc):
    """Tidy results from ``{method: {task: [accuracy per seed]}}``."""
    rows = [dict(method=m, task=t, seed=s, accuracy=a, group="g", protocol="paper",
                 fit_seconds=1.0, max_epochs=None, lr=None, batch_size=None,
                 normalize=False, device=None, validation_fraction=None)
            for m, tasks in acc.items() for t, seeds in tasks.items()
            for s, a in enumerate(seeds)]
    return pd.DataFrame(rows)


def test_intervals_are_student_t_over_seeds():
    values = [0.70, 0.80, 0.85, 0.90, 0.75]
    row = accuracy_intervals(_results({"m": {"t": values}})).iloc[0]
    half = stats.t.ppf(0.975, 4) * np.std(values, ddof=1) / np.sqrt(5)
    assert row["n_seeds"] == 5 and row["mean"] == pytest.approx(np.mean(values))
    assert row["half_width"] == pytest.approx(half)
    assert row["low"] == pytest.approx(np.mean(values) - half)
    wider = accuracy_intervals(_results({"m": {"t": values}}), confidence=0.99).iloc[0]
    assert wider["half_width"] > row["half_width"]


def test_one_seed_has_no_interval_and_intervals_stay_in_unit_range():
    one = accuracy_intervals(_results({"m": {"t": [0.9]}})).iloc[0]
    assert np.isnan(one["half_width"]) and np.isnan(one["low"])
    high = accuracy_intervals(_results({"m": {"t": [1.0, 0.9, 1.0]}})).iloc[0]
    assert high["high"] == 1.0
    with pytest.raises(ValueError, match="confidence"):
        accuracy_intervals(_results({"m": {"t": [0.9]}}), confidence=1.5)


def test_paired_comparison_counts_cells_and_tests():
    base = [0.70, 0.80, 0.60, 0.90]
    mtl = [0.75, 0.80, 0.70, 0.95]
    results = _results({"r": {"a": base[:2], "b": base[2:]},
                        "r-mtl": {"a": mtl[:2], "b": mtl[2:]}})
    row = paired_comparison(results).iloc[0]
    assert (row["method"], row["baseline"]) == ("r-mtl", "r")
    assert (row["n"], row["wins"], row["ties"], row["losses"]) == (4, 3, 1, 0)
    assert row["mean_difference"] == pytest.approx(np.mean(np.subtract(mtl, base)))
    assert row["sign_p"] == pytest.approx(stats.binomtest(3, 3).pvalue)
    diff = np.subtract(mtl, base)
    assert row["wilcoxon_p"] == pytest.approx(stats.wilcoxon(diff[diff != 0]).pvalue)


def test_a_losing_method_has_losses_and_all_ties_have_no_test():
    results = _results({"r": {"a": [0.9, 0.9]}, "r-mtl": {"a": [0.8, 0.9]},
                        "s": {"a": [0.5, 0.5]}, "s-mtl": {"a": [0.5, 0.5]}})
    table = paired_comparison(results).set_index("method")
    assert table.loc["r-mtl", ["wins", "ties", "losses"]].tolist() == [0, 1, 1]
    assert table.loc["s-mtl", "sign_p"] == 1.0 and np.isnan(table.loc["s-mtl", "wilcoxon_p"])


def test_pairs_default_to_mtl_against_the_same_backbone_apart():
    assert default_pairs(["1nn-dtw", "resnet1d", "resnet1d-mtl", "resnet2d",
                          "resnet2d-mtl", "convtimenet-mtl"]) == [
        ("resnet1d-mtl", "resnet1d"), ("resnet2d-mtl", "resnet2d")]
    results = _results({"a": {"t": [0.5]}, "b": {"t": [0.6]}})
    assert paired_comparison(results, pairs=[("b", "a")])["wins"].tolist() == [1]
    with pytest.raises(ValueError, match="'c' is not in the results"):
        paired_comparison(results, pairs=[("c", "a")])


def test_rank_table_shows_the_interval_beside_the_mean():
    results = _results({"r": {"a": [0.7, 0.8, 0.9]}, "r-mtl": {"a": [0.9, 0.9, 0.9]}})
    table = rank_table(results, interval=0.95)
    assert table.loc["a", "r"] == "0.80 ± 0.25 (2.0)"
    assert table.loc["a", "r-mtl"] == "0.90 ± 0.00 (1.0)"
    assert rank_table(results).loc["a", "r"] == "0.80 (2.0)"


def test_report_writes_intervals_and_the_paired_comparison(tmp_path):
    results = _results({"r": {"a": [0.7, 0.8], "b": [0.6, 0.6]},
                        "r-mtl": {"a": [0.8, 0.9], "b": [0.7, 0.6]}})
    paths = write_report(results, tmp_path, plot=False)
    intervals = pd.read_csv(paths["intervals"])
    assert len(intervals) == 4 and {"low", "high", "half_width"} <= set(intervals.columns)
    paired = pd.read_csv(paths["paired"])
    assert paired[["wins", "ties", "losses"]].iloc[0].tolist() == [3, 1, 0]
    markdown = paths["table_md"].read_text()
    assert "Multi-task against the same backbone learnt apart" in markdown
    assert "| r-mtl | r | 4 | 3 | 1 | 0 |" in markdown
