"""Task-relation heatmaps from a (fake) fitted multi-task classifier's heads."""

import numpy as np
import pandas as pd
import pytest

from sktsmtl.inspection import plot_task_relations, task_relations

# Heads: "a" (2 classes), "b" (3 classes), "c" (2 classes, uniform everywhere).
P_A = np.array([[0.9, 0.1], [0.1, 0.9]])
P_B = np.array([[0.8, 0.1, 0.1], [0.1, 0.1, 0.8]])
UNIFORM = np.full((2, 2), 0.5)
# On task c's series the heads a and b co-occur on (a0, b1) instead.
P_A_ON_C = np.array([[0.9, 0.1], [0.9, 0.1]])
P_B_ON_C = np.array([[0.1, 0.8, 0.1], [0.1, 0.8, 0.1]])


class FakeClassifier:
    """Stands for a fitted multi-task classifier: only what task_relations reads."""

    def __init__(self, probas, embeddings=None):
        self.probas = probas
        self.embeddings = embeddings

    def head_probabilities(self, X):
        return self.probas

    def transform(self, X):
        return self.embeddings


def _probas(with_c=True):
    out = {
        "a": {"a": P_A, "b": P_B, "c": UNIFORM},
        "b": {"a": P_A[::-1], "b": P_B[::-1], "c": UNIFORM},
    }
    if with_c:
        out["c"] = {"a": P_A_ON_C, "b": P_B_ON_C, "c": UNIFORM}
    return out


def test_relevance_by_hand():
    rel = task_relations(FakeClassifier(_probas(with_c=False)), None)
    assert list(rel.index) == ["a", "b", "c"] and list(rel.columns) == ["a", "b", "c"]
    assert rel.attrs["measure"] == "relevance"
    # over the 4 series of a and b: A(a, b) = [[.365 .05 .085] [.085 .05 .365]],
    # 6 A = [[2.19 .3 .51] [.51 .3 2.19]]: 2 of 6 class pairs above tau = 2
    assert rel.loc["a", "b"] == pytest.approx(1 / 3)
    assert rel.loc["b", "a"] == pytest.approx(1 / 3)
    # a uniform head is related to nothing
    assert rel.loc["a", "c"] == 0.0 and rel.loc["c", "b"] == 0.0
    assert np.isnan(np.diag(rel.to_numpy())).all()
    # a lower threshold admits the 0.51 cells as well
    low = task_relations(FakeClassifier(_probas(with_c=False)), None, tau=0.5)
    assert low.loc["a", "b"] == pytest.approx(4 / 6)


def test_peak_by_hand():
    rel = task_relations(FakeClassifier(_probas(with_c=False)), None, measure="peak")
    assert rel.loc["a", "b"] == pytest.approx(2.19)
    # A(a, c) = mean p_a (outer) (.5, .5) = all .25: exactly uniform
    assert rel.loc["a", "c"] == pytest.approx(1.0)
    # A(b, c): mean p_b = (.45, .1, .45), times .5: 6 * .225 = 1.35
    assert rel.loc["b", "c"] == pytest.approx(1.35)


def test_inputs_all_versus_pair():
    fake = FakeClassifier(_probas(with_c=True))
    # all 6 series: sum of outers = 2 * [[.73 .1 .17] [.17 .1 .73]]
    #   + 2 * [[.09 .72 .09] [.01 .08 .01]] = [[1.64 1.64 .52] [.36 .36 1.48]];
    # / 6 series * 6 pairs: the same numbers, none above 2
    everything = task_relations(fake, None, measure="peak")
    assert everything.loc["a", "b"] == pytest.approx(1.64)
    assert task_relations(fake, None).loc["a", "b"] == 0.0
    # the series of a and b only: the hand-computed 2.19 again
    pair = task_relations(fake, None, inputs="pair")
    assert pair.loc["a", "b"] == pytest.approx(1 / 3)
    assert task_relations(fake, None, measure="peak", inputs="pair").loc["a", "b"] == \
        pytest.approx(2.19)


def test_pair_inputs_without_series_of_the_pair():
    probas = {"a": {"a": P_A, "b": P_B, "c": UNIFORM}}
    rel = task_relations(FakeClassifier(probas), None, inputs="pair")
    assert rel.loc["a", "b"] == pytest.approx(1 / 3)
    # X holds no series of b or c
    assert np.isnan(rel.loc["b", "c"])


