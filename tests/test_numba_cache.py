"""numba's cache goes to a user folder, never into the installed package."""

import os
import subprocess
import sys
from pathlib import Path

import sktsmtl
from sktsmtl import _numba_cache

PACKAGE = Path(sktsmtl.__file__).resolve().parent


def test_the_cache_folder_is_outside_the_package():
    import numba

    folder = Path(numba.config.CACHE_DIR).resolve()
    assert numba.config.CACHE_DIR
    assert PACKAGE not in folder.parents and folder != PACKAGE


def test_user_cache_dir_follows_xdg(monkeypatch, tmp_path):
    if sys.platform.startswith("win") or sys.platform == "darwin":
        return
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert _numba_cache.user_cache_dir() == tmp_path / "sktsmtl" / "numba"


def test_a_fresh_process_writes_its_kernels_to_numba_cache_dir_only(tmp_path):
    """Run cached kernels in a new interpreter: files appear in NUMBA_CACHE_DIR and no
    index or data file appears anywhere inside the package."""
    def package_cache_files():
        return {p for p in PACKAGE.rglob("*") if p.suffix in (".nbi", ".nbc")}

    before = package_cache_files()
    code = ("import numpy as np; from sktsmtl.distances import pairwise_dtw; "
            "pairwise_dtw(np.random.rand(3, 12))")
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=300)
    assert list(tmp_path.rglob("*.nbi")), "numba cached nothing in NUMBA_CACHE_DIR"
    assert package_cache_files() == before


def test_configure_keeps_a_users_numba_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    assert _numba_cache.configure_numba_cache() == str(tmp_path)


def test_configure_without_a_writable_user_folder_falls_back(monkeypatch, tmp_path):
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setattr(_numba_cache, "user_cache_dir", lambda: Path("/proc/no/such"))
    monkeypatch.setattr(_numba_cache.tempfile, "gettempdir", lambda: str(tmp_path))
    chosen = Path(_numba_cache.configure_numba_cache())
    assert chosen.parent.parent == tmp_path and os.environ["NUMBA_CACHE_DIR"] == str(chosen)


def test_the_default_folder_changes_with_the_kernels_sources(monkeypatch, tmp_path):
    """A cached caller is checked against its own file only: an edited callee in another
    module must not run stale, so the folder is keyed by all kernel sources."""
    for name in ("dtw.py", "nearest.py"):
        (tmp_path / name).write_text("x = 1\n")
    monkeypatch.setattr(_numba_cache, "_KERNEL_PACKAGE", tmp_path)
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    first = _numba_cache.configure_numba_cache()
    (tmp_path / "dtw.py").write_text("x = 2\n")
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    second = _numba_cache.configure_numba_cache()
    assert first != second and Path(first).parent == Path(second).parent
    assert Path(second).name == _numba_cache.kernel_sources_digest()
