"""Checkpoints of a fit, so that a killed or preempted fit resumes where it stopped.

A fit with ``checkpoint_dir`` keeps its checkpoints in ``<checkpoint_dir>/<fingerprint>/``,
where the fingerprint hashes the estimator's parameters and the training data: the same
call finds its own checkpoints, another call (other data, other parameters) does not
touch them. A fit trains one or more networks one after the other (the shared network,
then the fine-tuning of every task, say); each is a *stage* with one file. After every
training epoch the stage's file is replaced (atomically) by the whole skorch net (module,
optimiser, history, callbacks with their best-epoch states, the batch sampler's
generator) and the torch random state; when a stage ends, its file holds the trained
net. Run the same fit again and finished stages are read back, the interrupted one
continues from its last finished epoch, and on CPU the result equals an uninterrupted
fit's bit for bit (with an int ``random_state``). A fit that finishes removes its folder.

The files are pickles: load checkpoints only from a folder you trust, as with any
pickle.
"""

import hashlib
import inspect
import pickle
import shutil
import warnings
from pathlib import Path

import numpy as np
import torch
from skorch.callbacks import Callback

from .._files import write_atomic
from ..data.mapped import row_blocks

__all__ = ["CheckpointStore", "TrainingCheckpoint", "fit_fingerprint"]

_FORMAT = 1

# Parameters that do not change what a fit computes.
_IGNORED_PARAMS = frozenset({"checkpoint_dir", "verbose"})


def _stable(value):
    """A text form of ``value`` that is the same in every process (no addresses)."""
    if isinstance(value, (str, bytes, bool, int, float, complex, type(None))):
        return repr(value)
    if isinstance(value, np.generic):
        return repr(value.item())
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_stable(k)}: {_stable(v)}"
                               for k, v in sorted(value.items(), key=lambda kv: repr(kv[0])))
        + "}"
    if isinstance(value, (list, tuple)):
        return type(value).__name__ + "(" + ", ".join(_stable(v) for v in value) + ")"
    if inspect.isclass(value) or inspect.isfunction(value):
        return f"{value.__module__}.{value.__qualname__}"
    if hasattr(value, "get_params") and not inspect.isclass(value):
        try:
            params = value.get_params(deep=False)
        except TypeError:
            params = value.get_params()
        return f"{type(value).__qualname__}({_stable(params)})"
    if isinstance(value, np.random.RandomState):
        return "RandomState"  # a fit seeded by a RandomState cannot be resumed exactly
    return type(value).__qualname__


def _hash_data(digest, value):
    if isinstance(value, np.ndarray) and value.dtype != object:
        digest.update(f"{value.dtype.str}{value.shape}".encode())
        for block in row_blocks(value if value.ndim else value.reshape(1)):
            digest.update(memoryview(np.ascontiguousarray(block)).cast("B"))
    elif isinstance(value, (list, tuple)) or (isinstance(value, np.ndarray)):
        digest.update(f"seq{len(value)}".encode())
        for item in value:
            _hash_data(digest, item)
    elif isinstance(value, dict):
        for key in sorted(value, key=repr):
            digest.update(repr(key).encode())
            _hash_data(digest, value[key])
    else:
        digest.update(repr(value).encode())


def fit_fingerprint(estimator, *data):
    """Hash of an estimator's parameters and its training data.

    Parameters
    ----------
    estimator : BaseEstimator
    *data
        Arrays, lists of arrays and dicts of them; hashed by value.

    Returns
    -------
    str
        16 hexadecimal digits.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> from sktsmtl.training.checkpoint import fit_fingerprint
    >>> X = np.ones((3, 4))
    >>> fit_fingerprint(Ridge(), X) == fit_fingerprint(Ridge(), X.copy())
    True
    >>> fit_fingerprint(Ridge(), X) == fit_fingerprint(Ridge(alpha=2.0), X)
    False
    """
    params = {k: v for k, v in estimator.get_params(deep=False).items()
              if k not in _IGNORED_PARAMS}
    digest = hashlib.sha256()
    digest.update(f"{type(estimator).__module__}.{type(estimator).__qualname__}".encode())
    digest.update(_stable(params).encode())
    for part in data:
        _hash_data(digest, part)
    return digest.hexdigest()[:16]


def _stage_file(stage):
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in stage)
    return f"{safe}.ckpt"


class CheckpointStore:
    """The checkpoint files of one fit: ``<directory>/<fingerprint>/<stage>.ckpt``.

    Parameters
    ----------
    directory : path-like
        The ``checkpoint_dir`` of the estimator.
    fingerprint : str
        :func:`fit_fingerprint` of the fit.
    """

    def __init__(self, directory, fingerprint):
        self.directory = Path(directory).expanduser()
        self.path = self.directory / fingerprint

    def load(self, stage):
        """The saved state of ``stage``: a dict (``net``, ``finished``, ``epoch``,
        ``torch_rng``), or None when there is none or it cannot be read (a warning)."""
        path = self.path / _stage_file(stage)
        try:
            payload = path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            state = pickle.loads(payload)
            if not isinstance(state, dict) or state.get("format") != _FORMAT:
                raise ValueError("not a checkpoint of this version")
        except Exception as exc:  # a damaged or foreign file: train this stage anew
            warnings.warn(f"ignoring the checkpoint {str(path)!r} ({exc}); the stage "
                          f"{stage!r} is trained from the start.", UserWarning, stacklevel=3)
            return None
        return state

    def save(self, stage, net, finished):
        """Replace ``stage``'s file by ``net`` and the torch random state."""
        self.path.mkdir(parents=True, exist_ok=True)
        state = dict(format=_FORMAT, stage=stage, finished=bool(finished),
                     epoch=len(net.history), net=net, torch_rng=torch.get_rng_state())
        if torch.cuda.is_available() and torch.cuda.is_initialized():
            state["cuda_rng"] = torch.cuda.get_rng_state_all()
        try:
            payload = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            raise TypeError(
                f"checkpoint_dir: the network of stage {stage!r} cannot be saved ({exc}); "
                "every callback must be picklable (no lambdas or open files).") from None
        write_atomic(self.path / _stage_file(stage), payload)

    @staticmethod
    def restore_random_state(state):
        """Set torch's random state to the one saved with ``state``."""
        torch.set_rng_state(state["torch_rng"])
        if "cuda_rng" in state and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state["cuda_rng"])

    def clear(self):
        """Remove this fit's checkpoints (the fit is finished)."""
        shutil.rmtree(self.path, ignore_errors=True)


class TrainingCheckpoint(Callback):
    """Save the net to a :class:`CheckpointStore` at the end of every epoch.

    Put last in the callbacks, so that the saved callbacks hold the epoch's updates
    (the best-epoch state, early-stopping counters).

    Parameters
    ----------
    store : CheckpointStore
    stage : str
        Name of the training stage in the store.
    """

    def __init__(self, store, stage):
        self.store = store
        self.stage = stage

    def on_epoch_end(self, net, **kwargs):
        self.store.save(self.stage, net, finished=False)
