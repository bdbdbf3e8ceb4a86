"""``plot_embeddings``: 2D views of representations coloured by each task's labels."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402

from sktsmtl.data import TaskLabels, TaskPanel  # noqa: E402
from sktsmtl.inspection import embedding_coordinates, plot_embeddings  # noqa: E402
from sktsmtl.representation import TS2VecTransformer  # noqa: E402


def _data():
    rng = np.random.default_rng(0)
    base = rng.normal(size=(12, 16))
    X = {"fine": base, "coarse": base.copy()}
    y = {"fine": np.repeat(["s1", "s2", "s3", "s4"], 3),
         "coarse": np.repeat(["f", "m"], 6)}
    return X, y


def _ssl():
    return TS2VecTransformer(output_dim=8, hidden_dim=4, depth=1, n_iters=2, random_state=0)


def test_one_png_with_a_panel_per_task(tmp_path):
    X, y = _data()
    ssl = _ssl().fit(X)
    path = tmp_path / "emb.png"
    axes = plot_embeddings(ssl, X, y, tasks=["fine", "coarse"], method="tsne", path=path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [ax.get_title() for ax in axes] == ["fine", "coarse"]
    legend = [t.get_text() for t in axes[0].get_legend().get_texts()]
    assert legend == ["s1", "s2", "s3", "s4"]
    assert [t.get_text() for t in axes[1].get_legend().get_texts()] == ["f", "m"]
    # one point per series, in as many colour groups as classes
    assert sum(len(c.get_offsets()) for c in axes[0].collections) == 12
    assert len(axes[1].collections) == 2


def test_joint_projection_puts_the_same_series_at_the_same_place():
    X, y = _data()
    ssl = _ssl().fit(X)
    views = embedding_coordinates(ssl, X, y, method="pca")
    assert set(views) == {"fine", "coarse"}
    np.testing.assert_allclose(views["fine"][0], views["coarse"][0])
    np.testing.assert_array_equal(views["coarse"][1], y["coarse"])
    # t-SNE is seeded
    a = embedding_coordinates(ssl, X, y, tasks="fine", random_state=1)["fine"][0]
    b = embedding_coordinates(ssl, X, y, tasks="fine", random_state=1)["fine"][0]
    np.testing.assert_array_equal(a, b)


def test_panel_labels_and_single_array_inputs():
    X, y = _data()
    ssl = _ssl().fit(X)
    axes = plot_embeddings(ssl, TaskPanel.from_dict(X), TaskLabels.from_dict(y),
                           tasks=["coarse"], method="pca")
    assert len(axes) == 1 and axes[0].get_title() == "coarse"
    one = PCA(4).fit(X["fine"])
    axes = plot_embeddings(one, X["fine"], y["fine"], method="tsne", perplexity=3)
    assert len(axes) == 1


def test_clear_errors():
    X, y = _data()
    ssl = _ssl().fit(X)
    with pytest.raises(ValueError, match="task 'other' is not in X"):
        plot_embeddings(ssl, X, y, tasks=["other"])
    with pytest.raises(ValueError, match="task 'fine': y has 3 labels but X has 12"):
        plot_embeddings(ssl, X, {**y, "fine": y["fine"][:3]})
    with pytest.raises(ValueError, match="method must be one of"):
        plot_embeddings(ssl, X, y, method="umap")
    with pytest.raises(TypeError, match="transform"):
        plot_embeddings(object(), X, y)
    with pytest.raises(ValueError, match="task 'coarse' has no labels"):
        plot_embeddings(ssl, X, {"fine": y["fine"]})
