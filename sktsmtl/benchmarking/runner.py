"""Run named methods on a task group under a protocol, over several seeds.

The unit of work is a *cell*: one method and one seed on the whole group. A multi-task
method is one fit over all tasks (its fit time is that whole fit); a per-task method
fits one model per task inside its cell. A cell yields one accuracy per task.

With an output folder, every finished cell is stored there at once as a small JSON
file, written atomically (a temporary file in the same folder, then
:func:`os.replace`), so an interrupted run leaves only whole files. Run again with the
same arguments and the finished cells are read back instead of being fitted again. A
cell's file name carries a hash of everything that defines it (group, protocol, tasks,
method name, seed and settings), so a run with other settings computes its own cells
beside the old ones. Only the settings a method uses count: 1NN-DTW's cells do not
change with ``max_epochs``. A registered method is known by its name only: after
changing its definition, give it a new name or use a new folder. A cell file that reads
but does not hold a whole, plausible record (a task missing, an accuracy outside
[0, 1]) is computed again, with a warning. An operating-system lock per cell (in
``.locks/``) keeps two runs into one folder from computing the same cell: the second
waits for the first's file and reads it, and says which lock it waits on; a run that
dies releases its locks with it.

An interrupt (Ctrl-C, or SIGTERM from the ``sktsmtl`` command), also one during a
network's fit, raises :class:`BenchmarkInterrupted`, which carries the results of the
cells finished so far; the interrupted cell is not written. The networks of a cell save
checkpoints after every epoch (in ``checkpoints/`` beside the cells, removed when the
cell is written), so a rerun resumes an interrupted or killed cell mid-fit.

Cells run through :class:`joblib.Parallel`: sequentially by default, on local processes
with ``n_jobs``, or on a Dask cluster with ``scheduler`` (joblib's ``"dask"`` backend;
needs ``dask[distributed]``). Local worker processes share the cores: each gets
``cores // n_jobs`` torch threads, so two workers on two cores do not run four threads.
Results come back to this process, which writes the files, so the workers need no
shared disk.
"""

import contextlib
import hashlib
import json
import math
import numbers
import os
import re
import shutil
import time
import warnings
from dataclasses import dataclass

import pandas as pd
from joblib import Parallel, delayed

from ..datasets import get_task_group
from ._files import CellLock, check_output_dir, write_atomic
from .methods import BenchmarkMethod, _param_by_name, _set_by_name, get_method
from .protocols import get_protocol

__all__ = ["DEFAULT_METHODS", "RESULT_COLUMNS", "BenchmarkInterrupted", "run_benchmark"]

#: The methods of the ResNet2D paper's Table I.
DEFAULT_METHODS = ("1nn-dtw", "resnet1d", "resnet1d-mtl", "resnet2d", "resnet2d-mtl")

#: Columns of the tidy results, one row per (method, seed, task).
RESULT_COLUMNS = (
    "group", "protocol", "method", "task", "seed", "accuracy", "fit_seconds",
    "score_seconds", "compile_seconds", "n_fit", "n_test", "max_epochs", "lr",
    "batch_size", "normalize", "device", "validation_fraction",
)

# Estimator parameters recorded with every result (None where a method has none).
_RECORDED_PARAMS = ("max_epochs", "lr", "batch_size", "device", "validation_fraction")

_CELL_FORMAT = 1

# How often a run waiting for another run's cells looks for them, and says it waits.
_POLL_SECONDS = 2.0
_REPORT_SECONDS = 60.0


def _check_method_params(methods, method_params):
    """Refuse a ``method_params`` name that no method of the run can set (a typo, or a
    parameter of a method that is not in the run), rather than drop it silently."""
    unused = set(method_params)
    for method in methods:
        unused -= method.build(**method_params)[1]
        if not unused:
            return
    names = ", ".join(sorted(unused))
    raise ValueError(
        f"method_params {names}: no method of this run ({', '.join(m.name for m in methods)}) "
        "has such a parameter; a method sets a name it has itself, one of its nested "
        "estimators' (window for 1NN-DTW), or a routed backbone__/optimizer__ name of its "
        "network.")


