"""Where the UCR archive lives: the data folder and the files of one dataset.

sktsmtl downloads nothing. The archive is a folder that the user points to, either with
the ``data_dir`` argument of the loaders or with the environment variable
``SKTSMTL_UCR_DIR``. Inside it, a dataset ``Name`` is looked up in the archive's own
layout, ``<folder>/Name/Name_TRAIN.tsv`` and ``<folder>/Name/Name_TEST.tsv`` (``.ts`` for
the sktime format), or in a flat layout, ``<folder>/Name_TRAIN.tsv``.
"""

import os
from pathlib import Path

__all__ = ["DATA_DIR_ENV", "get_data_dir", "ucr_file_paths"]

#: Environment variable naming the UCR archive folder.
DATA_DIR_ENV = "SKTSMTL_UCR_DIR"

_FILE_TAGS = {"train": "TRAIN", "test": "TEST"}
_EXTENSIONS = {"tsv": ".tsv", "ts": ".ts"}


def get_data_dir(data_dir=None):
    """Return the UCR archive folder.

    The folder is ``data_dir`` when given, else the value of the environment variable
    ``SKTSMTL_UCR_DIR``. There is no default location and nothing is downloaded.

    Parameters
    ----------
    data_dir : str or path-like, default=None
        The folder that holds the archive's dataset folders.

    Returns
    -------
    pathlib.Path
        The absolute path of an existing folder.

    Raises
    ------
    FileNotFoundError
        When neither ``data_dir`` nor ``SKTSMTL_UCR_DIR`` is set, or when the folder
        they name does not exist. The message says how to set it.

    Examples
    --------
    >>> import tempfile
    >>> from sktsmtl.datasets import get_data_dir
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     get_data_dir(folder).is_dir()
    True
    >>> get_data_dir()  # reads SKTSMTL_UCR_DIR  # doctest: +SKIP
    PosixPath('/data/UCRArchive_2018')
    """
    if data_dir is not None:
        path = Path(os.fspath(data_dir)).expanduser()
        origin = "the data_dir argument"
    else:
        value = os.environ.get(DATA_DIR_ENV, "").strip()
        if not value:
            raise FileNotFoundError(
                "No UCR archive folder is set: pass data_dir='/path/to/UCRArchive_2018' or "
                f"set the environment variable {DATA_DIR_ENV} to the folder that holds the "
                "dataset folders (<folder>/<Name>/<Name>_TRAIN.tsv). sktsmtl downloads "
                "nothing; get the archive from "
                "https://www.cs.ucr.edu/~eamonn/time_series_data_2018/."
            )
        path = Path(value).expanduser()
        origin = f"the environment variable {DATA_DIR_ENV}"
    if not path.is_dir():
        raise FileNotFoundError(
            f"The UCR archive folder {str(path)!r} (from {origin}) does not exist or is "
            "not a folder."
        )
    return path.resolve()


def _check_name(name):
    if not isinstance(name, str) or not name.strip():
        raise TypeError(f"a dataset name must be a non-empty string, got {name!r}.")
    if "/" in name or "\\" in name or name in (".", ".."):
        raise ValueError(f"a dataset name is a name, not a path: {name!r}.")
    return name


def ucr_file_paths(name, data_dir=None, format="tsv", splits=("train", "test")):
    """Return the files of one dataset of the archive, one per split.

    Parameters
    ----------
    name : str
        Dataset name as spelled in the archive, e.g. ``"ECG200"``.
    data_dir : str or path-like, default=None
        Archive folder; see :func:`get_data_dir`.
    format : {"tsv", "ts"}, default="tsv"
        UCR tab-separated files or sktime ``.ts`` files.
    splits : tuple of {"train", "test"}, default=("train", "test")
        The archive splits wanted.

    Returns
    -------
    dict
        ``{split: pathlib.Path}``.

    Raises
    ------
    FileNotFoundError
        When a file is missing; the message names every missing file and the folder.

    Examples
    --------
    >>> from sktsmtl.datasets import ucr_file_paths
    >>> ucr_file_paths("ECG200", "/data/ucr")  # doctest: +SKIP
    {'train': PosixPath('/data/ucr/ECG200/ECG200_TRAIN.tsv'),
     'test': PosixPath('/data/ucr/ECG200/ECG200_TEST.tsv')}
    """
    root = get_data_dir(data_dir)
    found, missing = _locate(name, root, format, splits)
    if missing:
        raise FileNotFoundError(
            f"Dataset {name!r} is not in the UCR archive folder {str(root)!r}: missing "
            f"{', '.join(missing)} (also looked for them directly in that folder)."
        )
    return found


def _locate(name, root, format, splits=("train", "test")):
    """Find a dataset's files under ``root``; return (found, missing relative names)."""
    _check_name(name)
    if format not in _EXTENSIONS:
        raise ValueError(f"format must be 'tsv' or 'ts', got {format!r}.")
    ext = _EXTENSIONS[format]
    found, missing = {}, []
    for split in splits:
        if split not in _FILE_TAGS:
            raise ValueError(f"archive splits are 'train' and 'test', got {split!r}.")
        filename = f"{name}_{_FILE_TAGS[split]}{ext}"
        for candidate in (root / name / filename, root / filename):
            if candidate.is_file():
                found[split] = candidate
                break
        else:
            missing.append(f"{name}/{filename}")
    return found, missing
