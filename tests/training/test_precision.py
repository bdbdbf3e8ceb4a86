"""The precision parameter: bfloat16 autocast with float32 weights, losses and statistics."""

import numpy as np
import pytest
import torch

from sktsmtl import MultiTaskTimeSeriesClassifier
from sktsmtl.approximation import DTWApproximator
from sktsmtl.nets import MaskedBatchNorm2d, TemplateDistance
from sktsmtl.training.precision import autocast, resolve_precision

torch.set_num_threads(1)


def _tasks():
    rng = np.random.default_rng(0)
    t = np.linspace(0, 6, 30)
    X = {"a": np.sin(t * rng.uniform(1, 3, (24, 1))),
         "b": [np.sin(t[: rng.integers(20, 31)] * rng.uniform(1, 3)) for _ in range(16)]}
    y = {"a": np.arange(24) % 2, "b": np.arange(16) % 2}
    return X, y


def test_resolve_precision():
    assert resolve_precision("float32", "cpu") is None
    assert resolve_precision("bfloat16", "cpu") is torch.bfloat16
    assert resolve_precision("auto", "cpu") in (None, torch.bfloat16)
    with pytest.raises(ValueError, match="precision must be one of"):
        resolve_precision("float16", "cpu")


@pytest.mark.parametrize("backbone", ["resnet2d", "resnet1d", "ts2vec"])
def test_bfloat16_fit_keeps_float32_weights_losses_and_outputs(backbone):
    X, y = _tasks()
    clf = MultiTaskTimeSeriesClassifier(backbone=backbone, backbone__preset="tiny",
                                        max_epochs=2, batch_size=8, precision="bfloat16",
                                        random_state=0).fit(X, y)
    net = clf.nets_["a"]
    assert net.autocast_dtype_ is torch.bfloat16
    assert all(p.dtype == torch.float32 for p in net.module_.parameters())
    assert all(np.isfinite(clf.history_[:, "train_loss"]))
    assert clf.transform(X)["a"].dtype == np.float32
    assert clf.predict_proba(X)["b"].dtype == np.float32  # as in float32
    # bfloat16 and float32 fits of one seed agree to bfloat16 rounding, not bitwise
    ref = MultiTaskTimeSeriesClassifier(backbone=backbone, backbone__preset="tiny",
                                        max_epochs=2, batch_size=8, random_state=0).fit(X, y)
    np.testing.assert_allclose(clf.history_[0, "train_loss"], ref.history_[0, "train_loss"],
                               rtol=0.05)


def test_the_approximator_takes_the_precision_too():
    pairs = np.random.default_rng(0).standard_normal((20, 2, 12))
    reg = DTWApproximator(backbone__preset="tiny", max_epochs=1, precision="bfloat16",
                          random_state=0).fit(pairs)
    assert reg.net_.autocast_dtype_ is torch.bfloat16
    assert reg.predict(pairs).dtype == np.float64
    with pytest.raises(ValueError, match="precision"):
        DTWApproximator(precision="half").fit(pairs)


def test_template_distances_stay_float32_accurate_under_autocast():
    torch.manual_seed(0)
    layer = TemplateDistance(3, 5)
    x = torch.randn(2, 1, 7)
    exact = ((x[:, 0, :, None, None] - layer.templates[:, 0, :].T[None, None]) ** 2)
    exact = exact.permute(0, 3, 1, 2)
    with autocast("cpu", torch.bfloat16):
        d = layer(x)
    assert d.dtype == torch.bfloat16
    # the float32 result rounded once to bfloat16: relative error below 2^-8, also for
    # the small distances where |x|^2 + |t|^2 - 2 x.t cancels
    rel = ((d.float() - exact).abs() / exact.clamp_min(1e-3)).max()
    assert rel < 2 ** -7
    d.float().sum().backward()
    assert layer.templates.grad.dtype == torch.float32


def test_masked_batch_norm_statistics_are_float32_for_bfloat16_inputs():
    bn = MaskedBatchNorm2d(4)
    x = torch.randn(3, 4, 5, 6)
    mask = torch.ones(3, 1, 5, 6, dtype=torch.bool)
    mask[0, :, 3:] = False
    out = bn(x.bfloat16(), mask)
    assert out.dtype == torch.bfloat16 and bn.running_mean.dtype == torch.float32
    ref = MaskedBatchNorm2d(4)
    ref(x, mask)
    torch.testing.assert_close(bn.running_mean, ref.running_mean, atol=1e-2, rtol=1e-2)