def _resolve_methods(methods):
    if isinstance(methods, (str, BenchmarkMethod)) or (
            isinstance(methods, tuple) and len(methods) == 2 and isinstance(methods[0], str)
            and not isinstance(methods[1], str)):
        methods = [methods]
    resolved = []
    for item in methods:
        if isinstance(item, BenchmarkMethod):
            resolved.append(item)
        elif isinstance(item, str):
            resolved.append(get_method(item))
        elif isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            resolved.append(BenchmarkMethod(item[0], item[1]))
        else:
            raise TypeError(
                "methods must hold method names, (name, estimator) pairs or "
                f"BenchmarkMethod objects; got {item!r}.")
    if not resolved:
        raise ValueError("methods is empty: name at least one method.")
    names = [m.name for m in resolved]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise ValueError(f"methods names {duplicated} more than once.")
    return resolved


def _resolve_seeds(seeds):
    if isinstance(seeds, numbers.Integral):
        seeds = [seeds]
    seeds = list(seeds)
    if not seeds:
        raise ValueError("seeds is empty: give at least one seed.")
    for seed in seeds:
        if not isinstance(seed, numbers.Integral) or isinstance(seed, bool) or seed < 0:
            raise ValueError(f"seeds must be non-negative integers, got {seed!r}.")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds lists a seed more than once: {seeds}.")
    return [int(s) for s in seeds]


def _as_json(value):
    """``value`` as it reads back from JSON (tuples become lists, objects their repr)."""
    return json.loads(json.dumps(value, default=repr))


def _cell_id(spec):
    text = json.dumps(spec, sort_keys=True)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def _cell_path(folder, method, seed, spec):
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", method)
    return folder / f"{safe}_seed{seed}_{_cell_id(spec)}.json"


class BenchmarkInterrupted(KeyboardInterrupt):
    """A benchmark stopped by an interrupt, with the results of its finished cells.

    Attributes
    ----------
    results : pandas.DataFrame
        The rows of the cells finished before the interrupt (read back or computed),
        in the layout of :func:`run_benchmark`'s result.
    """

    def __init__(self, results):
        super().__init__("benchmark interrupted")
        self.results = results


def _is_number(value, low=0.0, high=math.inf):
    return (isinstance(value, numbers.Real) and not isinstance(value, bool)
            and math.isfinite(value) and low <= value <= high)


def _record_problem(record, tasks):
    """Why a parsed cell file is not a whole record of ``tasks`` (None when it is)."""
    for key in ("fit_seconds", "score_seconds"):
        if not _is_number(record.get(key)):
            return f"{key} is {record.get(key)!r}, not a duration"
    for key in ("accuracy", "n_fit", "n_test"):
        if not isinstance(record.get(key), dict):
            return f"it has no {key} per task"
        missing = [t for t in tasks if t not in record[key]]
        if missing:
            return f"task {missing[0]!r} has no {key}"
    for task in tasks:
        if not _is_number(record["accuracy"][task], 0.0, 1.0):
            return f"task {task!r} has accuracy {record['accuracy'][task]!r}, not in [0, 1]"
        for key in ("n_fit", "n_test"):
            n = record[key][task]
            if isinstance(n, bool) or not isinstance(n, int) or n < 1:
                return f"task {task!r} has {key} {n!r}"
    if not isinstance(record.get("params"), dict) or any(
            p not in record["params"] for p in _RECORDED_PARAMS):
        return "its settings are incomplete"
    return None


