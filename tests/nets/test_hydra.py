import numpy as np
import pytest
import torch

from sktsmtl.nets import Hydra
from sktsmtl.nets.hydra import hydra_dilations


def _naive_counts(hydra, x):
    """Hydra's counts by loops over series, kernels and time steps (numpy)."""
    k, per_part = hydra.kernels_per_group, hydra.n_groups // 2
    counts = []
    for d_index, dilation in enumerate(hydra.dilations):
        for part, series in enumerate([x, np.diff(x, axis=-1)]):
            weight = hydra.weight[d_index, part, :, 0].numpy()  # (groups * k, 9)
            n, _, length = series.shape
            padded = np.pad(series[:, 0], ((0, 0), (4 * dilation, 4 * dilation)))
            out = np.zeros((n, len(weight), length))
            for t in range(length):
                window = padded[:, t:t + 8 * dilation + 1:dilation]
                out[:, :, t] = window @ weight.T
            out = out.reshape(n, per_part, k, length)
            soft, hard = np.zeros((n, per_part, k)), np.zeros((n, per_part, k))
            for i in range(n):
                for g in range(per_part):
                    for t in range(length):
                        best = out[i, g, :, t].argmax()
                        soft[i, g, best] += out[i, g, best, t]
                        hard[i, g, out[i, g, :, t].argmin()] += 1
            counts += [soft, hard]
    return np.concatenate(counts, 1).reshape(len(x), -1)


def test_counts_equal_a_loop_over_time_steps():
    x = np.random.default_rng(0).normal(size=(3, 1, 40)).cumsum(-1)
    hydra = Hydra(40, n_groups=4, kernels_per_group=3, random_state=1)
    assert hydra.dilations == [1, 2, 4] and hydra.n_features == 3 * 2 * 2 * 2 * 3
    got = hydra(torch.as_tensor(x, dtype=torch.float32)).numpy()
    np.testing.assert_allclose(got, _naive_counts(hydra, x), rtol=1e-4, atol=1e-4)


def test_every_time_step_is_counted_once_per_group():
    x = torch.randn(5, 2, 60)
    hydra = Hydra(60, in_channels=2, n_groups=6, random_state=0)
    counts = hydra(x).reshape(5, len(hydra.dilations), 2, 2, 3, 8)  # dil, part, soft/hard
    hard = counts[:, :, :, 1].sum(-1)
    assert torch.equal(hard[:, :, 0], torch.full((5, len(hydra.dilations), 3), 60.0))
    assert torch.equal(hard[:, :, 1], torch.full((5, len(hydra.dilations), 3), 59.0))


def test_the_seed_sets_every_kernel_and_the_weights_are_normalised():
    a, b = Hydra(50, random_state=3), Hydra(50, random_state=3)
    assert torch.equal(a.weight, b.weight)
    assert not torch.equal(a.weight, Hydra(50, random_state=4).weight)
    np.testing.assert_allclose(a.weight.sum(-1).numpy(), 0, atol=1e-6)
    np.testing.assert_allclose(a.weight.abs().sum(-1).numpy(), 1, rtol=1e-5)
    restored = Hydra(50, random_state=9)
    restored.load_state_dict(a.state_dict())
    x = torch.randn(2, 1, 50)
    assert torch.equal(restored(x), a(x))


def test_dilations_and_bad_input():
    assert hydra_dilations(9).tolist() == [1]
    assert hydra_dilations(17).tolist() == [1, 2]
    assert hydra_dilations(2).tolist() == [1]
    with pytest.raises(ValueError, match="n_groups"):
        Hydra(20, n_groups=0)
    with pytest.raises(ValueError, match=r"\(n, 1, L\); got \(2, 3, 20\)"):
        Hydra(20)(torch.zeros(2, 3, 20))
    one_group = Hydra(20, n_groups=1, kernels_per_group=4, random_state=0)
    assert one_group(torch.randn(2, 1, 20)).shape == (2, len(one_group.dilations) * 2 * 4)
