"""ConvTimeNet: shapes, deformable patches, re-parameterisation, padding-aware pooling."""

import pytest
import torch
from torch.nn import functional as F

from sktsmtl.nets import ConvTimeNet
from sktsmtl.nets.convtimenet import ConvTimeNetBlock, DeformablePatchEmbedding, patch_counts

SMALL = dict(patch_size=4, patch_stride=2, d_model=8, d_ff=16, kernel_sizes=(5, 7))


def _state(net):
    return {k: v.clone() for k, v in net.state_dict().items()}


def _perturb_offsets(net, scale=0.5, shift=3.0):
    """Give the offset predictor non-zero output so windows really move and stretch,
    far enough (``shift``) to run past the end of the series."""
    torch.manual_seed(1)
    with torch.no_grad():
        last = net.patch_embedding.offset_predictor[-1]
        last.weight.normal_(0, scale)
        last.bias.normal_(0, scale)
        last.bias[0] += shift


def test_default_architecture():
    net = ConvTimeNet()
    assert net.embedding_dim == 64
    assert [b.kernel_size for b in net.blocks] == [19, 19, 29, 29, 37, 37]
    assert all(b.small_kernel == 3 for b in net.blocks)
    assert net.blocks[0].ffn[0].out_channels == 256
    emb = net.patch_embedding
    assert (emb.patch_size, emb.patch_stride) == (16, 8)
    assert emb.offset_predictor[0].out_channels == 64
    assert emb.offset_predictor[-1].out_channels == 2
    assert emb.projection.in_features == 16
    # learnable residual weights start at 0.5
    assert net.blocks[0].conv_scale.item() == 0.5 and net.blocks[0].ffn_scale.item() == 0.5
    # depthwise convolutions
    assert net.blocks[0].large_conv.groups == 64
    assert net(torch.randn(2, 1, 100)).shape == (2, 64)


def test_multivariate_patches_span_channels():
    # the projection reads C x P values per patch: changing one channel changes the output
    torch.manual_seed(0)
    net = ConvTimeNet(in_channels=3, **SMALL).eval()
    x = torch.randn(2, 3, 20)
    x2 = x.clone()
    x2[:, 2] += 1.0
    assert net.patch_embedding.projection.in_features == 3 * 4
    assert not torch.allclose(net(x), net(x2))


def test_patch_counts():
    counts = patch_counts(torch.tensor([1, 4, 5, 6, 7, 20]), 4, 2)
    assert counts.tolist() == [1, 1, 2, 2, 3, 9]
    # the counted patches cover the series and the last one starts inside it
    for length, n in zip([1, 4, 5, 6, 7, 20], counts.tolist()):
        assert (n - 1) * 2 + 4 >= length
        assert (n - 1) * 2 < length


def test_deformable_init_equals_regular_patches():
    torch.manual_seed(0)
    emb = DeformablePatchEmbedding(3, 8, patch_size=5, patch_stride=3)
    x = torch.randn(2, 3, 17)
    patches, positions, counts = emb.sample_patches(x)
    n = int(counts.max())
    covered = (n - 1) * 3 + 5
    regular = F.pad(x, (0, covered - 17)).unfold(2, 5, 3).transpose(1, 2)  # (B, N, C, P)
    assert patches.shape == regular.shape == (2, n, 3, 5)
    torch.testing.assert_close(patches, regular, rtol=0, atol=0)
    expected = (torch.arange(n)[:, None] * 3 + torch.arange(5)[None, :]).float()
    torch.testing.assert_close(positions, expected.expand(2, -1, -1), rtol=0, atol=0)


def test_plain_patches_when_not_deformable():
    emb = DeformablePatchEmbedding(2, 8, patch_size=4, patch_stride=4, deformable=False)
    assert emb.offset_predictor is None
    x = torch.randn(3, 2, 12)
    patches = emb.sample_patches(x)[0]
    torch.testing.assert_close(patches, x.unfold(2, 4, 4).transpose(1, 2))
    net = ConvTimeNet(deformable=False, **SMALL)
    assert net.patch_embedding.offset_predictor is None
    assert net(torch.randn(2, 1, 12)).shape == (2, 8)


def test_offsets_move_the_windows():
    torch.manual_seed(0)
    net = ConvTimeNet(in_channels=2, **SMALL)
    x = torch.randn(2, 2, 20)
    before = net.patch_embedding.sample_patches(x)[1]
    _perturb_offsets(net)
    after = net.patch_embedding.sample_patches(x)[1]
    assert not torch.allclose(before, after)
    # positions stay on the padded series
    assert after.min().item() >= 0 and after.max().item() <= 19


def test_gradients_reach_offset_predictor():
    torch.manual_seed(0)
    net = ConvTimeNet(in_channels=2, **SMALL)
    x = torch.randn(4, 2, 20)
    predictor = net.patch_embedding.offset_predictor
    net(x).square().sum().backward()
    # the zero-initialised last layer gets a gradient at initialisation ...
    assert predictor[-1].weight.grad.abs().sum() > 0
    assert predictor[-1].bias.grad.abs().sum() > 0
    # ... and once it has moved, the gradient reaches the first layer too
    with torch.no_grad():
        predictor[-1].weight -= 0.1 * predictor[-1].weight.grad
    net.zero_grad()
    net(x).square().sum().backward()
    assert predictor[0].weight.grad.abs().sum() > 0
    assert all(p.grad is not None for p in net.parameters())


