"""Output files of a benchmark: the folder check and atomic writes (private)."""

import os
import tempfile
import uuid
from pathlib import Path

__all__ = ["check_output_dir", "write_atomic"]


def check_output_dir(out_dir):
    """Create ``out_dir`` if needed and make sure files can be written in it.

    Called before any fit, so a long run never fails at its end for want of a folder.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    NotADirectoryError
        ``out_dir`` (or one of its parents) is a file.
    PermissionError
        The folder cannot be created or written to.
    """
    path = Path(os.fspath(out_dir)).expanduser()
    if path.exists() and not path.is_dir():
        raise NotADirectoryError(f"The output folder {str(path)!r} is a file, not a folder.")
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except NotADirectoryError:
        raise NotADirectoryError(
            f"The output folder {str(path)!r} cannot be created: a part of its path is a "
            "file.") from None
    except OSError as exc:
        raise PermissionError(
            f"The output folder {str(path)!r} is not writable ({exc.strerror or exc}); "
            "choose another one with --out / out_dir.") from None
    return path


def write_atomic(path, content):
    """Write ``content`` (str or bytes) to ``path`` so that it is whole or absent.

    The content goes to a temporary file in the same folder, which then replaces
    ``path`` in one step (:func:`os.replace`); an interrupt or error on the way leaves
    no partial file behind, neither at ``path`` nor as a temporary file.
    """
    path = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
    tmp = path.parent / f".{path.name}.{uuid.uuid4().hex}.tmp"
    # os.open with mode 0o666 gives the file the usual permissions under the umask
    # (mkstemp would make it private).
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path