def _read_cell(path, spec):
    """A stored cell's record, or None when absent, not this cell's, or not trustworthy."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        warnings.warn(f"ignoring the unreadable cell file {str(path)!r}; the cell is "
                      "computed again.", UserWarning, stacklevel=3)
        return None
    if not isinstance(record, dict) or record.get("format") != _CELL_FORMAT or (
            record.get("spec") != spec):
        return None
    problem = _record_problem(record, spec["tasks"])
    if problem is not None:
        warnings.warn(f"ignoring the cell file {str(path)!r}: {problem}; the cell is "
                      "computed again.", UserWarning, stacklevel=3)
        return None
    return record


@contextlib.contextmanager
def _numba_compilation():
    """Seconds numba spends compiling inside the block (a one-off cost: later runs load
    the kernels from its cache), as ``[seconds]``; ``[0.0]`` without numba."""
    spent = [0.0]
    try:
        from numba.core import event
    except ImportError:  # pragma: no cover - numba is a dependency
        yield spent
        return
    with event.install_recorder("numba:compile") as recorder:
        yield spent
    depth, start = 0, 0.0
    for timestamp, ev in recorder.buffer:  # outermost compilations only
        if ev.is_start:
            depth += 1
            if depth == 1:
                start = timestamp
        elif ev.is_end and depth > 0:
            depth -= 1
            if depth == 0:
                spent[0] += timestamp - start


def _run_cell(estimator, protocol, data, seed, normalize_data):
    """Fit one method for one seed on all tasks; per-task accuracies and timings (fit
    and score without numba's compilation, which is reported apart)."""
    X_fit, y_fit, X_test, y_test = protocol.split(data, seed)
    if normalize_data:
        from ..preprocessing import ZNormalizer

        X_fit = ZNormalizer().fit_transform(X_fit)
        X_test = ZNormalizer().fit_transform(X_test)
    with _numba_compilation() as fit_compile:
        start = time.perf_counter()
        estimator.fit(X_fit, y_fit)
        fit_seconds = time.perf_counter() - start
    with _numba_compilation() as score_compile:
        start = time.perf_counter()
        scores = estimator.score_tasks(X_test, y_test)
        score_seconds = time.perf_counter() - start
    return {
        "fit_seconds": max(0.0, fit_seconds - fit_compile[0]),
        "score_seconds": max(0.0, score_seconds - score_compile[0]),
        "compile_seconds": fit_compile[0] + score_compile[0],
        "accuracy": {str(t): float(a) for t, a in scores.items()},
        "n_fit": {str(t): int(len(y_fit[t])) for t in y_fit},
        "n_test": {str(t): int(len(y_test[t])) for t in y_test},
    }


def _scheduler_context(scheduler):
    """joblib's dask backend on the cluster at ``scheduler`` (an address or a Client)."""
    if scheduler is None:
        return contextlib.nullcontext()
    try:
        from distributed import Client
    except ImportError:
        raise ImportError(
            "running on a Dask cluster needs dask.distributed: pip install "
            "'dask[distributed]'.") from None
    from joblib import parallel_config

    stack = contextlib.ExitStack()
    if not isinstance(scheduler, Client):
        try:
            stack.enter_context(Client(scheduler, timeout="20s"))
        except (OSError, TimeoutError) as exc:
            raise OSError(f"cannot reach the Dask scheduler at {scheduler!r}: {exc}") from None
    stack.enter_context(parallel_config(backend="dask"))
    return stack


def _progress_bar(total, initial, desc, enabled):
    from tqdm.auto import tqdm

    # no rate-based estimate: cells of different methods cost different times, so
    # the time left is estimated per method (_TimeLeft) and shown in the postfix
    return tqdm(total=total, initial=initial, desc=desc, unit="fit", disable=not enabled,
                dynamic_ncols=True,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} fits "
                           "[{elapsed}{postfix}]")


def _cell_seconds(record):
    return record["fit_seconds"] + record["score_seconds"]


