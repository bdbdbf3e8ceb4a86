"""Renamed parameters: the old name keeps working, with a ``FutureWarning``, for one
release (scikit-learn's habit)."""

import warnings

#: Default of a renamed parameter's old name: "not given".
DEPRECATED = "deprecated"

#: The release that removes the old names deprecated in this one.
REMOVAL = "0.3"


def renamed(old_name, old_value, new_name, new_value, owner):
    """The value to use for a renamed parameter, warning when the old name was given.

    Parameters
    ----------
    old_name, new_name : str
    old_value : object
        The old name's argument; :data:`DEPRECATED` when not given.
    new_value : object
        The new name's argument.
    owner : str
        The function or class, for the message.

    Returns
    -------
    object
        ``old_value`` when it was given, else ``new_value``.

    Examples
    --------
    >>> import warnings
    >>> from sktsmtl._deprecation import renamed
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     renamed("epochs", 5, "max_epochs", 100, "f")
    5
    >>> print(caught[0].message)
    f: 'epochs' was renamed 'max_epochs' in 0.2 and will be removed in 0.3; use max_epochs=5.
    """
    if isinstance(old_value, str) and old_value == DEPRECATED:
        return new_value
    warnings.warn(f"{owner}: {old_name!r} was renamed {new_name!r} in 0.2 and will be "
                  f"removed in {REMOVAL}; use {new_name}={old_value!r}.", FutureWarning,
                  stacklevel=3)
    return old_value
