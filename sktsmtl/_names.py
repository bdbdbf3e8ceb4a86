"""The one rule by which every registry of the package (backbones, benchmark methods,
task groups, protocols) finds a name: case, spaces, ``_`` and ``-`` do not count."""

__all__ = ["lookup_key"]


def lookup_key(name):
    """The key under which a registry files ``name``.

    Parameters
    ----------
    name : str

    Returns
    -------
    str

    Examples
    --------
    >>> from sktsmtl._names import lookup_key
    >>> lookup_key(" ResNet1D_MTL "), lookup_key("resnet1d-mtl"), lookup_key("Basic Motions")
    ('resnet1dmtl', 'resnet1dmtl', 'basicmotions')
    """
    return "".join(ch for ch in str(name).casefold() if ch not in "_- \t")
