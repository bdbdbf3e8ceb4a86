import sys

import numpy as np
import pandas as pd
import pytest

from sktsmtl.benchmarking import (
    AVERAGE_RANK,
    plot_benchmark,
    rank_table,
    settings_table,
    write_report,
)


def _results():
    rows = []
    for seed in (0, 1):
        for method, epochs, base in (("1nn-dtw", None, 0.9), ("resnet1d", 5, 0.7)):
            for i, task in enumerate(("accel_x", "gyro_z", "accel_y")):
                rows.append(dict(group="basic_motions", protocol="paper", method=method,
                                 task=task, seed=seed, accuracy=base - 0.1 * i + 0.05 * seed,
                                 fit_seconds=1.0 + seed, score_seconds=0.1, n_fit=64,
                                 n_test=16, max_epochs=epochs, lr=None if epochs is None
                                 else 1e-4, batch_size=None if epochs is None else 40,
                                 normalize=False, device=None if epochs is None else "cpu",
                                 validation_fraction=None if epochs is None else 0.25))
    results = pd.DataFrame(rows)
    results["max_epochs"] = results["max_epochs"].astype("Int64")
    results["batch_size"] = results["batch_size"].astype("Int64")
    return results


def test_write_report_files(tmp_path):
    results = _results()
    paths = write_report(results, tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "basic_motions_paper_intervals.csv", "basic_motions_paper_plot.png",
        "basic_motions_paper_results.csv", "basic_motions_paper_table.csv",
        "basic_motions_paper_table.md"]
    assert set(paths) == {"results", "table_md", "table_csv", "intervals", "plot"}
    back = pd.read_csv(paths["results"])
    np.testing.assert_allclose(back["accuracy"], results["accuracy"])
    assert back["method"].tolist() == results["method"].tolist()
    table = pd.read_csv(paths["table_csv"], index_col=0, dtype=str)
    expected = rank_table(results, interval=0.95)
    assert table.loc["accel_x"].tolist() == expected.loc["accel_x"].tolist() == [
        "0.93 ± 0.32 (1.0)", "0.72 ± 0.32 (2.0)"]
    assert table.loc[AVERAGE_RANK].tolist() == ["1.00", "2.00"]
    text = paths["table_md"].read_text()
    assert "| accel_x | 0.93 ± 0.32 (1.0) | 0.72 ± 0.32 (2.0) |" in text
    assert "| resnet1d | 5 | 0.0001 | 40 | False | cpu | 0.25 | 0, 1 | 1.5 |" in text
    assert paths["plot"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_settings_table_leaves_absent_parameters_empty():
    table = settings_table(_results())
    assert table.loc["1nn-dtw", "max_epochs"] == "" and table.loc["1nn-dtw", "lr"] == ""
    assert table.loc["resnet1d", "max_epochs"] == "5"
    assert table.loc["resnet1d", "mean fit s"] == "1.5"


def test_report_without_matplotlib_warns_and_writes_the_rest(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.warns(UserWarning, match="matplotlib"):
        paths = write_report(_results(), tmp_path)
    assert "plot" not in paths and paths["table_md"].is_file()


def test_report_into_a_file_is_an_error(tmp_path):
    a_file = tmp_path / "x"
    a_file.write_text("")
    with pytest.raises(NotADirectoryError, match="is a file"):
        write_report(_results(), a_file)


def test_plot_shows_accuracy_per_task_and_average_ranks():
    import matplotlib.pyplot as plt
    from matplotlib.container import ErrorbarContainer

    fig = plot_benchmark(_results())
    try:
        ax_acc, ax_rank = fig.axes
        bars = [p for p in ax_acc.patches]
        assert len(bars) == 2 * 3
        heights = sorted(round(b.get_height(), 3) for b in bars)
        assert heights == [0.525, 0.625, 0.725, 0.725, 0.825, 0.925]
        assert [t.get_text() for t in ax_rank.get_yticklabels()] == ["1nn-dtw", "resnet1d"]
        assert [round(p.get_width(), 2) for p in ax_rank.patches] == [1.0, 2.0]
        # the spread over the 2 seeds as error bars
        assert sum(isinstance(c, ErrorbarContainer) for c in ax_acc.containers) == 2
    finally:
        plt.close(fig)
