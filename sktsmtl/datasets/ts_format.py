"""Reader for the sktime / UEA ``.ts`` file format.

A ``.ts`` file holds comment lines (``#``), header lines (``@problemName``,
``@timeStamps``, ``@missing``, ``@univariate``, ``@dimensions``, ``@equalLength``,
``@seriesLength``, ``@classLabel`` or ``@targetLabel``), a ``@data`` line, and then one
line per series: the channels separated by ``:``, the values of a channel by ``,``,
missing values written ``?``, and the class label (or regression target) as the last
``:``-separated field.

This is a self-contained parser (it does not use sktime), so that files are read the
same way whatever sktime version is installed.
"""

import numpy as np

from .rows import parse_labels, stack_padded

__all__ = ["read_ts_file"]

# header key (lower case) -> metadata key
_BOOLEAN_KEYS = {
    "timestamps": "timestamps",
    "missing": "missing",
    "univariate": "univariate",
    "equallength": "equal_length",
}


def _parse_bool(text, key, path, lineno):
    value = text.strip().lower()
    if value in ("true", "false"):
        return value == "true"
    raise ValueError(f"{path}, line {lineno}: @{key} must be true or false, got {text!r}.")


def _parse_header(tokens, meta, path, lineno):
    key = tokens[0][1:].lower()
    rest = tokens[1:]
    if key == "problemname":
        meta["problem_name"] = " ".join(rest)
    elif key in _BOOLEAN_KEYS:
        if not rest:
            raise ValueError(f"{path}, line {lineno}: @{key} needs a value.")
        meta[_BOOLEAN_KEYS[key]] = _parse_bool(rest[0], key, path, lineno)
    elif key in ("dimensions", "dimension"):
        meta["n_channels"] = _parse_int(rest, key, path, lineno)
    elif key == "serieslength":
        meta["series_length"] = _parse_int(rest, key, path, lineno)
    elif key == "classlabel":
        if not rest:
            raise ValueError(f"{path}, line {lineno}: @classLabel needs true or false.")
        has = _parse_bool(rest[0], key, path, lineno)
        if has and len(rest) < 2:
            raise ValueError(
                f"{path}, line {lineno}: @classLabel true must list the class labels."
            )
        meta["class_labels"] = list(rest[1:]) if has else None
    elif key == "targetlabel":
        if not rest:
            raise ValueError(f"{path}, line {lineno}: @targetLabel needs true or false.")
        meta["target_label"] = _parse_bool(rest[0], key, path, lineno)
    # Other header keys are ignored: they do not change how the data lines are read.


def _parse_int(rest, key, path, lineno):
    try:
        value = int(rest[0])
    except (IndexError, ValueError):
        raise ValueError(f"{path}, line {lineno}: @{key} needs an integer.") from None
    if value < 1:
        raise ValueError(f"{path}, line {lineno}: @{key} must be positive, got {value}.")
    return value


def _parse_channel(text, path, lineno, channel):
    text = text.strip()
    if not text:
        return np.zeros(0, dtype=np.float64)
    if "?" in text:
        text = text.replace("?", "nan")
    if "(" in text:
        raise ValueError(
            f"{path}, line {lineno}: channel {channel} holds (time stamp, value) pairs; "
            "time-stamped .ts files are not supported."
        )
    try:
        values = np.array(text.split(","), dtype=np.float64)
    except ValueError:
        raise ValueError(
            f"{path}, line {lineno}: channel {channel} holds a value that is not a number "
            "or '?'."
        ) from None
    if np.isinf(values).any():  # as read_ucr_tsv: an overflow (1e999), not a reading
        raise ValueError(f"{path}, line {lineno}: channel {channel} holds an infinite "
                         "value.")
    return values


def _check_declared_length(channels, meta, path, lineno):
    """A series of a file declaring ``@equalLength true`` has the declared length.

    The length is ``@seriesLength`` when given, else that of the first series; a line
    cut short (or run on) would otherwise be padded with NaN without a word.
    """
    if not meta["equal_length"]:
        return
    expected = meta["series_length"]
    for c, values in enumerate(channels):
        if expected is None:
            expected = meta["series_length"] = len(values)
            meta["_length_from_data"] = True
        if len(values) != expected:
            source = ("the first series" if meta.get("_length_from_data")
                      else "@seriesLength")
            raise ValueError(
                f"{path}, line {lineno}: channel {c} has {len(values)} values but the "
                f"file declares @equalLength true and {source} has {expected}; is the "
                "line cut off?"
            )


def _label_matches(label, declared):
    if label in declared:
        return True
    try:
        value = float(label)
    except ValueError:
        return False
    for d in declared:
        try:
            if float(d) == value:
                return True
        except ValueError:
            continue
    return False