@pytest.mark.parametrize("kernel, small", [(7, 3), (4, 3), (6, 2), (5, 5), (9, 1)])
def test_merged_kernel_equals_two_branches(kernel, small):
    torch.manual_seed(0)
    block = ConvTimeNetBlock(6, 12, kernel_size=kernel, small_kernel=small).eval()
    x = torch.randn(3, 6, 11)
    torch.testing.assert_close(block(x, merged=True), block(x, merged=False),
                               atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("train", [True, False])
def test_reparameterised_net_agrees(train):
    torch.manual_seed(0)
    net = ConvTimeNet(in_channels=2, dropout=0.0, **SMALL)
    _perturb_offsets(net)
    net.train(train)
    x = torch.randn(4, 2, 30)
    lengths = torch.tensor([30, 21, 9, 2])
    state = _state(net)
    a = net(x, lengths=lengths, merged=True)
    net.load_state_dict(state)
    b = net(x, lengths=lengths, merged=False)
    torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-5)


def test_eval_uses_merged_kernel_and_training_the_branches(monkeypatch):
    net = ConvTimeNet(**SMALL)
    block = net.blocks[0]
    calls = []
    original = block.merged_kernel
    monkeypatch.setattr(block, "merged_kernel", lambda: calls.append(1) or original())
    x = torch.randn(3, 1, 20)
    net.train()
    net(x)
    assert calls == []
    net.eval()
    net(x)
    assert calls == [1]
    net(x, merged=False)
    assert calls == [1]


def test_state_dict_same_in_both_modes_and_restores():
    torch.manual_seed(0)
    net = ConvTimeNet(**SMALL)
    keys_train = set(net.state_dict())
    net.eval()
    x = torch.randn(2, 1, 20)
    out = net(x)
    assert set(net.state_dict()) == keys_train
    assert not any("infer" in k or "merged" in k for k in keys_train)
    clone = ConvTimeNet(**SMALL)
    clone.load_state_dict(net.state_dict())
    torch.testing.assert_close(clone.eval()(x), out)


@pytest.mark.parametrize("train", [True, False])
def test_padding_is_ignored(train):
    torch.manual_seed(0)
    net = ConvTimeNet(in_channels=2, dropout=0.0, **SMALL)
    _perturb_offsets(net)
    net.train(train)
    x = torch.randn(3, 2, 20)
    lengths = torch.tensor([20, 12, 5])
    x2 = x.clone()
    x2[1, :, 12:] = 100.0
    x2[2, :, 5:] = -7.0
    state = _state(net)
    out1 = net(x, lengths=lengths)
    net.load_state_dict(state)  # undo the running-statistics update
    out2 = net(x2, lengths=lengths)
    torch.testing.assert_close(out1, out2, atol=1e-5, rtol=1e-5)


# 14: the last patch ends exactly at the series end (clamping matters); 3, 1: shorter
# than a patch
@pytest.mark.parametrize("length", [13, 14, 3, 1])
def test_padded_equals_unpadded_in_eval(length):
    torch.manual_seed(0)
    net = ConvTimeNet(**SMALL)
    _perturb_offsets(net)
    net.eval()
    x = torch.randn(1, 1, length)
    # a batch with a longer row, so that the short row really is padded
    batch = torch.cat([torch.randn(1, 1, 20),
                       torch.cat([x, torch.randn(1, 1, 20 - length)], dim=-1)])
    out = net(batch, lengths=torch.tensor([20, length]))
    torch.testing.assert_close(out[1:], net(x), atol=1e-5, rtol=1e-5)


def test_patch_embedding_statistics_use_valid_patches_only():
    torch.manual_seed(0)
    net = ConvTimeNet(in_channels=2, **SMALL)
    _perturb_offsets(net)
    emb = net.patch_embedding.train()
    x = torch.randn(3, 2, 20)
    lengths = torch.tensor([20, 11, 6])
    with torch.no_grad():
        patches, _, counts = emb.sample_patches(x, lengths)
        features = F.gelu(emb.projection(patches.flatten(2)))
        valid = torch.arange(patches.shape[1])[None, :] < counts[:, None]
        emb(x, lengths)
    assert not valid.all()
    torch.testing.assert_close(emb.norm.running_mean,
                               emb.norm.momentum * features[valid].mean(0),
                               atol=1e-6, rtol=1e-5)


