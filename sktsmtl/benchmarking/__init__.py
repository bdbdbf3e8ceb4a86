"""Benchmarking: named methods on a task group under a protocol, and the papers' tables.

Modules
-------
methods
    :func:`list_methods`, :func:`get_method`, :func:`make_method`,
    :func:`register_method`: the methods compared, by name (1NN-DTW, the ResNets, the
    TS2Vec/MTCS + SVM systems, ConvTimeNet; single-task and multi-task), and user ones.
protocols
    :func:`get_protocol`: the ResNet2D paper's 60/20/20 protocol and the archive's
    train/test split.
runner
    :func:`run_benchmark`: cells of (method, seed) over a group, resumable from an
    output folder, locally or on a Dask cluster; results as a tidy DataFrame.
statistics
    :func:`accuracy_intervals`, :func:`paired_comparison`: mean accuracy with an
    interval over seeds, and multi-task against single-task methods on the same cells
    (wins/ties/losses, sign and Wilcoxon tests).
tables
    :func:`rank_table`, :func:`mean_accuracy`, :func:`accuracy_ranks`,
    :func:`to_markdown`: the Table I layout (accuracy with rank, average rank).
plotting
    :func:`plot_benchmark`: per-task accuracy and average ranks (matplotlib).
report
    :func:`write_report`: results CSV, rank table as Markdown and CSV, PNG figure.
reference
    :func:`paper_results`, :func:`reference_tables`: the ResNet2D paper's Table I and
    the MTCS paper's Tables 1 and 2, to rank beside a run.

Examples
--------
>>> from sktsmtl.benchmarking import rank_table, run_benchmark, to_markdown
>>> results = run_benchmark("basic_motions", ["1nn-dtw"], protocol="ucr",
...                         tasks=["accel_x", "accel_z"])
>>> print(to_markdown(rank_table(results)))
| task | 1nn-dtw |
| --- | --- |
| accel_x | 1.00 (1.0) |
| accel_z | 0.88 (1.0) |
| Average rank | 1.00 |
"""

from .methods import (
    SETTINGS,
    BenchmarkMethod,
    get_method,
    list_methods,
    make_method,
    register_method,
    unregister_method,
)
from .plotting import plot_benchmark
from .protocols import PROTOCOLS, Protocol, get_protocol
from .reference import (
    MTCS_SECTION441,
    MTCS_TABLE1,
    MTCS_TABLE2,
    RESNET2D_TABLE1,
    paper_results,
    reference_tables,
)
from .report import paired_markdown, settings_table, write_report
from .runner import DEFAULT_METHODS, RESULT_COLUMNS, BenchmarkInterrupted, run_benchmark
from .statistics import PEER_METHODS, accuracy_intervals, default_pairs, paired_comparison
from .tables import AVERAGE_RANK, accuracy_ranks, mean_accuracy, rank_table, to_markdown

__all__ = [
    "SETTINGS",
    "BenchmarkMethod",
    "get_method",
    "list_methods",
    "make_method",
    "register_method",
    "unregister_method",
    "PROTOCOLS",
    "Protocol",
    "get_protocol",
    "DEFAULT_METHODS",
    "RESULT_COLUMNS",
    "run_benchmark",
    "BenchmarkInterrupted",
    "AVERAGE_RANK",
    "mean_accuracy",
    "accuracy_ranks",
    "rank_table",
    "to_markdown",
    "accuracy_intervals",
    "default_pairs",
    "PEER_METHODS",
    "paired_comparison",
    "plot_benchmark",
    "settings_table",
    "paired_markdown",
    "write_report",
    "RESNET2D_TABLE1",
    "MTCS_TABLE1",
    "MTCS_TABLE2",
    "MTCS_SECTION441",
    "paper_results",
    "reference_tables",
]
