"""The classifier-sharing loss of MTCS (Wang et al. 2022, equations 3-6).

Every task has a linear head ``W_t`` (``C_t x D``) on the shared representation. On a
batch, every head is applied to the same inputs; for an ordered task pair ``(j, k)``:

* the affinity ``A = mean_x p_j(x) (outer) p_k(x)``, ``C_j x C_k`` (eq. 4);
* class ``p`` of task j and class ``q`` of task k are relevant when
  ``C_j * C_k * A[p, q] / sum(A) > tau``: more than ``tau`` times the uniform
  co-occurrence (eq. 5);
* the sharing loss pulls the weight rows of relevant classes together:
  ``(1 / (C_j C_k)) * sum over relevant (p, q) of ||W_k[q] - W_j[p]||^2`` (eq. 3);
* the total adds ``alpha * sum_k sum_{j != k}`` of these to the cross-entropy (eq. 6).

The relevance is a threshold, so no gradient flows through the affinity: the sharing
loss moves the heads' weights only, never the encoder.
"""

import numbers

import torch
from torch import nn

__all__ = ["task_affinity", "relevance_mask", "pair_sharing_loss", "ClassifierSharingLoss"]


def _check_tau(tau):
    if isinstance(tau, bool) or not isinstance(tau, numbers.Real) or not tau > 0:
        raise ValueError(f"tau must be a positive number, got {tau!r}.")
    return float(tau)


def task_affinity(p_j, p_k):
    """Affinity of two heads' class probabilities on the same inputs (MTCS eq. 4).

    Parameters
    ----------
    p_j : Tensor of shape (B, C_j)
        Class probabilities of task j's head.
    p_k : Tensor of shape (B, C_k)
        Class probabilities of task k's head on the same ``B`` inputs, in the same order.

    Returns
    -------
    Tensor of shape (C_j, C_k)
        ``A[p, q] = mean_b p_j[b, p] * p_k[b, q]``. For probability rows ``A`` sums to 1:
        it is the joint distribution of the two heads' predicted classes.

    Raises
    ------
    ValueError
        If the inputs are not 2D or hold different numbers of rows (or none).

    Examples
    --------
    >>> import torch
    >>> from sktsmtl.nets import task_affinity
    >>> p_j = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    >>> p_k = torch.tensor([[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]])
    >>> task_affinity(p_j, p_k)
    tensor([[0.2500, 0.2500, 0.0000],
            [0.0000, 0.0000, 0.5000]])
    """
    if p_j.dim() != 2 or p_k.dim() != 2:
        raise ValueError(
            "task_affinity needs two (B, C) probability matrices; got shapes "
            f"{tuple(p_j.shape)} and {tuple(p_k.shape)}."
        )
    if p_j.shape[0] != p_k.shape[0] or p_j.shape[0] == 0:
        raise ValueError(
            "the two heads' probabilities must cover the same non-empty batch; got "
            f"{p_j.shape[0]} and {p_k.shape[0]} rows."
        )
    return p_j.transpose(0, 1) @ p_k / p_j.shape[0]


def relevance_mask(affinity, tau=2.0):
    """Relevant class pairs of an affinity matrix (MTCS eq. 5).

    Parameters
    ----------
    affinity : Tensor of shape (C_j, C_k)
        Non-negative affinity, from :func:`task_affinity`.
    tau : float, default=2.0
        Threshold, in multiples of the uniform co-occurrence ``sum(A) / (C_j C_k)``.

    Returns
    -------
    Tensor of shape (C_j, C_k), dtype bool
        True where ``C_j * C_k * A[p, q] / sum(A) > tau``. No gradient; an all-zero
        affinity has no relevant pair.

    Raises
    ------
    ValueError
        If ``affinity`` is not 2D or ``tau`` is not positive.

    Examples
    --------
    >>> import torch
    >>> from sktsmtl.nets import relevance_mask
    >>> relevance_mask(torch.tensor([[0.6, 0.1], [0.1, 0.2]]))
    tensor([[ True, False],
            [False, False]])
    """
    tau = _check_tau(tau)
    if affinity.dim() != 2:
        raise ValueError(f"affinity must be 2D (C_j, C_k), got shape {tuple(affinity.shape)}.")
    with torch.no_grad():
        n_pairs = affinity.shape[0] * affinity.shape[1]
        # compared as n_pairs * A > tau * sum(A): no division, so a zero sum gives no pair
        return n_pairs * affinity > tau * affinity.sum()