def test_covariance_by_hand():
    embeddings = {
        "a": np.array([[1.0, 0.0], [0.0, 1.0]]),   # E'E = I: both directions kept
        "b": np.array([[2.0, 0.0]]),               # E'E = diag(4, 0): rank one
        "c": np.array([[0.0, 3.0], [0.0, -3.0]]),  # E'E = diag(0, 18)
    }
    fake = FakeClassifier(_probas(), embeddings)
    rel = task_relations(fake, None, measure="covariance")
    # U_a D_a^1/2 = I, U_b D_b^1/2 = (2, 0)': |(2, 0)| / (|I|_F |(2, 0)|) = 1 / sqrt(2)
    assert rel.loc["a", "b"] == pytest.approx(np.sqrt(0.5))
    assert rel.loc["b", "a"] == pytest.approx(np.sqrt(0.5))
    assert rel.loc["c", "a"] == pytest.approx(np.sqrt(0.5))
    assert rel.loc["b", "c"] == pytest.approx(0.0)  # orthogonal directions
    assert rel.attrs["measure"] == "covariance"
    assert np.isnan(np.diag(rel.to_numpy())).all()


def test_covariance_keeps_99_percent_of_the_spectrum():
    # E'E = diag(100, 0.49): the first direction holds 99.5% of the spectrum, so d
    # is truncated to rank one, along b's direction: a score of exactly 1 (at full
    # rank it would be sqrt(100 * 4 / (100.49 * 4)) = 0.9976)
    embeddings = {
        "a": np.array([[1.0, 0.0], [0.0, 1.0]]),
        "b": np.array([[2.0, 0.0], [-5.0, 0.0]]),
        "d": np.array([[10.0, 0.0], [0.0, 0.7]]),
    }
    probas = {t: {h: UNIFORM for h in embeddings} for t in embeddings}
    rel = task_relations(FakeClassifier(probas, embeddings), None, measure="covariance")
    assert rel.loc["b", "d"] == pytest.approx(1.0)
    # a's two equal eigenvalues hold 50% each: both kept, 1 / sqrt(2) from b
    assert rel.loc["a", "b"] == pytest.approx(np.sqrt(0.5))


def test_bad_arguments():
    fake = FakeClassifier(_probas())
    with pytest.raises(TypeError, match="head_probabilities"):
        task_relations(object(), None)
    with pytest.raises(ValueError, match="measure must be one of"):
        task_relations(fake, None, measure="cosine")
    with pytest.raises(ValueError, match="inputs must be one of"):
        task_relations(fake, None, inputs="own")
    with pytest.raises(ValueError, match="tau must be a positive number"):
        task_relations(fake, None, tau=0)
    with pytest.raises(ValueError, match="per-task embeddings"):
        task_relations(FakeClassifier(_probas(), np.zeros((3, 2))), None,
                       measure="covariance")


def test_inconsistent_probabilities():
    probas = _probas()
    del probas["b"]["c"]
    with pytest.raises(ValueError, match="every head must be applied"):
        task_relations(FakeClassifier(probas), None)
    probas = _probas()
    probas["b"]["a"] = np.full((2, 3), 1 / 3)
    with pytest.raises(ValueError, match="head 'a' gives 3 classes on task 'b'"):
        task_relations(FakeClassifier(probas), None)
    probas = _probas()
    probas["a"]["b"] = P_B[:1]
    with pytest.raises(ValueError, match="one row per series"):
        task_relations(FakeClassifier(probas), None)
    with pytest.raises(ValueError, match="non-empty dict"):
        task_relations(FakeClassifier({}), None)


def test_plot(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rel = task_relations(FakeClassifier(_probas()), None, inputs="pair")
    out = tmp_path / "relations.png"
    ax = plot_task_relations(rel, path=out)
    assert out.is_file() and out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b", "c"]
    # one label per finite cell; the NaN diagonal is left blank
    assert len(ax.texts) == 6
    assert ax.images[0].get_array().mask.sum() == 3
    plt.close("all")
    _, given = plt.subplots()
    assert plot_task_relations(rel, ax=given, annotate=False, vmin=0, vmax=1) is given
    assert len(given.texts) == 0
    plt.close("all")


def test_plot_bad_input():
    with pytest.raises(TypeError, match="DataFrame"):
        plot_task_relations(np.eye(2))
    with pytest.raises(ValueError, match="square"):
        plot_task_relations(pd.DataFrame(np.zeros((2, 3))))


def test_task_relations_of_a_fitted_classifier():
    from sktsmtl import MultiTaskTimeSeriesClassifier

    rng = np.random.default_rng(0)
    t = np.linspace(0, 6, 32)
    X = {"a": np.sin(t * rng.uniform(1, 3, (20, 1))), "b": np.cos(t * rng.uniform(1, 3, (16, 1)))}
    y = {"a": np.repeat([0, 1], 10), "b": np.repeat(["u", "v"], 8)}
    clf = MultiTaskTimeSeriesClassifier(backbone="ts2vec", sharing="mtcs", max_epochs=2,
                                        batch_size=8, random_state=0,
                                        backbone__hidden_dim=8, backbone__output_dim=8,
                                        backbone__depth=2).fit(X, y)
    rel = task_relations(clf, X)
    assert list(rel.index) == ["a", "b"] and list(rel.columns) == ["a", "b"]
    assert rel.shape == (2, 2)
