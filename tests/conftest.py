"""Fixtures shared by the whole test suite."""

import os
from pathlib import Path

import pytest

# The repository root is the parent of tests/; the shared material lies beside it.
_REPO_ROOT = Path(__file__).resolve().parents[1]
_SHARED_UCR = _REPO_ROOT / ".." / "shared" / "data" / "ucr"


def _find_ucr_dir():
    value = os.environ.get("SKTSMTL_UCR_DIR", "").strip()
    candidates = [Path(value).expanduser()] if value else []
    candidates.append(_SHARED_UCR)
    for candidate in candidates:
        if candidate.is_dir():
            return candidate.resolve()
    return None


@pytest.fixture(scope="session")
def ucr_dir_or_none():
    """The UCR archive folder, or None where there is none (no skip)."""
    return _find_ucr_dir()


@pytest.fixture(scope="session")
def ucr_dir():
    """The UCR archive folder: ``SKTSMTL_UCR_DIR``, else ``../shared/data/ucr``.

    Tests that use it are skipped when neither exists (as on a user's machine).
    """
    path = _find_ucr_dir()
    if path is None:
        pytest.skip(
            "UCR archive folder not found (set SKTSMTL_UCR_DIR or provide "
            "../shared/data/ucr beside the repository)."
        )
    return path


def pytest_collection_modifyitems(config, items):
    """Mark every test that uses the ``ucr_dir`` fixture with the ``ucr`` marker."""
    for item in items:
        if "ucr_dir" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.ucr)


def pytest_configure(config):
    """One torch thread per xdist worker: two workers already fill two cores, and tiny
    networks slow down badly when their threads compete."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        try:
            import torch
        except ImportError:
            return
        torch.set_num_threads(1)
