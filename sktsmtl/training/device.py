"""Device choice and seeding policy of the training layer."""

import numpy as np
import torch

__all__ = ["resolve_device", "seed_sequence"]


def resolve_device(device):
    """Turn ``"auto"`` into ``"cuda"`` when a GPU is present, else ``"cpu"``.

    Parameters
    ----------
    device : str or torch.device
        ``"cpu"``, ``"cuda"``, ``"cuda:N"``, ``"auto"`` or a ``torch.device``.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        For an unknown name, or a CUDA device where torch has none.
    """
    if isinstance(device, torch.device):
        device = str(device)
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if not isinstance(device, str) or not (device == "cpu" or device.startswith("cuda")):
        raise ValueError(f"device must be 'cpu', 'cuda' or 'auto'; got {device!r}.")
    if device.startswith("cuda"):
        if not torch.cuda.is_available():
            why = ("this torch build has no CUDA support" if torch.version.cuda is None
                   else "torch finds no usable GPU")
            raise ValueError(
                f"device={device!r} but {why}; use device='cpu', or device='auto' to take "
                "a GPU only where there is one."
            )
        index = device.partition(":")[2]
        if index and (not index.isdigit() or int(index) >= torch.cuda.device_count()):
            raise ValueError(
                f"device={device!r}: there are {torch.cuda.device_count()} GPU(s), "
                f"numbered 0 to {torch.cuda.device_count() - 1}."
            )
    return device


def seed_sequence(random_state, n):
    """Draw ``n`` independent integer seeds from one ``random_state``.

    One seed each for the weights, the validation split and the batch sampler, so that
    a fit is repeatable to the bit on CPU without touching the global RNGs.

    Parameters
    ----------
    random_state : int, numpy Generator, RandomState or None
    n : int

    Returns
    -------
    list of int
    """
    if isinstance(random_state, np.random.RandomState):
        random_state = random_state.randint(2**31 - 1)
    rng = np.random.default_rng(random_state)
    return [int(s) for s in rng.integers(0, 2**31 - 1, size=n)]