def pair_sharing_loss(W_k, W_j, mask):
    """Weight-sharing loss of one ordered task pair (MTCS eq. 3).

    Parameters
    ----------
    W_k : Tensor of shape (C_k, D)
        Head weights of task k, one row per class.
    W_j : Tensor of shape (C_j, D)
        Head weights of task j.
    mask : Tensor of shape (C_j, C_k), dtype bool
        Relevant class pairs, indexed ``[p, q]`` with ``p`` a class of task j and ``q``
        of task k (:func:`relevance_mask` of the ``(j, k)`` affinity).

    Returns
    -------
    Tensor (scalar)
        ``(1 / (C_j C_k)) * sum over relevant (p, q) of ||W_k[q] - W_j[p]||^2``; exactly
        0 when no pair is relevant.

    Raises
    ------
    ValueError
        If the shapes do not fit together.

    Examples
    --------
    >>> import torch
    >>> from sktsmtl.nets import pair_sharing_loss
    >>> W_k = torch.tensor([[0.0, 0.0], [0.0, 3.0]])
    >>> W_j = torch.tensor([[1.0, 0.0]])
    >>> pair_sharing_loss(W_k, W_j, torch.tensor([[True, False]]))
    tensor(0.5000)
    """
    if W_k.dim() != 2 or W_j.dim() != 2 or W_k.shape[1] != W_j.shape[1]:
        raise ValueError(
            "W_k and W_j must be (C, D) matrices with the same D; got shapes "
            f"{tuple(W_k.shape)} and {tuple(W_j.shape)}."
        )
    expected = (W_j.shape[0], W_k.shape[0])
    if tuple(mask.shape) != expected:
        raise ValueError(
            f"mask must have shape (C_j, C_k) = {expected}, got {tuple(mask.shape)}."
        )
    # squared distances of every (p, q) pair of rows, exact (cdist's gradient is
    # undefined at distance 0)
    squared = (W_j.unsqueeze(1) - W_k.unsqueeze(0)).square().sum(dim=-1)  # (C_j, C_k)
    return (squared * mask.to(squared.dtype)).sum() / (expected[0] * expected[1])


