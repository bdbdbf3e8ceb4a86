"""One lookup rule for every registry of the package (sktsmtl/_names.py)."""

import pytest

from sktsmtl.benchmarking import get_method, get_protocol
from sktsmtl.datasets import get_task_group
from sktsmtl.nets import ResNet1D, get_backbone, register_backbone


@pytest.mark.parametrize("spelling", ["resnet1d", "ResNet1D", "resnet_1d", " RESNET-1D "])
def test_every_registry_ignores_case_spaces_underscores_and_hyphens(spelling):
    assert get_backbone(spelling) is ResNet1D
    assert get_method(spelling + "_mtl").name == "resnet1d-mtl"
    assert get_task_group("Basic Motions").name == get_task_group("basic-motions").name
    assert get_protocol("Paper_Per_Task").name == "paper-per-task"


def test_names_that_differ_only_in_spelling_are_one_backbone():
    with pytest.raises(ValueError, match="'Res_Net1D' is already registered as 'resnet1d'"):
        register_backbone("Res_Net1D", type("Other", (ResNet1D,), {}))