class _TimeLeft:
    """The time a run has left, from each method's own finished cells.

    A cell is expected to take the mean time (fit and score, numba's compilation
    excluded) of the finished cells of its method, read back or computed in this run;
    a method with no finished cell yet has no estimate, and the text says so.
    """

    def __init__(self, cells):
        self._seconds = {}
        for cell in cells:
            if cell.record is not None:
                self.add(cell)

    def add(self, cell):
        self._seconds.setdefault(cell.method, []).append(_cell_seconds(cell.record))

    def text(self, cells):
        left = [c for c in cells if c.record is None]
        if not left:
            return ""
        known = sum(sum(self._seconds[c.method]) / len(self._seconds[c.method])
                    for c in left if c.method in self._seconds)
        unknown = sorted({c.method for c in left if c.method not in self._seconds})
        parts = [f"left ~{_duration(known)}" if known or not unknown else ""]
        if unknown:
            parts.append("not yet timed: " + ", ".join(unknown))
        return "; ".join(p for p in parts if p)


def _duration(seconds):
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _with_epoch_progress(estimator, prefix):
    """Add an :class:`~sktsmtl.training.EpochProgress` to every ``callbacks`` parameter.

    The networks of a cell (the estimator's own, or those nested in a meta-estimator)
    then print a line per epoch; other estimators are left as they are.
    """
    from ..training import EpochProgress

    params = estimator.get_params(deep=True)
    updates = {name: list(value or []) + [("epoch_progress", EpochProgress(prefix))]
               for name, value in params.items()
               if name == "callbacks" or name.endswith("__callbacks")}
    if updates:
        estimator.set_params(**updates)
    return estimator


