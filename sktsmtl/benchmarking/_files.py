"""Output files of a benchmark: the folder check, atomic writes, cell locks (private)."""

import json
import os
import socket
import tempfile
import time
from pathlib import Path

from .._files import write_atomic

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


class CellLock:
    """A lock beside a cell file: one run computes a cell, another waits for it.

    An operating-system lock (``flock``, through the ``filelock`` package) on
    ``<folder>/.locks/<cell>.lock``: the system releases it when its process ends,
    however it ends (``kill -9``, a crash, a full disk), so no lock outlives its run
    and a lock file on disk means nothing by itself: an empty or damaged one, left by
    an older version or a killed run, is free. The lock files stay (removing a locked
    file would let a waiting run lock a file that no longer has a name). Beside the
    lock, ``<cell>.owner`` names the holder (host, process id, start time) for the
    messages of waiting runs. On a file system without ``flock``, ``filelock`` falls
    back to a lock file whose owner is checked for being alive.

    Parameters
    ----------
    path : path-like
        The cell file.
    """

    def __init__(self, path):
        path = Path(os.fspath(path))
        folder = path.parent / ".locks"
        self.path = folder / f"{path.name}.lock"
        self.owner_path = folder / f"{path.name}.owner"
        self.held = False
        self._lock = None

    def _file_lock(self):
        if self._lock is None:
            from filelock import FileLock

            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._lock = FileLock(os.fspath(self.path), timeout=0)
        return self._lock

    def owner(self):
        """``{"host": ..., "pid": ..., "since": ...}`` of the holder as it recorded
        itself, or None when not recorded (or not readable)."""
        try:
            owner = json.loads(self.owner_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return owner if isinstance(owner, dict) else None

    def describe_owner(self):
        """The holder in words, for messages."""
        owner = self.owner()
        if not owner:
            return "held by a run that did not record itself"
        since = owner.get("since")
        when = (time.strftime(" since %H:%M:%S", time.localtime(since))
                if isinstance(since, (int, float)) else "")
        return f"held by process {owner.get('pid')} on {owner.get('host')}{when}"

    def acquire(self):
        """Take the lock if it is free; return whether this process holds it."""
        if self.held:
            return True
        from filelock import Timeout

        try:
            self._file_lock().acquire(timeout=0)
        except Timeout:
            return False
        self.held = True
        try:
            write_atomic(self.owner_path, json.dumps(
                {"host": socket.gethostname(), "pid": os.getpid(), "since": time.time()}))
        except OSError:
            pass  # the record only serves messages
        return True

    def locked_elsewhere(self):
        """Whether another run holds the lock."""
        if self.held:
            return False
        if self.acquire():
            self.release()
            return False
        return True

    def release(self):
        """Release the lock if this process holds it."""
        if self.held:
            try:
                self.owner_path.unlink()
            except FileNotFoundError:
                pass
            self._file_lock().release()
            self.held = False
