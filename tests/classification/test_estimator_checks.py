"""scikit-learn's estimator checks in single-array mode (one task, a plain 2D array)."""

from sklearn.linear_model import LogisticRegression
from sklearn.utils.estimator_checks import parametrize_with_checks

from sktsmtl.classification import MultiTaskTimeSeriesClassifier, PerTaskClassifier

# Tiny nets and a high learning rate: the checks fit dozens of times on blobs.
_TINY2D = MultiTaskTimeSeriesClassifier(
    backbone="resnet2d", n_templates=4, template_length=4,
    backbone_params={"n_blocks": 1, "width": 8}, max_epochs=15, lr=3e-2,
    validation_fraction=0.0, batch_size=32, random_state=0)
_TINY1D = MultiTaskTimeSeriesClassifier(
    backbone="resnet1d", backbone_params={"filters": (8, 8, 8)}, max_epochs=15, lr=3e-2,
    validation_fraction=0.0, batch_size=32, random_state=0)

# MTCS: the TS2Vec encoder with the sharing loss (one task: no pair, plain training) and
# the SVM fine-tuning stage on the frozen embeddings
_TINY_MTCS = MultiTaskTimeSeriesClassifier(
    backbone="ts2vec", backbone_params={"hidden_dim": 8, "output_dim": 8, "depth": 2},
    sharing="mtcs", final_estimator="svm", max_epochs=5, lr=1e-2,
    validation_fraction=0.0, batch_size=32, random_state=0)

_TINY_CTN = MultiTaskTimeSeriesClassifier(
    backbone="convtimenet", patch_size=2, patch_stride=1, d_model=8, kernel_sizes=(3,),
    backbone_params={"d_ff": 16, "dropout": 0.0}, max_epochs=15, lr=3e-2,
    validation_fraction=0.0, batch_size=32, random_state=0)

_EXPECTED_FAILED = {}


def _expected_failed(estimator):
    return _EXPECTED_FAILED


@parametrize_with_checks(
    [_TINY2D, _TINY1D, _TINY_MTCS, _TINY_CTN, PerTaskClassifier(LogisticRegression())],
    expected_failed_checks=_expected_failed,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
