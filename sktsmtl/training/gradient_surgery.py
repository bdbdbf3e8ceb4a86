"""Gradient surgery between tasks: PCGrad (Yu et al. 2020, "Gradient Surgery for
Multi-Task Learning").

When two tasks' gradients on the shared weights point against each other (negative
inner product), their sum can shrink both tasks' progress. PCGrad projects each task's
gradient onto the normal plane of every other task's gradient it conflicts with, in a
random order, and sums the projected gradients. Gradients that do not conflict are left
as they are, so without conflict the result is the plain sum.
"""

import torch

__all__ = ["pcgrad"]


def pcgrad(grads, generator=None):
    """Combine per-task gradients of the shared weights with PCGrad.

    Parameters
    ----------
    grads : list of Tensor of shape (P,)
        One flattened gradient per task.
    generator : torch.Generator, default=None
        Source of the random order in which each gradient is projected.

    Returns
    -------
    Tensor of shape (P,)
        ``sum_i g_i'``, where ``g_i'`` is ``g_i`` projected, for every other task ``j``
        in random order with ``g_i' . g_j < 0``, as ``g_i' - (g_i' . g_j) / |g_j|^2 g_j``.

    Examples
    --------
    Two conflicting gradients each lose their component along the other:

    >>> import torch
    >>> from sktsmtl.training.gradient_surgery import pcgrad
    >>> pcgrad([torch.tensor([1.0, 1.0]), torch.tensor([-1.0, 0.0])])
    tensor([-0.5000,  1.5000])
    >>> pcgrad([torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0])])  # no conflict
    tensor([1., 1.])
    """
    if not grads:
        raise ValueError("pcgrad needs at least one gradient.")
    originals = [g.detach() for g in grads]
    projected = []
    for i, g in enumerate(originals):
        g = g.clone()
        others = [j for j in range(len(originals)) if j != i]
        order = torch.randperm(len(others), generator=generator).tolist()
        for pos in order:
            h = originals[others[pos]]
            dot = torch.dot(g, h)
            if dot < 0:
                g = g - dot / h.dot(h).clamp_min(1e-20) * h
        projected.append(g)
    return torch.stack(projected).sum(dim=0)