def _read_ts_raw(path):
    """Parse a ``.ts`` file into (series, raw labels or None, metadata).

    ``series`` is a list of float64 arrays of shape ``(C, L_i)`` (channels of one series
    NaN-padded to their longest); raw labels are the label strings as written.
    """
    path = str(path)
    meta = {
        "problem_name": None,
        "timestamps": False,
        "missing": None,
        "univariate": None,
        "n_channels": None,
        "equal_length": None,
        "series_length": None,
        "class_labels": None,
        "target_label": False,
    }
    series, labels = [], []
    in_data = False
    n_channels = None
    # utf-8-sig: a byte-order mark written by some editors is not part of the text
    with open(path, encoding="utf-8-sig", errors="replace") as handle:
        for lineno, line in enumerate(handle, start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if not in_data:
                if not line.startswith("@"):
                    raise ValueError(
                        f"{path}, line {lineno}: expected a header line (@...) or @data "
                        f"before the data, got {line[:40]!r}."
                    )
                tokens = line.split()
                if tokens[0].lower() == "@data":
                    in_data = True
                    if meta["timestamps"]:
                        raise ValueError(
                            f"{path}: @timeStamps true: time-stamped .ts files are not "
                            "supported."
                        )
                    n_channels = meta["n_channels"]
                    if n_channels is None and meta["univariate"]:
                        n_channels = 1
                    continue
                _parse_header(tokens, meta, path, lineno)
                continue
            if line.startswith("@"):
                raise ValueError(f"{path}, line {lineno}: header line after @data.")
            fields = line.split(":")
            has_label = meta["class_labels"] is not None or meta["target_label"]
            if has_label:
                if len(fields) < 2:
                    raise ValueError(
                        f"{path}, line {lineno}: the file declares labels but this line "
                        "has none (expected '...:label')."
                    )
                label = fields[-1].strip()
                fields = fields[:-1]
                if meta["class_labels"] is not None and not _label_matches(
                    label, meta["class_labels"]
                ):
                    raise ValueError(
                        f"{path}, line {lineno}: class label {label!r} is not among the "
                        f"labels declared by @classLabel: {meta['class_labels']}."
                    )
                labels.append(label)
            if n_channels is None:
                n_channels = len(fields)
            if len(fields) != n_channels:
                raise ValueError(
                    f"{path}, line {lineno}: {len(fields)} channel(s) where the file has "
                    f"{n_channels}."
                )
            channels = [
                _parse_channel(text, path, lineno, c) for c, text in enumerate(fields)
            ]
            _check_declared_length(channels, meta, path, lineno)
            series.append(stack_padded(channels))
    if not in_data:
        raise ValueError(f"{path}: no @data line; this is not a .ts file.")
    if not series:
        raise ValueError(f"{path}: the file holds no series.")
    meta["n_channels"] = n_channels
    meta.pop("_length_from_data", None)
    if meta["univariate"] is None:
        meta["univariate"] = n_channels == 1
    has_label = meta["class_labels"] is not None or meta["target_label"]
    return series, (labels if has_label else None), meta


def read_ts_file(path, return_metadata=False):
    """Read one sktime ``.ts`` file into a NaN-padded array and its labels.

    Parameters
    ----------
    path : str or path-like
        The ``.ts`` file.
    return_metadata : bool, default=False
        Also return the header as a dict.

    Returns
    -------
    X : ndarray of shape (n, L) or (n, C, L)
        float64; ``(n, L)`` when the file has one channel, else ``(n, C, L)``. Shorter
        series (and shorter channels) are padded with trailing NaN; missing values
        (``?``) are NaN in place.
    y : ndarray of shape (n,) or None
        Class labels, int64 when all are integral, else strings; float64 regression
        targets for ``@targetLabel true``; None when the file has no labels.
    metadata : dict
        Only with ``return_metadata=True``: ``problem_name``, ``timestamps``,
        ``missing``, ``univariate``, ``n_channels``, ``equal_length``,
        ``series_length``, ``class_labels`` (list of str or None), ``target_label``.

    Raises
    ------
    ValueError
        On a malformed file, naming the file and line: a data line without its label,
        a channel count that differs from the header or the first line, a series whose
        length differs from ``@seriesLength`` (or from the first series) in a file that
        declares ``@equalLength true``, a label that ``@classLabel`` does not declare, a
        value that is not a number or ``?``, and time-stamped files (not supported).

    Examples
    --------
    >>> import os, tempfile
    >>> from sktsmtl.datasets import read_ts_file
    >>> text = "@problemName toy\\n@univariate false\\n@dimensions 2\\n"
    >>> text += "@classLabel true a b\\n@data\\n1,2,3:4,5,6:a\\n7,?:8,9:b\\n"
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "toy.ts")
    ...     with open(path, "w") as f:
    ...         _ = f.write(text)
    ...     X, y = read_ts_file(path)
    >>> X.shape
    (2, 2, 3)
    >>> X[1]
    array([[ 7., nan, nan],
           [ 8.,  9., nan]])
    >>> y.tolist()
    ['a', 'b']
    """
    series, labels, meta = _read_ts_raw(path)
    X = stack_padded(series)
    if meta["n_channels"] == 1:
        X = X[:, 0, :]
    if labels is None:
        y = None
    elif meta["target_label"] and meta["class_labels"] is None:
        try:
            y = np.asarray(labels, dtype=np.float64)
        except ValueError:
            raise ValueError(f"{path}: a regression target is not a number.") from None
    else:
        y = parse_labels(labels)
    if return_metadata:
        return X, y, meta
    return X, y
