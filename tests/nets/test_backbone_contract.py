"""The backbone contract (sktsmtl.nets.Backbone), checked on every registered backbone."""

import pickle

import pytest
import torch

from sktsmtl.nets import Backbone, backbone_names, get_backbone, register_backbone
from sktsmtl.nets.backbone import parameter_names

torch.set_num_threads(1)

BACKBONES = backbone_names()


def _tiny(name, in_channels=2):
    torch.manual_seed(0)
    net = get_backbone(name).from_preset("tiny", in_channels=in_channels)
    if hasattr(net, "initialize_from_series"):  # a data-dependent transform
        rng = torch.Generator().manual_seed(0)
        net.initialize_from_series(
            [torch.randn(in_channels, 40, generator=rng).numpy() for _ in range(8)], seed=0)
    return net


@pytest.mark.parametrize("name", BACKBONES)
def test_contract_attributes(name):
    cls = get_backbone(name)
    assert issubclass(cls, Backbone)
    assert "tiny" in cls.presets
    net = _tiny(name)
    assert net.in_channels == 2
    assert isinstance(net.embedding_dim, int) and net.embedding_dim > 0
    assert "in_channels" not in parameter_names(cls)
    # every preset value is a constructor argument
    for preset in cls.presets.values():
        assert set(preset) <= set(parameter_names(cls))


@pytest.mark.parametrize("name", BACKBONES)
def test_output_shape_univariate_and_multivariate(name):
    net = _tiny(name).eval()
    assert net(torch.randn(3, 2, 40)).shape == (3, net.embedding_dim)
    uni = _tiny(name, in_channels=1).eval()
    x = torch.randn(3, 40)
    with torch.no_grad():
        assert uni(x).shape == (3, uni.embedding_dim)
        torch.testing.assert_close(uni(x), uni(x.unsqueeze(1)))  # (n, L) is (n, 1, L)


@pytest.mark.parametrize("name", BACKBONES)
@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("length", [1, 2, 3, 9])
def test_series_of_a_few_steps_embed(name, channels, length):
    # shorter than any kernel, patch or pooling window of the tiny presets
    net = _tiny(name, in_channels=channels)
    out = net(torch.randn(2, channels, length))
    assert out.shape == (2, net.embedding_dim) and torch.isfinite(out).all()


@pytest.mark.parametrize("name", BACKBONES)
def test_wrong_channel_count_names_the_backbone(name):
    net = _tiny(name)
    with pytest.raises(ValueError, match=f"{type(net).__name__} was built for 2 channel"):
        net(torch.randn(3, 3, 40))


@pytest.mark.parametrize("name", BACKBONES)
def test_padded_rows_embed_like_the_unpadded_series(name):
    net = _tiny(name).eval()
    torch.manual_seed(1)
    short, full = torch.randn(1, 2, 27), torch.randn(1, 2, 40)
    padded = torch.cat([short, torch.full((1, 2, 13), 50.0)], dim=-1)
    with torch.no_grad():
        batch = net(torch.cat([padded, full]), lengths=torch.tensor([27, 40]))
        alone = net(short)
        other = net(torch.cat([torch.cat([short, -torch.ones(1, 2, 13)], -1), full]),
                    lengths=torch.tensor([27, 40]))
    torch.testing.assert_close(batch[:1], alone, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(batch, other, atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("name", BACKBONES)
def test_training_mode_ignores_padded_values(name):
    # batch-norm statistics must skip the padding: two paddings, one result
    net = _tiny(name).train()
    torch.manual_seed(2)
    x = torch.randn(4, 2, 30)
    lengths = torch.tensor([30, 22, 15, 30])
    steps = torch.arange(30)[None, None, :] >= lengths[:, None, None]
    a, b = x.masked_fill(steps, 7.0), x.masked_fill(steps, -3.0)
    torch.manual_seed(3)
    out_a = net(a, lengths=lengths)
    torch.manual_seed(3)
    out_b = net(b, lengths=lengths)
    torch.testing.assert_close(out_a, out_b, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("name", BACKBONES)
def test_gradients_reach_every_parameter_and_pickling_keeps_outputs(name):
    net = _tiny(name).train()
    x = torch.randn(4, 2, 40, requires_grad=True)
    net(x, lengths=torch.tensor([40, 30, 12, 40])).sum().backward()
    for pname, p in net.named_parameters():
        if p.requires_grad:
            assert p.grad is not None and torch.isfinite(p.grad).all(), pname
    assert any(p.grad.abs().sum() > 0 for p in net.parameters() if p.requires_grad)
    if x.grad is not None:  # (a fixed transform such as MiniRocket's is not differentiated)
        # nothing flows into the padding
        assert x.grad[1, :, 30:].abs().sum() == 0 and x.grad[2, :, 12:].abs().sum() == 0
        assert x.grad[2, :, :12].abs().sum() > 0
    net.eval()
    x = torch.randn(2, 2, 40)
    restored = pickle.loads(pickle.dumps(net))
    with torch.no_grad():
        torch.testing.assert_close(restored(x), net(x))


@pytest.mark.parametrize("name", BACKBONES)
def test_bad_preset_names_the_choices(name):
    with pytest.raises(ValueError, match="tiny"):
        get_backbone(name).from_preset("enormous")


def test_registry_refuses_what_breaks_the_contract():
    with pytest.raises(TypeError, match="torch.nn.Module subclass"):
        register_backbone("thing", object)

    class NoChannels(torch.nn.Module):
        def __init__(self, width=2):
            super().__init__()

    with pytest.raises(TypeError, match="in_channels"):
        register_backbone("no-channels", NoChannels)
    with pytest.raises(ValueError, match="already registered"):
        register_backbone("resnet1d", get_backbone("resnet2d"))
    with pytest.raises(ValueError, match="-mtl"):
        register_backbone("thing-mtl", get_backbone("resnet1d"))
    with pytest.raises(ValueError, match="unknown backbone 'lstm'.*register_backbone"):
        get_backbone("lstm")
    assert get_backbone(get_backbone("resnet1d")) is get_backbone("resnet1d")
