"""Reader for the UCR archive's tab-separated files and the loader of one dataset.

A UCR 2018 ``.tsv`` file holds one series per line: the class label first, then the
values, tab separated. Shorter series of variable-length datasets are padded with ``NaN``
at the end, and missing values are ``NaN`` in place. Both stay ``NaN`` here: trailing
``NaN`` are read as the end of a shorter series by :mod:`sktsmtl.data`, interior ``NaN``
as missing values for the preprocessing layer to impute. Older archive files that use
commas or spaces instead of tabs are read too.
"""

import numpy as np

from .rows import parse_labels, stack_padded
from .paths import get_data_dir, ucr_file_paths
from .splits import _check_split, _select_split
from .ts_format import _read_ts_raw

__all__ = ["read_ucr_tsv", "load_ucr_dataset"]


def _split_line(line, delimiter):
    if delimiter is None:
        return line.split()
    return line.split(delimiter)


def _read_tsv_raw(path):
    """Parse a UCR ``.tsv`` file into (list of (1, L) arrays, list of label strings)."""
    rows, labels = [], []
    delimiter = False  # not yet detected
    width = first_line = None
    # utf-8-sig: a byte-order mark (Excel, Notepad) is not part of the first label
    with open(path, encoding="utf-8-sig", errors="replace") as handle:
        for lineno, line in enumerate(handle, start=1):
            line = line.strip()
            if not line:
                continue
            if delimiter is False:
                delimiter = "\t" if "\t" in line else ("," if "," in line else None)
            fields = [f.strip() for f in _split_line(line, delimiter)]
            if len(fields) < 2:
                raise ValueError(
                    f"{path}, line {lineno}: expected a label and at least one value."
                )
            # every line of an archive file has the full width (shorter series are
            # NaN-padded), so a shorter line was cut off, not a shorter series
            if width is None:
                width, first_line = len(fields), lineno
            elif len(fields) != width:
                raise ValueError(
                    f"{path}, line {lineno}: {len(fields) - 1} values where line "
                    f"{first_line} has {width - 1}; the line looks cut off (in UCR "
                    "files, shorter series are padded with NaN to the full width)."
                )
            values = [f if f else "nan" for f in fields[1:]]
            try:
                row = np.array(values, dtype=np.float64)
            except ValueError:
                raise ValueError(
                    f"{path}, line {lineno}: a value is not a number (missing values and "
                    "padding must be written NaN)."
                ) from None
            if np.isinf(row).any():
                raise ValueError(f"{path}, line {lineno}: a value is infinite.")
            rows.append(row[np.newaxis, :])
            labels.append(fields[0])
    if not rows:
        raise ValueError(f"{path}: the file holds no series.")
    return rows, labels


def _as_output(series):
    X = stack_padded(series)
    return X[:, 0, :] if X.shape[1] == 1 else X


def read_ucr_tsv(path):
    """Read one UCR ``.tsv`` file.

    Parameters
    ----------
    path : str or path-like
        A file such as ``ECG200_TRAIN.tsv``: label first, then the values, tab (or comma)
        separated, ``NaN`` for missing values and padding.

    Returns
    -------
    X : ndarray of shape (n, L)
        float64; trailing ``NaN`` (shorter series) and interior ``NaN`` (missing values)
        are kept as ``NaN``.
    y : ndarray of shape (n,)
        int64 when every label is integral (``-1``/``1``, ``1.0``), else strings.

    Raises
    ------
    ValueError
        When a line has no value, a value that is not a number, or a different number
        of values than the first line (a cut-off line), naming file and line.

    Examples
    --------
    >>> import os, tempfile
    >>> from sktsmtl.datasets import read_ucr_tsv
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "Toy_TRAIN.tsv")
    ...     with open(path, "w") as f:
    ...         _ = f.write("-1\\t0.5\\tNaN\\t1.5\\n1\\t2.0\\t3.0\\tNaN\\n")
    ...     X, y = read_ucr_tsv(path)
    >>> X
    array([[0.5, nan, 1.5],
           [2. , 3. , nan]])
    >>> y
    array([-1,  1])
    """
    rows, labels = _read_tsv_raw(path)
    return _as_output(rows), parse_labels(labels)


def _read_raw(path, format):
    if format == "tsv":
        return _read_tsv_raw(path)
    series, labels, _ = _read_ts_raw(path)
    if labels is None:
        raise ValueError(f"{path}: the file has no class labels (@classLabel false).")
    return series, labels


def _archive_splits_needed(split):
    return (split,) if split in ("train", "test") else ("train", "test")


def _load_parts(name, root, format, splits):
    """Read the archive splits of one dataset: {split: (X, y)}, labels parsed jointly."""
    found = ucr_file_paths(name, root, format=format, splits=splits)
    raw = {s: _read_raw(found[s], format) for s in splits}
    all_labels = parse_labels([lab for s in splits for lab in raw[s][1]])
    parts, start = {}, 0
    for s in splits:
        series, labels = raw[s]
        parts[s] = (_as_output(series), all_labels[start : start + len(labels)])
        start += len(labels)
    return parts


def load_ucr_dataset(name, split="train", data_dir=None, format="tsv", random_state=0):
    """Load one dataset of the UCR (or UEA) archive from a local folder.

    Parameters
    ----------
    name : str
        Dataset name as spelled in the archive, e.g. ``"ECG200"``.
    split : {"train", "test", "all", "paper_train", "paper_val", "paper_test"}, \
default="train"
        ``"train"``/``"test"``: the archive's split. ``"all"``: train then test rows.
        ``"paper_*"``: a part of the stratified 60/20/20 split of all rows (see
        :func:`train_val_test_split_tasks`).
    data_dir : str or path-like, default=None
        Archive folder; None reads the environment variable ``SKTSMTL_UCR_DIR``. See
        :func:`get_data_dir`.
    format : {"tsv", "ts"}, default="tsv"
        Read ``<Name>_TRAIN.tsv`` (UCR) or ``<Name>_TRAIN.ts`` (sktime) files.
    random_state : int, RandomState instance or None, default=0
        Seed of the ``"paper_*"`` splits; unused otherwise.

    Returns
    -------
    X : ndarray of shape (n, L) or (n, C, L)
        float64, NaN-padded at the end for shorter series, NaN in place for missing
        values. ``(n, C, L)`` for multivariate ``.ts`` files.
    y : ndarray of shape (n,)
        int64 when every label is integral (ECG200's ``-1``/``1``), else strings.

    Raises
    ------
    FileNotFoundError
        When the folder is not set or a file is missing; the message names the
        expected files and the folder.

    Examples
    --------
    >>> from sktsmtl.datasets import load_ucr_dataset
    >>> X, y = load_ucr_dataset("ECG200", split="train")  # doctest: +SKIP
    >>> X.shape, sorted(set(y))  # doctest: +SKIP
    ((100, 96), [-1, 1])
    """
    _check_split(split)
    root = get_data_dir(data_dir)
    parts = _load_parts(name, root, format, _archive_splits_needed(split))
    return _select_split(parts, split, random_state, task=name)
