"""Where numba keeps the compiled kernels of ``@njit(cache=True)``: never in the package.

By default numba writes its cache into the ``__pycache__`` folder beside the source
file, which for an installed package is inside ``site-packages``. pip does not know
those files: uninstalling leaves the folder behind, and a later editable install is
then shadowed by a namespace package of that name. So the cache goes to
``NUMBA_CACHE_DIR`` when the user set it, else to the platform's user cache folder,
else to a folder under the temporary directory (a fresh one when neither can be
written), so that no file ever lands in the package.
This module must run before any module that defines a cached kernel is imported.

The default folder is keyed by a digest of the kernels' source files. numba checks a
cached function against its own file only, so a cached caller would keep running the
old code of a callee in another module that an upgrade changed; a new digest starts a
fresh cache instead. A ``NUMBA_CACHE_DIR`` chosen by the user is used as it is.
"""

import hashlib
import os
import sys
import tempfile
from pathlib import Path

__all__ = ["configure_numba_cache", "kernel_sources_digest", "user_cache_dir"]

# the subpackage whose modules define ``@njit(cache=True)`` kernels
_KERNEL_PACKAGE = Path(__file__).resolve().parent / "distances"


def user_cache_dir():
    """The platform's per-user cache folder for sktsmtl's numba kernels.

    ``%LOCALAPPDATA%`` on Windows, ``~/Library/Caches`` on macOS, and
    ``$XDG_CACHE_HOME`` (default ``~/.cache``) elsewhere, each with ``sktsmtl/numba``.

    Returns
    -------
    pathlib.Path
    """
    if sys.platform.startswith("win"):
        base = os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local"
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "sktsmtl" / "numba"


def kernel_sources_digest():
    """A short digest of the source files that define cached numba kernels.

    Returns
    -------
    str
        12 hexadecimal digits; it changes whenever any of those files changes.
    """
    digest = hashlib.sha1()
    for path in sorted(_KERNEL_PACKAGE.glob("*.py")):
        digest.update(path.name.encode("utf-8"))
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _writable(folder):
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError:
        return False
    return True


def configure_numba_cache():
    """Point numba's cache at a user folder unless ``NUMBA_CACHE_DIR`` is set.

    The folder is ``user_cache_dir() / kernel_sources_digest()``.

    Works whether or not numba is already imported: the environment variable covers a
    later import, ``numba.config.CACHE_DIR`` an earlier one.

    Returns
    -------
    str
        The cache folder in effect.
    """
    chosen = os.environ.get("NUMBA_CACHE_DIR")
    if not chosen:
        user = f"-{os.getuid()}" if hasattr(os, "getuid") else ""
        key = kernel_sources_digest()
        candidates = (user_cache_dir() / key,
                      Path(tempfile.gettempdir()) / f"sktsmtl-numba{user}" / key)
        chosen = next((str(c) for c in candidates if _writable(c)), None)
        if chosen is None:
            chosen = tempfile.mkdtemp(prefix="sktsmtl-numba-")
        os.environ["NUMBA_CACHE_DIR"] = chosen
    numba = sys.modules.get("numba")
    if numba is not None and not numba.config.CACHE_DIR:
        numba.config.CACHE_DIR = chosen
    return chosen
