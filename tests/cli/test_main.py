import re
import subprocess
import sys

import pandas as pd
import pytest

from sktsmtl.cli import main


def test_help_lists_commands(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "datasets" in out and "benchmark" in out


def test_benchmark_help_lists_options_and_methods(capsys):
    with pytest.raises(SystemExit):
        main(["benchmark", "--help"])
    out = capsys.readouterr().out
    for option in ("--group", "--methods", "--protocol", "--seeds", "--epochs", "--out",
                   "--normalize", "--device", "--scheduler", "--n-jobs", "mtcs-svm"):
        assert option in out


def test_no_command_prints_help(capsys):
    assert main([]) == 0
    assert "usage" in capsys.readouterr().out


def test_datasets_lists_groups_and_availability(capsys, tmp_path):
    assert main(["datasets", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "basic_motions" in out and "DodgerLoop" in out
    line = next(ln for ln in out.splitlines() if ln.startswith("DodgerLoop "))
    assert " no " in line


def _benchmark(tmp_path, *extra):
    return main(["benchmark", "--group", "basic_motions", "--out", str(tmp_path), "--quiet",
                 *extra])


def test_benchmark_on_embedded_group(capsys, tmp_path):
    assert _benchmark(tmp_path, "--methods", "1nn-dtw", "--protocol", "ucr",
                      "--window", "0.1") == 0
    out = capsys.readouterr().out
    assert "protocol ucr" in out
    for task in ("accel_x", "gyro_z", "Average rank"):
        assert task in out
    assert "| accel_x | 1.00 (1.0) |" in out
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["basic_motions_ucr_intervals.csv", "basic_motions_ucr_plot.png",
                     "basic_motions_ucr_results.csv", "basic_motions_ucr_table.csv",
                     "basic_motions_ucr_table.md", "cells"]
    results = pd.read_csv(tmp_path / "basic_motions_ucr_results.csv")
    assert len(results) == 6 and set(results["method"]) == {"1nn-dtw"}


def test_benchmark_compares_methods_over_seeds_and_resumes(capsys, tmp_path):
    args = ["--methods", "1nn-dtw", "resnet1d-mtl", "--epochs", "1", "--seeds", "0", "1",
            "--tasks", "accel_x", "gyro_z"]
    assert _benchmark(tmp_path, *args) == 0
    out = capsys.readouterr().out
    assert "| task | 1nn-dtw | resnet1d-mtl |" in out and "epochs 1" in out
    results = pd.read_csv(tmp_path / "basic_motions_paper_results.csv")
    assert len(results) == 2 * 2 * 2 and sorted(results["seed"].unique()) == [0, 1]
    assert set(results.loc[results.method == "resnet1d-mtl", "max_epochs"]) == {1}
    cells = sorted((tmp_path / "cells").rglob("*.json"))
    assert len(cells) == 4
    stamps = [c.stat().st_mtime_ns for c in cells]
    assert _benchmark(tmp_path, *args) == 0  # resumed: every cell is read back
    assert [c.stat().st_mtime_ns for c in cells] == stamps
    again = pd.read_csv(tmp_path / "basic_motions_paper_results.csv")
    pd.testing.assert_frame_equal(results, again)


def test_benchmark_progress_bar_goes_to_stderr(capsys, tmp_path):
    assert main(["benchmark", "--methods", "1nn-dtw", "--tasks", "accel_x", "--out",
                 str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert "1/1" in captured.err and "1/1" not in captured.out


def test_benchmark_on_a_dask_cluster(capsys, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        assert _benchmark(tmp_path, "--methods", "1nn-dtw", "--seeds", "0", "1",
                          "--tasks", "accel_x", "--scheduler",
                          cluster.scheduler_address) == 0
    assert "| accel_x | 1.00 ± 0.00 (1.0) |" in capsys.readouterr().out


def test_an_interrupt_keeps_the_finished_fits(capsys, tmp_path):
    from sklearn.dummy import DummyClassifier

    from sktsmtl.benchmarking import register_method, unregister_method

    class Interrupting(DummyClassifier):
        def fit(self, X, y):
            raise KeyboardInterrupt

    register_method("interrupting", Interrupting())
    try:
        assert _benchmark(tmp_path, "--methods", "1nn-dtw", "interrupting",
                          "--tasks", "accel_x") == 130
    finally:
        unregister_method("interrupting")
    out, err = capsys.readouterr()
    assert "run the same command again" in err
    cells = [c for c in (tmp_path / "cells").rglob("*.json") if ".locks" not in c.parts]
    assert [c.name.split("_")[0] for c in cells] == ["1nn-dtw"]
    # the report of the finished cells is written and printed
    assert "Finished cells so far" in out and "| accel_x |" in out
    table = pd.read_csv(tmp_path / "basic_motions_paper_results.csv")
    assert table["method"].unique().tolist() == ["1nn-dtw"]


def test_sigterm_is_handled_like_ctrl_c(capsys, tmp_path):
    import os
    import signal

    from sklearn.dummy import DummyClassifier

    from sktsmtl.benchmarking import register_method, unregister_method

    class Terminated(DummyClassifier):
        def fit(self, X, y):
            os.kill(os.getpid(), signal.SIGTERM)
            raise AssertionError("SIGTERM did not stop the run")

    before = signal.getsignal(signal.SIGTERM)
    register_method("terminated", Terminated())
    try:
        assert _benchmark(tmp_path, "--methods", "1nn-dtw", "terminated",
                          "--tasks", "accel_x") == 130
    finally:
        unregister_method("terminated")
    out, err = capsys.readouterr()
    assert "interrupted" in err and "Finished cells so far" in out
    assert (tmp_path / "basic_motions_paper_table.md").exists()
    assert signal.getsignal(signal.SIGTERM) == before  # handler restored


def test_unknown_group_is_a_clear_error(capsys):
    assert main(["benchmark", "--group", "nope"]) == 2
    err = capsys.readouterr().err
    assert "nope" in err and "basic_motions" in err


def test_unknown_method_lists_the_known_ones(capsys, tmp_path):
    assert _benchmark(tmp_path, "--methods", "1nn-dtw", "resnet3d") == 2
    err = capsys.readouterr().err
    assert "error: Unknown method 'resnet3d'" in err and "mtcs-svm" in err
    assert not any(tmp_path.iterdir())


def test_missing_data_folder_says_which_files_are_expected(capsys, tmp_path):
    absent = tmp_path / "ucr"
    assert main(["benchmark", "--group", "DodgerLoop", "--data-dir", str(absent),
                 "--out", str(tmp_path / "out"), "--methods", "1nn-dtw"]) == 2
    err = capsys.readouterr().err
    assert str(absent) in err and "does not exist" in err
    assert "DodgerLoopDay/DodgerLoopDay_TRAIN.tsv" in err


def test_unwritable_output_folder_is_a_clear_error(capsys, tmp_path):
    a_file = tmp_path / "taken"
    a_file.write_text("")
    assert main(["benchmark", "--methods", "1nn-dtw", "--out", str(a_file / "sub")]) == 2
    err = capsys.readouterr().err
    assert "output folder" in err and "cannot be created" in err


def test_benchmark_on_a_ucr_group(capsys, tmp_path, ucr_dir):
    assert main(["benchmark", "--group", "ECG", "--tasks", "ECG200", "--methods", "1nn-dtw",
                 "--data-dir", str(ucr_dir), "--out", str(tmp_path), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "| ECG200 |" in out
    assert "Table I, for the same tasks" not in out  # one method of the paper only


def test_the_papers_figures_are_printed_beside(capsys, tmp_path, ucr_dir):
    assert main(["benchmark", "--group", "ECG", "--tasks", "ECG200", "--methods", "1nn-dtw",
                 "resnet1d", "--epochs", "1", "--data-dir", str(ucr_dir), "--out",
                 str(tmp_path), "--quiet"]) == 0
    out = capsys.readouterr().out
    paper = out.split("(Yeh et al. 2023), Table I, for the same tasks and methods")[1]
    assert "| ECG200 | 0.82 (2.0) | 0.93 (1.0) |" in paper


def test_console_entry_point_runs():
    proc = subprocess.run([sys.executable, "-m", "sktsmtl.cli", "--version"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "sktsmtl" in proc.stdout


def test_the_mtcs_tables_are_printed_beside_a_run_of_their_methods(capsys, tmp_path,
                                                                   monkeypatch):
    import sktsmtl.benchmarking as benchmarking
    from sktsmtl.benchmarking import RESULT_COLUMNS

    def fake_run(group, methods, **kwargs):
        rows = [dict(group="mtcs_table2", protocol="ucr", method=m, task=t, seed=0,
                     accuracy=0.8, fit_seconds=1.0, score_seconds=0.1, n_fit=10,
                     n_test=10, normalize=False)
                for m in methods for t in ("Lightning7", "Chinatown")]
        return pd.DataFrame(rows, columns=list(RESULT_COLUMNS))

    monkeypatch.setattr(benchmarking, "run_benchmark", fake_run)
    assert main(["benchmark", "--methods", "ts2vec-ssl-svm", "mtcs-svm", "--out",
                 str(tmp_path), "--quiet"]) == 0
    out = capsys.readouterr().out
    table2 = out.split("MTCS paper (Wang et al. 2022), Table 2, for the same tasks")[1]
    assert "| Lightning7 | 0.863 (1.0) | 0.849 (2.0) |" in table2


def test_sigterm_during_a_fit_stops_the_run_and_the_rerun_resumes_the_fit(tmp_path):
    """A real SIGTERM while a network trains: exit 130, the cell is not stored, and
    the same command resumes the fit from its checkpoint."""
    import os
    import signal
    import subprocess
    import sys

    command = [sys.executable, "-m", "sktsmtl.cli", "benchmark", "--group",
               "basic_motions", "--methods", "resnet1d-mtl", "--tasks", "accel_x",
               "gyro_z", "--epochs", "8", "--seeds", "0", "--out", str(tmp_path)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "OMP_NUM_THREADS": "1"}
    run = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    lines = []
    for line in run.stdout:
        lines.append(line)
        if ": epoch 2/8 " in line:
            run.send_signal(signal.SIGTERM)
            break
    out, err = run.communicate(timeout=300)
    assert run.returncode == 130, err
    assert "interrupted" in err and ": epoch 8/8 " not in out
    store = tmp_path / "cells" / "basic_motions_paper"
    assert not list(store.glob("*.json"))  # the cut-short fit is no result
    assert list((store / "checkpoints").rglob("*.ckpt"))

    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    epochs = [line.split(": epoch ")[1].split("/")[0] for line in again.stdout.splitlines()
              if ": epoch " in line]
    assert epochs[0] != "1" and epochs[-1] == "8"  # resumed, not started over
    assert len(list(store.glob("*.json"))) == 1
    assert not list((store / "checkpoints").rglob("*.ckpt"))


@pytest.mark.parametrize("args, message", [
    (["--epochs", "0"], "--epochs must be at least 1, got 0"),
    (["--lr=-1e-3"], "--lr must be a positive number"),
    (["--lr", "nan"], "--lr must be a positive number"),
    (["--window", "1.5"], r"--window is a fraction of the series length in \[0, 1\]"),
    (["--n-jobs", "0"], "--n-jobs must be a non-zero integer"),
    (["--device", "cuda"], "--device cuda: "),
])
def test_bad_run_arguments_fail_before_any_work(capsys, tmp_path, monkeypatch, args,
                                                message):
    import torch

    from sktsmtl import datasets

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)

    def no_loading(*a, **k):
        raise AssertionError("data was loaded before the arguments were checked")

    monkeypatch.setattr(datasets, "get_task_group", no_loading)
    assert _benchmark(tmp_path / "out", "--methods", "resnet1d", *args) == 2
    out, err = capsys.readouterr()
    assert out == ""  # not even the header
    assert re.search(message, err), err
    assert not (tmp_path / "out").exists()


def test_a_missing_ucr_folder_names_the_option_before_any_output(
        capsys, monkeypatch, tmp_path):
    monkeypatch.delenv("SKTSMTL_UCR_DIR", raising=False)
    assert main(["benchmark", "--group", "DodgerLoop", "--out", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # no header before the error
    assert "pass --data-dir /path/to/UCRArchive_2018" in captured.err
    assert "data_dir=" not in captured.err
    assert main(["benchmark", "--group", "DodgerLoop", "--data-dir",
                 str(tmp_path / "absent")]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "--data-dir" in captured.err and "absent" in captured.err
    assert main(["benchmark", "--group", "Dodger"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "Unknown task group 'Dodger'" in captured.err


def test_without_matplotlib_one_plain_line_says_how_to_get_the_plot(
        capsys, tmp_path, monkeypatch):
    import importlib.util
    import warnings

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "matplotlib" else real(name, *a))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no raw warning with a source line
        assert _benchmark(tmp_path, "--methods", "1nn-dtw",
                          "--protocol", "ucr", "--tasks", "accel_x") == 0
    out = capsys.readouterr().out
    assert "no PNG plot: matplotlib is not installed (pip install matplotlib" in out
    assert not list(tmp_path.glob("*.png"))


def test_the_commands_help_imports_no_estimator_stack():
    # `sktsmtl --help` must answer at once: nothing heavy is imported for it
    code = ("import sys\nfrom sktsmtl.cli import main\ntry:\n    main(['--help'])\n"
            "except SystemExit:\n    pass\n"
            "heavy = [m for m in ('torch', 'sklearn', 'numba', 'pandas', 'sktime') "
            "if m in sys.modules]\nprint('heavy:', heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert "heavy: []" in out


def test_benchmark_help_lists_every_method_with_its_training_length(capsys):
    from sktsmtl.benchmarking import DEFAULT_METHODS, list_methods

    with pytest.raises(SystemExit):
        main(["benchmark", "--help"])
    out = capsys.readouterr().out
    rows = {line.split()[1] if line.startswith("  *") else line.split()[0]: line
            for line in out.splitlines() if line.startswith("  ") and (
                line[4:5] != " " and line[2] in "* ")}
    for name in list_methods():
        assert name in rows, name
        assert rows[name].startswith("  *") == (name in DEFAULT_METHODS)
    assert "100 epochs" in rows["resnet1d-mtl"] and "no training" in rows["minirocket"]
    assert "TS2Vec steps" in rows["ts2vec-ssl-svm"]


@pytest.mark.parametrize("command", [["--help"], ["benchmark", "--help"]])
def test_the_cli_page_shows_todays_help(command, capsys, monkeypatch):
    # the page writes the help with a directive when the docs are built (no transcript
    # to go stale); the directive prints what the command prints at 80 columns
    import sys
    from pathlib import Path

    docs = Path(__file__).resolve().parents[2] / "docs"
    page = (docs / "cli.rst").read_text("utf-8")
    assert f".. sktsmtl-help:: {' '.join(command)}\n" in page
    monkeypatch.syspath_prepend(str(docs))
    sys.modules.pop("sktsmtl_directives", None)
    from sktsmtl_directives import cli_output

    monkeypatch.setenv("COLUMNS", "80")
    with pytest.raises(SystemExit):
        main(command)
    assert cli_output(command) == capsys.readouterr().out.rstrip("\n")
