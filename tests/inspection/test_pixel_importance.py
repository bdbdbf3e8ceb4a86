"""Tests of the pixel-perturbation importance maps."""

import numpy as np
import pytest
import torch

from sktsmtl.approximation import DTWApproximator
from sktsmtl.datasets import make_random_walk_pairs
from sktsmtl.inspection import pixel_importance, plot_pixel_importance

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def pairs():
    return make_random_walk_pairs(24, 10, random_state=0)


@pytest.fixture(scope="module")
def fitted(pairs):
    return DTWApproximator(backbone="resnet2d", max_epochs=2, batch_size=8,
                           backbone__n_blocks=1, backbone__width=4, backbone__stem_stride=1,
                           random_state=0).fit(pairs)


def test_shape_and_values(fitted, pairs):
    imp = pixel_importance(fitted, pairs[0])
    assert imp.shape == (10, 10)
    assert np.all(np.isfinite(imp)) and np.all(imp >= 0) and imp.max() > 0
    blocked = pixel_importance(fitted, pairs[0], block=3)
    assert blocked.shape == (10, 10)
    # a tile shares one value
    assert np.all(blocked[:3, :3] == blocked[0, 0])
    # batching does not change the result
    np.testing.assert_allclose(pixel_importance(fitted, pairs[0], batch_size=7), imp,
                               rtol=1e-5, atol=1e-6)


def test_unequal_lengths(fitted):
    rng = np.random.default_rng(0)
    imp = pixel_importance(fitted, (rng.standard_normal(7), rng.standard_normal(12)))
    assert imp.shape == (7, 12)


def test_a_forced_cell_changes_the_output(fitted, pairs):
    # a cell already equal to the baseline cannot change anything; any other can
    a, b = pairs[0, 0], pairs[0, 1]
    d = (a[:, None] - b[None, :]) ** 2
    i, j = np.unravel_index(np.argmax(d), d.shape)
    imp = pixel_importance(fitted, pairs[0], baseline=0.0)
    assert imp[i, j] > 0
    same = pixel_importance(fitted, (a, a), baseline=0.0)
    # the diagonal of a series against itself is already 0: setting it to 0 is a no-op
    np.testing.assert_allclose(np.diag(same), 0.0, atol=1e-6)
    # with the baseline equal to a cell's value, that cell's change vanishes
    imp_cell = pixel_importance(fitted, pairs[0], baseline=float(np.float32(d[i, j])))
    assert imp_cell[i, j] < 1e-4 * max(1.0, imp.max())


def test_png_written(fitted, pairs, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    imp = pixel_importance(fitted, pairs[1], block=2)
    out = tmp_path / "map.png"
    ax = plot_pixel_importance(imp, pair=pairs[1], window=0.1, path=out)
    assert out.is_file() and out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(ax.lines) == 1  # the warping path
    plt.close("all")
    with pytest.raises(ValueError, match="do not match"):
        plot_pixel_importance(imp[:5], pair=pairs[1])


def test_errors(pairs):
    siamese = DTWApproximator(backbone="resnet1d", max_epochs=1, batch_size=8,
                              backbone__filters=(4,), backbone__kernel_sizes=(3,),
                              random_state=0).fit(pairs)
    with pytest.raises(ValueError, match="resnet2d"):
        pixel_importance(siamese, pairs[0])
    with pytest.raises(TypeError, match="DTWApproximator"):
        pixel_importance(object(), pairs[0])
    unfitted = DTWApproximator()
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        pixel_importance(unfitted, pairs[0])


def test_bad_arguments(fitted, pairs):
    with pytest.raises(ValueError, match="block"):
        pixel_importance(fitted, pairs[0], block=0)
    with pytest.raises(ValueError, match="pair"):
        pixel_importance(fitted, pairs[0, 0])
