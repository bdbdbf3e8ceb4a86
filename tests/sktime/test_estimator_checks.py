"""sktime's own conformance suite on the adapter (every test parameter set)."""

from sktime.utils.estimator_checks import check_estimator, parametrize_with_checks

from sktsmtl.sktime import MultiTaskSktimeClassifier


@parametrize_with_checks(MultiTaskSktimeClassifier)
def test_sktime_compatible(obj, test_name):
    check_estimator(obj, tests_to_run=test_name, raise_exceptions=True, verbose=False)