def _threads_per_worker(n_jobs, n_cells):
    """Torch threads of each local worker process: the cores shared out, at least one."""
    cores = os.cpu_count() or 1
    workers = cores if n_jobs is None or n_jobs < 0 else n_jobs
    return max(1, cores // max(1, min(workers, n_cells)))


def run_benchmark(
    group,
    methods=DEFAULT_METHODS,
    *,
    protocol="paper",
    seeds=(0,),
    data_dir=None,
    tasks=None,
    max_epochs=None,
    lr=None,
    device=None,
    normalize=False,
    method_params=None,
    out_dir=None,
    scheduler=None,
    n_jobs=None,
    progress=False,
    missing="skip",
):
    """Fit and score methods on every task of a group, for several seeds.

    Parameters
    ----------
    group : str
        Task group (see :func:`~sktsmtl.datasets.list_task_groups`).
    methods : sequence, default=DEFAULT_METHODS
        Method names (see :func:`list_methods`), ``(name, estimator)`` pairs or
        :class:`BenchmarkMethod` objects. Default: the five methods of the ResNet2D
        paper's Table I.
    protocol : {"paper", "paper-per-task", "ucr"}, default="paper"
        Evaluation protocol (see :mod:`sktsmtl.benchmarking.protocols`); ``"paper"``
        draws its split once per recording where tasks share recordings. A split that
        is not clean for multi-task learning (test series that are another task's
        training series) is run with a warning that says so.
    seeds : int or sequence of int, default=(0,)
        One cell per method and seed; the seed is the estimator's ``random_state`` and,
        under ``"paper"``, the seed of the 60/20/20 split.
    data_dir : str or path-like, default=None
        UCR archive folder for UCR groups; None reads ``SKTSMTL_UCR_DIR``.
    tasks : list of str, default=None
        Only these tasks of the group.
    max_epochs, lr : default=None
        Set on every method that has the parameter; None keeps each method's default.
    device : {"cpu", "cuda", "auto"}, default=None
        Torch device of the networks; None keeps their default (CPU).
    normalize : bool or None, default=False
        Z-normalise every series: set on the methods with a ``normalize`` parameter,
        and done on the data for the others, so every method sees the same series. None
        keeps each method's default.
    method_params : dict, default=None
        Further parameters set by name on the methods that have them, for example
        ``{"window": 0.1}`` for 1NN-DTW's band or ``{"batch_size": 16}``.
    out_dir : str or path-like, default=None
        Folder of the cell files (``cells/<group>_<protocol>/``); finished cells found
        there are read back, not recomputed. Checked for writing before any fit. None
        keeps nothing.
    scheduler : str or distributed.Client, default=None
        Address of a Dask scheduler (or a connected client): cells run on its workers.
    n_jobs : int, default=None
        Cells run in parallel; None means 1 locally and every worker with ``scheduler``.
    progress : bool, default=False
        Show a progress bar over cells (on standard error) and one line per training
        epoch of every network (on standard output): train loss and validation
        accuracy per task.
    missing : {"skip", "error"}, default="skip"
        Datasets of a UCR group absent from the folder: skip them with a warning, or
        raise.

    Returns
    -------
    pandas.DataFrame
        One row per method, seed and task, with the columns of :data:`RESULT_COLUMNS`:
        ``accuracy`` on the test part, ``fit_seconds`` (the whole cell's fit, repeated on
        its tasks' rows), ``score_seconds``, the row counts and the settings in effect
        (``max_epochs``, ``lr``, ``batch_size``, ``device``, ``validation_fraction``:
        None where a method has no such parameter; ``normalize``: the run's setting).

    Raises
    ------
    BenchmarkInterrupted
        On an interrupt (a ``KeyboardInterrupt``); it carries the finished cells'
        results, and every finished cell is in ``out_dir``.
    ValueError
        Unknown group, method or protocol (the message lists the known ones), bad
        seeds.
    FileNotFoundError
        Missing data; the message says which files are expected where.
    PermissionError, NotADirectoryError
        ``out_dir`` cannot be written.

    Examples
    --------
    >>> from sktsmtl.benchmarking import run_benchmark
    >>> results = run_benchmark("basic_motions", ["1nn-dtw"], protocol="ucr",
    ...                         tasks=["accel_x", "gyro_z"])
    >>> results[["method", "task", "seed", "accuracy"]]
        method     task  seed  accuracy
    0  1nn-dtw  accel_x     0       1.0
    1  1nn-dtw   gyro_z     0       1.0
    """
    resolved = _resolve_methods(methods)
    protocol = get_protocol(protocol)
    seeds = _resolve_seeds(seeds)
    group_name = get_task_group(group).name
    if missing not in ("skip", "error"):
        raise ValueError(f"missing must be 'skip' or 'error', got {missing!r}.")
    if method_params is not None and not isinstance(method_params, dict):
        raise TypeError(f"method_params must be a dict, got {type(method_params).__name__}.")
    _check_method_params(resolved, method_params or {})
    if n_jobs is not None and (not isinstance(n_jobs, numbers.Integral) or n_jobs == 0):
        raise ValueError(f"n_jobs must be a non-zero integer or None, got {n_jobs!r}.")
    out = None if out_dir is None else check_output_dir(out_dir)

    data = protocol.load(group, data_dir=data_dir, tasks=tasks, missing=missing)
    task_names = [str(t) for t in data["recordings"]]
    leakage = protocol.leakage(data, seeds[0])
    if leakage is not None:
        warnings.warn(f"{group_name}: {leakage}", UserWarning, stacklevel=2)
    settings = dict(max_epochs=max_epochs, lr=lr, device=device, normalize=normalize,
                    validation_fraction=protocol.validation_fraction, **(method_params or {}))
    store = None
    if out is not None:
        store = out / "cells" / f"{group_name}_{protocol.name}"
        store.mkdir(parents=True, exist_ok=True)
    spec_base = dict(group=group_name, protocol=protocol.name, tasks=task_names)
    if protocol.unit == "recording":  # not the cells of the earlier per-task "paper"
        spec_base["split"] = "recording"
    cells = _plan_cells(resolved, seeds, settings, store, spec_base)

    todo = [c for c in cells if c.record is None]
    if progress and len(todo) < len(cells):
        from tqdm.auto import tqdm

        tqdm.write(f"{group_name} ({protocol.name}): {len(cells) - len(todo)} of "
                   f"{len(cells)} fits read back from {str(store)!r} (stored by an "
                   f"earlier run); {len(todo)} to compute")
    bar = _progress_bar(len(cells), len(cells) - len(todo),
                        f"{group_name} ({protocol.name})", progress)
    bar.time_left = _TimeLeft(cells)
    bar.cells = cells
    bar.set_postfix_str(bar.time_left.text(cells), refresh=False)
    try:
        mine = [c for c in todo if c.lock is None or c.lock.acquire()]
        # read again under the lock: another run may have finished a cell meanwhile
        for cell in mine:
            if cell.path is not None:
                cell.record = _read_cell(cell.path, cell.spec)
                if cell.record is not None:
                    cell.lock.release()
                    _advance(bar, cell)
        mine = [c for c in mine if c.record is None]
        elsewhere = [c for c in todo if c not in mine]
        _compute(mine, protocol, data, scheduler, n_jobs, progress, bar)
        _collect(elsewhere, protocol, data, progress, bar)
    except KeyboardInterrupt:
        finished = [c for c in cells if c.record is not None]
        raise BenchmarkInterrupted(
            _tidy(finished, task_names, group_name, protocol.name, normalize)) from None
    finally:
        for cell in cells:
            if cell.lock is not None:
                cell.lock.release()
        bar.close()
    return _tidy(cells, task_names, group_name, protocol.name, normalize)


def _finish(cell, result, bar):
    cell.record = dict(format=_CELL_FORMAT, spec=cell.spec, params=cell.params, **result)
    if cell.path is not None:
        write_atomic(cell.path, json.dumps(cell.record, indent=1))
        shutil.rmtree(cell.checkpoint_dir, ignore_errors=True)
    if cell.lock is not None:
        cell.lock.release()
    _advance(bar, cell)


def _advance(bar, cell):
    """One more cell done: the bar moves and re-estimates the time left."""
    bar.time_left.add(cell)
    left = bar.time_left.text(bar.cells)
    bar.set_postfix_str(f"{cell.method} seed {cell.seed} done" + (f"; {left}" if left
                                                                  else ""), refresh=False)
    bar.update(1)


def _compute(cells, protocol, data, scheduler, n_jobs, progress, bar):
    """Fit the cells this run holds the locks of, in parallel as asked."""
    if not cells:
        return
    with _scheduler_context(scheduler):
        if scheduler is not None and n_jobs is None:
            n_jobs = -1
        local_workers = scheduler is None and n_jobs not in (None, 1)
        threads = _threads_per_worker(n_jobs, len(cells)) if local_workers else None
        outputs = Parallel(n_jobs=n_jobs, return_as="generator_unordered")(
            delayed(_cell_task)(i, c.estimator, protocol, data, c.seed, c.normalize_data,
                                progress and f"{c.method} s{c.seed}", threads,
                                # workers of a cluster may not share this disk
                                c.checkpoint_dir if scheduler is None else None)
            for i, c in enumerate(cells))
        for i, result in outputs:
            _finish(cells[i], result, bar)


def _collect(cells, protocol, data, progress, bar):
    """Wait for the cells another run is computing; compute those it gives up.

    A run that ends, however it ends, releases its locks (they are operating-system
    locks), so a cell whose run died is computed here at the next poll.
    """
    from tqdm.auto import tqdm

    def report(waited):
        for cell in pending:
            tqdm.write(f"waiting for {cell.method} seed {cell.seed}, which another run "
                       f"into the same folder is computing: lock {str(cell.lock.path)!r} "
                       f"{cell.lock.describe_owner()}; waited {waited:.1f} s so far")

    pending = list(cells)
    start = last_report = time.monotonic()
    if pending:
        report(0.0)
    while pending:
        for cell in list(pending):
            record = _read_cell(cell.path, cell.spec)
            if record is not None:
                cell.record = record
                _advance(bar, cell)
                pending.remove(cell)
            elif cell.lock.acquire():
                record = _read_cell(cell.path, cell.spec)  # written just before release?
                if record is not None:
                    cell.record = record
                    cell.lock.release()
                    _advance(bar, cell)
                    pending.remove(cell)
                    continue
                # the other run stopped without this cell: compute it here
                _, result = _cell_task(0, cell.estimator, protocol, data, cell.seed,
                                       cell.normalize_data,
                                       progress and f"{cell.method} s{cell.seed}",
                                       checkpoint_dir=cell.checkpoint_dir)
                _finish(cell, result, bar)
                pending.remove(cell)
        if pending:
            now = time.monotonic()
            if now - last_report >= _REPORT_SECONDS:
                report(now - start)
                last_report = now
            time.sleep(_POLL_SECONDS)


@dataclass
class _Cell:
    """One method and one seed on the whole group; ``record`` once finished."""

    method: str
    seed: int
    estimator: object
    spec: dict
    params: dict
    normalize_data: bool
    path: object = None
    lock: object = None
    record: dict = None

    @property
    def checkpoint_dir(self):
        """Folder of the checkpoints of the cell's networks (None without a store)."""
        if self.path is None:
            return None
        return self.path.parent / "checkpoints" / self.path.stem


def _plan_cells(methods, seeds, settings, store, spec_base):
    """Build every cell's estimator and read back the cells already stored."""
    cells = []
    for method in methods:
        for seed in seeds:
            estimator, applied = method.build(random_state=seed, **settings)
            # a method that cannot normalise gets normalised series
            normalize_data = bool(settings["normalize"]) and "normalize" not in applied
            # only the settings that reach the method define its cell
            used = {k: v for k, v in settings.items() if v is not None and k in applied}
            if normalize_data:
                used["normalize_data"] = True
            spec = _as_json(dict(spec_base, method=method.name, seed=seed, settings=used))
            cell = _Cell(
                method.name, seed, estimator, spec,
                params=_as_json({p: _param_by_name(estimator, p) for p in _RECORDED_PARAMS}),
                normalize_data=normalize_data)
            if store is not None:
                cell.path = _cell_path(store, method.name, seed, spec)
                cell.lock = CellLock(cell.path)
                cell.record = _read_cell(cell.path, spec)
            cells.append(cell)
    return cells


def _tidy(cells, task_names, group, protocol, normalize):
    rows = []
    for cell in cells:
        record = cell.record
        for task in task_names:
            rows.append(dict(
                group=group, protocol=protocol, method=cell.method, task=task,
                seed=cell.seed, accuracy=record["accuracy"][task],
                fit_seconds=record["fit_seconds"], score_seconds=record["score_seconds"],
                # cells written before compilation was timed apart: unknown
                compile_seconds=record.get("compile_seconds", float("nan")),
                n_fit=record["n_fit"][task], n_test=record["n_test"][task],
                normalize=normalize, **{p: record["params"][p] for p in _RECORDED_PARAMS}))
    results = pd.DataFrame(rows, columns=list(RESULT_COLUMNS))
    # integer settings stay integers where some methods have none (NaN otherwise)
    for column in ("max_epochs", "batch_size"):
        try:
            results[column] = results[column].astype("Int64")
        except (TypeError, ValueError):
            pass
    return results


def _cell_task(index, estimator, protocol, data, seed, normalize_data, progress=None,
               threads=None, checkpoint_dir=None):
    """One cell, in this process or a worker: ``progress`` is the epoch lines' prefix.

    An interrupt during a network's fit is raised (not absorbed by skorch), so that a
    cut-short fit is never scored; with ``checkpoint_dir`` the cell's networks save
    their training state there and a rerun resumes them mid-fit.
    """
    from ..training import propagate_interrupts

    if threads is not None:
        import torch

        torch.set_num_threads(threads)
    if progress:
        estimator = _with_epoch_progress(estimator, progress)
    if checkpoint_dir is not None:
        _set_by_name(estimator, {"checkpoint_dir": os.fspath(checkpoint_dir)})
    with propagate_interrupts():
        return index, _run_cell(estimator, protocol, data, seed, normalize_data)