class ClassifierSharingLoss(nn.Module):
    """The weighted sum of the sharing losses over all ordered task pairs (MTCS eq. 6).

    ``forward(logits_per_head, weights_per_head)`` returns
    ``alpha * sum_k sum_{j != k} L_share^(k, j)``, the second term of eq. 6, with each
    pair's relevance taken from the affinity of the heads' softmax outputs on the batch
    (eq. 4-5). Add it to the cross-entropy of the batch's own task.

    Decisions left open by the paper:

    * The probabilities are detached: the relevance is a threshold, so it carries no
      gradient anyway, and the loss moves the head weights only.
    * The affinity uses the logits it is given. The training layer passes those of the
      training forward pass (the batch's embedding fed to every head, train mode, with
      the encoder's masking and dropout), which costs no second forward pass; the
      inputs are the current batch, a batch of one task under Algorithm 2.
    * Weights only (eq. 3 uses ``W``); ``include_bias=True`` appends each head's bias
      as an extra column when the heads are given as :class:`torch.nn.Linear`.
    * ``||.||^2`` sums over the ``D`` features (the paper's "MSE" would divide by
      ``D``: a constant that ``alpha`` absorbs).
    * ``L^(k, j) = L^(j, k)`` (the (k, j) affinity is the transpose of the (j, k) one,
      so is its mask, and the distances are symmetric): each unordered pair is computed
      once and counted twice, as the double sum of eq. 6 counts it.

    Parameters
    ----------
    alpha : float, default=0.1
        Weight of the sharing term; 0 switches it off.
    tau : float, default=2.0
        Relevance threshold of eq. 5.
    include_bias : bool, default=False
        Whether the heads' biases take part in the distance.

    Raises
    ------
    ValueError
        If ``alpha < 0`` or ``tau <= 0``.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from sktsmtl.nets import ClassifierSharingLoss
    >>> heads = [nn.Linear(8, 2), nn.Linear(8, 3)]
    >>> z = torch.randn(5, 8)
    >>> loss = ClassifierSharingLoss(alpha=0.1)
    >>> value = loss([h(z) for h in heads], [h.weight for h in heads])
    >>> value.dim(), bool(value >= 0)
    (0, True)
    >>> sorted(loss.affinities([h(z) for h in heads]))
    [(0, 1), (1, 0)]
    """

    def __init__(self, alpha=0.1, tau=2.0, include_bias=False):
        super().__init__()
        if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not alpha >= 0:
            raise ValueError(f"alpha must be a number >= 0, got {alpha!r}.")
        self.alpha = float(alpha)
        self.tau = _check_tau(tau)
        self.include_bias = bool(include_bias)

    def _weight_matrix(self, head, t):
        if isinstance(head, nn.Linear):
            if self.include_bias and head.bias is not None:
                return torch.cat([head.weight, head.bias.unsqueeze(1)], dim=1)
            return head.weight
        if not isinstance(head, torch.Tensor):
            raise TypeError(
                f"head {t}: weights must be a (C, D) tensor or an nn.Linear, got "
                f"{type(head).__name__}."
            )
        if self.include_bias:
            raise ValueError(
                "include_bias=True needs the heads as nn.Linear modules (their bias is "
                "read from them); got a tensor."
            )
        return head

    @staticmethod
    def _probabilities(logits_per_head):
        if len(logits_per_head) == 0:
            raise ValueError("logits_per_head is empty: at least one head is needed.")
        batch = logits_per_head[0].shape[0] if logits_per_head[0].dim() == 2 else None
        for t, logits in enumerate(logits_per_head):
            if logits.dim() != 2 or logits.shape[0] != batch:
                raise ValueError(
                    f"head {t}: logits must be (B, C_t) with the same B for every head "
                    f"(one batch fed to all heads); got shape {tuple(logits.shape)}."
                )
        with torch.no_grad():
            return [torch.softmax(logits, dim=1) for logits in logits_per_head]

    def affinities(self, logits_per_head):
        """Affinity of every ordered pair of heads on a batch (eq. 4), for inspection.

        Parameters
        ----------
        logits_per_head : list of Tensor
            ``(B, C_t)`` logits of every head on the same batch.

        Returns
        -------
        dict of {(int, int): Tensor}
            ``(j, k) -> (C_j, C_k)`` affinity for every ``j != k``, without gradient.
        """
        probas = self._probabilities(logits_per_head)
        n = len(probas)
        return {(j, k): task_affinity(probas[j], probas[k])
                for j in range(n) for k in range(n) if j != k}

    def forward(self, logits_per_head, weights_per_head):
        """Sharing term of the loss on one batch.

        Parameters
        ----------
        logits_per_head : list of Tensor
            ``(B, C_t)`` logits of every head on the same batch.
        weights_per_head : list of Tensor or torch.nn.Linear
            ``(C_t, D)`` weight matrix of every head, in the same order (or the heads
            themselves).

        Returns
        -------
        Tensor (scalar)
            ``alpha * sum_k sum_{j != k} L_share^(k, j)``.
        """
        if len(weights_per_head) != len(logits_per_head):
            raise ValueError(
                f"got logits of {len(logits_per_head)} heads but weights of "
                f"{len(weights_per_head)}."
            )
        probas = self._probabilities(logits_per_head)
        weights = [self._weight_matrix(w, t) for t, w in enumerate(weights_per_head)]
        for t, (p, w) in enumerate(zip(probas, weights)):
            if w.dim() != 2 or w.shape[0] != p.shape[1]:
                raise ValueError(
                    f"head {t}: weights must be (C_t, D) with C_t = {p.shape[1]} (its "
                    f"logits' classes); got shape {tuple(w.shape)}."
                )
        total = weights[0].new_zeros(())
        for j in range(len(weights)):
            for k in range(j + 1, len(weights)):
                mask = relevance_mask(task_affinity(probas[j], probas[k]), self.tau)
                total = total + pair_sharing_loss(weights[k], weights[j], mask)
        return (2.0 * self.alpha) * total