def test_block_statistics_ignore_invalid_patches():
    # in training mode the batch statistics couple the rows: appending invalid patches
    # must change nothing at the valid ones
    torch.manual_seed(0)
    block = ConvTimeNetBlock(6, 12, kernel_size=5, dropout=0.0).train()
    x = torch.randn(3, 6, 9)
    mask = (torch.arange(9)[None, :] < torch.tensor([9, 4, 1])[:, None]).unsqueeze(1)
    longer = torch.cat([x, torch.randn(3, 6, 5)], dim=-1)
    longer_mask = torch.cat([mask, torch.zeros(3, 1, 5, dtype=torch.bool)], dim=-1)
    state = _state(block)
    out = block(x, mask)
    block.load_state_dict(state)
    out_longer = block(longer, longer_mask)[..., :9]
    torch.testing.assert_close(out * mask, out_longer * mask, atol=1e-5, rtol=1e-5)


def test_padding_beyond_the_longest_row_is_cropped():
    emb = DeformablePatchEmbedding(1, 8, patch_size=4, patch_stride=2)
    patches = emb.sample_patches(torch.randn(2, 1, 30), torch.tensor([9, 5]))[0]
    assert patches.shape[1] == 4  # patch_counts(9)


def test_full_lengths_equal_no_lengths():
    torch.manual_seed(0)
    net = ConvTimeNet(dropout=0.0, **SMALL)
    x = torch.randn(2, 1, 9)
    state = _state(net)
    a = net(x)
    net.load_state_dict(state)
    torch.testing.assert_close(net(x, lengths=torch.tensor([9, 9])), a)


def test_series_shorter_than_a_patch_is_padded_to_one_patch():
    torch.manual_seed(0)
    net = ConvTimeNet(**SMALL).eval()
    x = torch.randn(2, 1, 3)
    assert net.patch_embedding.sample_patches(x)[0].shape == (2, 1, 1, 4)
    torch.testing.assert_close(net(x), net(F.pad(x, (0, 1))))
    # a one-step series works too, in a batch with longer ones
    out = net(torch.randn(2, 1, 10), lengths=torch.tensor([10, 1]))
    assert torch.isfinite(out).all()


@pytest.mark.parametrize("shape", [(5,), (2, 1, 3, 10)])
def test_wrong_dimensions(shape):
    with pytest.raises(ValueError, match=r"\(B, C, L\)"):
        ConvTimeNet(**SMALL)(torch.randn(*shape))


def test_empty_series():
    with pytest.raises(ValueError, match="length"):
        ConvTimeNet(**SMALL)(torch.randn(2, 1, 0))


def test_invalid_lengths():
    net = ConvTimeNet(**SMALL)
    with pytest.raises(ValueError, match="lengths"):
        net(torch.randn(2, 1, 9), lengths=torch.tensor([10, 3]))
    with pytest.raises(ValueError, match="lengths"):
        net(torch.randn(2, 1, 9), lengths=torch.tensor([0, 3]))
    with pytest.raises(ValueError, match="lengths"):
        net(torch.randn(2, 1, 9), lengths=torch.tensor([[9, 3]]))


@pytest.mark.parametrize("params, match", [
    (dict(patch_size=0), "patch_size"),
    (dict(patch_size=4, patch_stride=5), "patch_stride"),
    (dict(patch_stride=0), "patch_stride"),
    (dict(d_model=0), "d_model"),
    (dict(d_ff=0), "d_ff"),
    (dict(in_channels=0), "in_channels"),
    (dict(kernel_sizes=()), "kernel_sizes"),
    (dict(kernel_sizes=7), "kernel_sizes"),
    (dict(kernel_sizes=(7, 0)), "kernel_sizes"),
    (dict(kernel_sizes=(7, 2), small_kernel=3), "small_kernel"),
    (dict(small_kernel=0), "small_kernel"),
    (dict(dropout=1.0), "dropout"),
    (dict(dropout=-0.1), "dropout"),
    (dict(patch_size=4.5), "patch_size"),
])
def test_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        ConvTimeNet(**params)


def test_learns_a_simple_task():
    # shapes are not enough: the net must be able to separate two classes of series
    torch.manual_seed(0)
    t = torch.linspace(0, 6, 32)
    x = torch.cat([torch.sin(t * 1.0).expand(16, -1), torch.sin(t * 3.0).expand(16, -1)])
    x = (x + 0.1 * torch.randn_like(x)).unsqueeze(1)
    y = torch.cat([torch.zeros(16), torch.ones(16)]).long()
    net = ConvTimeNet(**SMALL)
    head = torch.nn.Linear(8, 2)
    opt = torch.optim.Adam(list(net.parameters()) + list(head.parameters()), lr=1e-2)
    for _ in range(30):
        opt.zero_grad()
        loss = F.cross_entropy(head(net(x)), y)
        loss.backward()
        opt.step()
    net.eval()
    accuracy = (head(net(x)).argmax(1) == y).float().mean()
    assert accuracy == 1.0


def test_no_lengths_means_no_mask_on_any_device():
    # the meta device stands in for a GPU, where masks cannot be skipped by reading
    # the counts back: without lengths no mask is built at all
    emb = DeformablePatchEmbedding(1, 8, patch_size=4, patch_stride=2).to("meta")
    features, mask = emb(torch.randn(3, 1, 20, device="meta"))
    assert mask is None and features.shape == (3, 8, 9)
