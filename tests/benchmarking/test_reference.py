import pytest

from sktsmtl.benchmarking import AVERAGE_RANK, RESNET2D_TABLE1, paper_results, rank_table
from sktsmtl.datasets import RESNET2D_TABLE1_GROUPS, get_task_group

# The bracketed ranks printed in the paper's Table I, in its column order.
PAPER_RANKS = {
    "CricketX": (2.5, 4.5, 2.5, 4.5, 1.0), "CricketY": (1.5, 1.5, 4.0, 5.0, 3.0),
    "CricketZ": (2.5, 2.5, 4.0, 5.0, 1.0), "UWaveGestureLibraryAll": (3.0, 4.0, 1.0, 5.0, 2.0),
    "UWaveGestureLibraryX": (5.0, 3.0, 1.0, 4.0, 2.0),
    "UWaveGestureLibraryY": (5.0, 3.0, 2.0, 4.0, 1.0),
    "UWaveGestureLibraryZ": (5.0, 1.5, 3.0, 4.0, 1.5),
    "AllGestureWiimoteX": (1.0, 2.0, 3.0, 5.0, 4.0),
    "AllGestureWiimoteY": (2.0, 1.0, 4.0, 5.0, 3.0),
    "AllGestureWiimoteZ": (1.0, 2.0, 5.0, 4.0, 3.0),
    "DodgerLoopDay": (1.5, 4.5, 1.5, 4.5, 3.0), "DodgerLoopGame": (2.0, 5.0, 2.0, 2.0, 4.0),
    "DodgerLoopWeekend": (2.5, 2.5, 2.5, 5.0, 2.5),
    "SemgHandGenderCh2": (4.5, 4.5, 3.0, 2.0, 1.0),
    "SemgHandMovementCh2": (3.0, 5.0, 2.0, 4.0, 1.0),
    "SemgHandSubjectCh2": (4.0, 5.0, 2.0, 3.0, 1.0),
    "GestureMidAirD1": (2.0, 4.0, 1.0, 5.0, 3.0), "GestureMidAirD2": (2.5, 5.0, 4.0, 2.5, 1.0),
    "GestureMidAirD3": (2.0, 5.0, 4.0, 3.0, 1.0), "ECG200": (5.0, 1.5, 3.0, 4.0, 1.5),
    "ECG5000": (4.5, 2.0, 2.0, 4.5, 2.0), "ECGFiveDays": (5.0, 2.5, 2.5, 2.5, 2.5),
    "NonInvasiveFetalECGThorax1": (5.0, 1.0, 3.0, 2.0, 4.0),
    "NonInvasiveFetalECGThorax2": (5.0, 1.0, 2.5, 4.0, 2.5),
    "TwoLeadECG": (3.0, 3.0, 3.0, 3.0, 3.0),
}


def test_the_table_covers_the_papers_groups():
    tasks = [t for g in RESNET2D_TABLE1_GROUPS for t in get_task_group(g).tasks]
    assert sorted(tasks) == sorted(RESNET2D_TABLE1)


def test_rank_table_reproduces_the_papers_ranks_and_average_ranks():
    table = rank_table(paper_results())
    for task, ranks in PAPER_RANKS.items():
        got = [float(cell.split("(")[1].rstrip(")")) for cell in table.loc[task]]
        assert got == list(ranks), task
    assert table.loc[AVERAGE_RANK].tolist() == ["3.20", "3.06", "2.70", "3.86", "2.18"]


def test_selection_of_tasks_and_methods():
    results = paper_results(["ECG200", "Nope"], ["resnet2d-mtl", "1nn-dtw", "mtcs-svm"])
    assert results["task"].unique().tolist() == ["ECG200"]
    assert results["method"].tolist() == ["resnet2d-mtl", "1nn-dtw"]
    assert results["accuracy"].tolist() == pytest.approx([0.93, 0.82])
    assert paper_results(["basic_motions"]).empty
