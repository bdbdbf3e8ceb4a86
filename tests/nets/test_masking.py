import pytest
import torch

from sktsmtl.nets.masking import MaskedBatchNorm1d, length_mask


def test_length_mask_on_cpu_validates_and_takes_the_fast_path():
    assert length_mask(None, 4) is None
    assert length_mask(torch.tensor([4, 4]), 4) is None
    assert length_mask(torch.tensor([2, 4]), 4).tolist() == [[True, True, False, False],
                                                             [True, True, True, True]]
    with pytest.raises(ValueError, match=r"lengths must lie in \[1, 4\]"):
        length_mask(torch.tensor([0, 4]), 4)
    with pytest.raises(ValueError, match="lengths must be 1D"):
        length_mask(torch.tensor([[2]]), 4)


def test_length_mask_on_an_accelerator_reads_nothing_back():
    # the meta device stands in for a GPU: any read-back of values would raise there
    lengths = torch.tensor([2, 4], device="meta")
    mask = length_mask(lengths, 4)
    assert mask.device.type == "meta" and mask.shape == (2, 4) and mask.dtype == torch.bool
    # full lengths still give a mask: deciding the fast path would need the values
    assert length_mask(torch.tensor([4, 4], device="meta"), 4) is not None


def test_masked_batch_norm_statistics_use_valid_positions_only():
    torch.manual_seed(0)
    bn = MaskedBatchNorm1d(2, momentum=1.0)
    x = torch.randn(3, 2, 5)
    mask = length_mask(torch.tensor([5, 3, 1]), 5).unsqueeze(1)
    bn(x * mask + 100.0 * ~mask, mask)
    valid = x.transpose(0, 1)[:, mask.squeeze(1)]  # (C, n_valid)
    torch.testing.assert_close(bn.running_mean, valid.mean(dim=1))
    torch.testing.assert_close(bn.running_var, valid.var(dim=1, unbiased=True))
