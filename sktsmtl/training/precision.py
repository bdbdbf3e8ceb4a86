"""Mixed precision: the ``precision`` parameter of the network estimators.

``"bfloat16"`` runs the convolutions and matrix products under :func:`torch.autocast`
(oneDNN's bfloat16 kernels on CPUs with AVX512-BF16 or AMX, tensor cores on CUDA) while
the weights, the optimiser state, the losses and the batch-norm statistics stay float32.
``"auto"`` takes bfloat16 where the hardware runs it natively and float32 elsewhere.
"""

import contextlib
import functools

import torch

__all__ = ["PRECISIONS", "autocast", "cpu_has_native_bfloat16", "resolve_precision"]

#: Accepted values of the ``precision`` parameter.
PRECISIONS = ("float32", "bfloat16", "auto")


@functools.lru_cache(maxsize=1)
def cpu_has_native_bfloat16():
    """Whether this CPU computes bfloat16 products natively (AVX512-BF16 or AMX).

    Without them oneDNN emulates bfloat16 through float32 and gains nothing.

    Returns
    -------
    bool

    Examples
    --------
    >>> from sktsmtl.training.precision import cpu_has_native_bfloat16
    >>> isinstance(cpu_has_native_bfloat16(), bool)
    True
    """
    try:
        with open("/proc/cpuinfo") as f:
            flags = set()
            for line in f:
                if line.startswith("flags"):
                    flags.update(line.split(":", 1)[1].split())
                    break
    except OSError:  # not Linux: no way to tell here, so no bfloat16 by default
        return False
    return bool({"avx512_bf16", "amx_bf16"} & flags)


def resolve_precision(precision, device):
    """The autocast dtype of a ``precision`` value on a device, or None for float32.

    Parameters
    ----------
    precision : {"float32", "bfloat16", "auto"}
    device : str
        A resolved torch device (``"cpu"``, ``"cuda"``, ``"cuda:1"``).

    Returns
    -------
    torch.dtype or None

    Examples
    --------
    >>> import torch
    >>> from sktsmtl.training.precision import resolve_precision
    >>> resolve_precision("float32", "cpu") is None
    True
    >>> resolve_precision("bfloat16", "cpu")
    torch.bfloat16
    """
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}.")
    if precision == "float32":
        return None
    kind = torch.device(device).type
    if precision == "bfloat16":
        if kind == "cuda" and not torch.cuda.is_bf16_supported():
            raise ValueError(f"precision='bfloat16': the GPU of device {device!r} does not "
                             "support bfloat16; use 'float32' or 'auto'.")
        return torch.bfloat16
    if kind == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else None
    if kind == "cpu":
        return torch.bfloat16 if cpu_has_native_bfloat16() else None
    return None


def autocast(device, dtype):
    """:func:`torch.autocast` on ``device`` with ``dtype``; a no-op context for None.

    Parameters
    ----------
    device : str or torch.device
    dtype : torch.dtype or None

    Returns
    -------
    context manager
    """
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type=torch.device(device).type, dtype=dtype)
