import subprocess
import sys

import pytest

from sktsmtl.cli import main


def test_help_lists_commands(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "datasets" in out and "benchmark" in out


def test_no_command_prints_help(capsys):
    assert main([]) == 0
    assert "usage" in capsys.readouterr().out


def test_datasets_lists_groups_and_availability(capsys, tmp_path):
    assert main(["datasets", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "basic_motions" in out and "DodgerLoop" in out
    line = next(ln for ln in out.splitlines() if ln.startswith("DodgerLoop "))
    assert " no " in line


def test_benchmark_on_embedded_group(capsys):
    assert main(["benchmark", "--group", "basic_motions", "--window", "0.1"]) == 0
    out = capsys.readouterr().out
    for task in ("accel_x", "gyro_z", "mean"):
        assert task in out


def test_unknown_group_is_a_clear_error(capsys):
    assert main(["benchmark", "--group", "nope"]) == 2
    err = capsys.readouterr().err
    assert "nope" in err and "basic_motions" in err


def test_console_entry_point_runs():
    proc = subprocess.run([sys.executable, "-m", "sktsmtl.cli", "--version"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "sktsmtl" in proc.stdout
