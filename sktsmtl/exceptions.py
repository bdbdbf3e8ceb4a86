"""Warnings and errors of the package that users may want to catch by class."""

__all__ = ["FitInterruptedWarning"]


class FitInterruptedWarning(UserWarning):
    """A fit stopped by an interrupt (Ctrl-C, SIGTERM) before it finished.

    The estimator keeps what it had trained so far and sets ``interrupted_ = True``;
    it predicts, but it is not the model that the full fit would have given.

    Examples
    --------
    >>> import warnings
    >>> from sktsmtl.exceptions import FitInterruptedWarning
    >>> warnings.simplefilter("error", FitInterruptedWarning)  # an interrupt then raises
    >>> warnings.resetwarnings()
    """
