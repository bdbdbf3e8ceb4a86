"""Atomic file writes: a file is whole or absent, never half-written."""

import os
import uuid
from pathlib import Path

__all__ = ["write_atomic"]


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
