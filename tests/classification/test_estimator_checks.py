"""scikit-learn's estimator checks in single-array mode (one task, a plain 2D array)."""

from sklearn.linear_model import LogisticRegression
from sklearn.utils.estimator_checks import parametrize_with_checks

from sktsmtl.classification import MultiTaskTimeSeriesClassifier, PerTaskClassifier
from sktsmtl.nets import backbone_names


def _tiny(backbone, **params):
    # the "tiny" preset of the backbone and a high learning rate: the checks fit dozens
    # of times on blobs
    settings = dict(backbone=backbone, backbone__preset="tiny", max_epochs=15, lr=3e-2,
                    validation_fraction=0.0, batch_size=32, random_state=0)
    return MultiTaskTimeSeriesClassifier(**dict(settings, **params))


# every registered backbone, then MTCS: the TS2Vec encoder with the sharing loss (one
# task: no pair, plain training) and the SVM fine-tuning stage on the frozen embeddings
_ESTIMATORS = [_tiny(name) for name in backbone_names()] + [
    _tiny("ts2vec", sharing="mtcs", final_estimator="svm", max_epochs=5, lr=1e-2),
    PerTaskClassifier(LogisticRegression()),
]


def _expected_failed(estimator):
    if getattr(estimator, "final_estimator", None) is not None:
        # class_weight weighs the network's training loss; the SVM fitted afterwards on
        # the frozen embeddings is unweighted (documented)
        return {"check_class_weight_classifiers": "the final estimator is unweighted"}
    return {}


@parametrize_with_checks(_ESTIMATORS, expected_failed_checks=_expected_failed)
def test_sklearn_compatible(estimator, check):
    check(estimator)
