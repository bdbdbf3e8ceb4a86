"""What an interrupt (Ctrl-C, SIGTERM) during training does.

skorch ends a fit early on a ``KeyboardInterrupt`` and returns the net as if it were
trained: convenient at a prompt, wrong inside a benchmark, where such a net would be
scored and stored as a finished result. Here an interrupt is told apart from the
``KeyboardInterrupt`` that skorch's ``EarlyStopping`` raises to stop on purpose, the
net records it (``interrupted_``), and code that must never keep a cut-short fit runs
inside :func:`propagate_interrupts`, where the interrupt goes on up instead.
"""

import contextlib
import contextvars

__all__ = ["interrupts_propagate", "propagate_interrupts", "stopped_by_callback"]

_PROPAGATE = contextvars.ContextVar("sktsmtl_propagate_interrupts", default=False)


@contextlib.contextmanager
def propagate_interrupts():
    """Inside this block an interrupt during training is raised, not absorbed.

    Examples
    --------
    >>> from sktsmtl.training.interrupts import interrupts_propagate, propagate_interrupts
    >>> with propagate_interrupts():
    ...     interrupts_propagate()
    True
    >>> interrupts_propagate()
    False
    """
    token = _PROPAGATE.set(True)
    try:
        yield
    finally:
        _PROPAGATE.reset(token)


def interrupts_propagate():
    """Whether the caller is inside :func:`propagate_interrupts`.

    Returns
    -------
    bool
    """
    return _PROPAGATE.get()


def stopped_by_callback(net):
    """Whether a callback of ``net`` ended training on purpose (early stopping).

    skorch's ``EarlyStopping`` (and its subclasses) raise ``KeyboardInterrupt`` when
    their patience runs out; they are recognised by their counters.

    Parameters
    ----------
    net : skorch.NeuralNet
        An initialised net.

    Returns
    -------
    bool
    """
    for _, callback in getattr(net, "callbacks_", []):
        misses = getattr(callback, "misses_", None)
        patience = getattr(callback, "patience", None)
        if isinstance(misses, int) and isinstance(patience, int) and misses >= patience:
            return True
    return False
