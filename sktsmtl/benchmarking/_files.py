"""Output files of a benchmark: the folder check, atomic writes, cell locks (private)."""

import json
import os
import socket
import tempfile
import time
import uuid
from pathlib import Path

__all__ = ["CellLock", "check_output_dir", "write_atomic"]


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


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    except OSError:
        return False
    return True


class CellLock:
    """A lock file beside a cell file: one run computes a cell, another waits for it.

    Taken with ``O_CREAT | O_EXCL`` (atomic on local and NFSv3+ file systems); it holds
    the host name and process id of its owner, so that a lock left by a process of this
    host that no longer runs (killed with SIGKILL, say) is taken over rather than
    waited on forever. A lock of another host is trusted until it is removed.

    Parameters
    ----------
    path : path-like
        The cell file; the lock is ``<path>.lock``.
    """

    def __init__(self, path):
        self.path = Path(f"{os.fspath(path)}.lock")
        self.held = False

    def owner(self):
        """``{"host": ..., "pid": ...}`` of the lock's owner, or None when unlocked."""
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return {}  # being written, or damaged: somebody holds it

    def _stale(self, owner):
        return (owner is not None and owner.get("host") == socket.gethostname()
                and isinstance(owner.get("pid"), int) and not _pid_alive(owner["pid"]))

    def acquire(self):
        """Take the lock if it is free (or stale); return whether this process holds it."""
        if self.held:
            return True
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            except FileExistsError:
                if not self._stale(self.owner()):
                    return False
                try:
                    self.path.unlink()
                except FileNotFoundError:
                    pass
                continue
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"host": socket.gethostname(), "pid": os.getpid(),
                           "since": time.time()}, handle)
            self.held = True
            return True
        return False

    def locked_elsewhere(self):
        """Whether another live process holds the lock."""
        if self.held:
            return False
        owner = self.owner()
        return owner is not None and not self._stale(owner)

    def release(self):
        """Remove the lock if this process holds it."""
        if self.held:
            try:
                self.path.unlink()
            except FileNotFoundError:
                pass
            self.held = False
