"""
Write your own backbone
=======================

A backbone is a :class:`torch.nn.Module` that maps a batch of series ``(B, C, L)`` to one
embedding per series ``(B, embedding_dim)``. Deriving from
:class:`~sktsmtl.nets.Backbone` gives the contract and its helpers (input checks,
padding masks, masked pooling, named presets); registering it with
:func:`~sktsmtl.nets.register_backbone` makes its name known to
:class:`~sktsmtl.MultiTaskTimeSeriesClassifier`, to ``GridSearchCV`` through
``backbone__<name>`` parameters, and to the benchmark methods (``<name>`` and
``<name>-mtl``).

Here we write a small temporal convolutional network, check the padding contract, and
train it on the six tasks of the embedded ``basic_motions`` group, alone and shared.
"""

# %%
# The network
# -----------
# The estimator sets ``in_channels`` from the data; every other argument is a plain
# keyword with a default. Batches hold series of different lengths padded at their end;
# the true ``lengths`` come with them. The padded steps are zeroed before every
# convolution and left out of the pooling, so an embedding does not depend on them.
# (Batch norm would need :class:`~sktsmtl.nets.MaskedBatchNorm1d` to skip them too.)
import torch
from torch import nn

from sktsmtl.nets import Backbone, register_backbone
from sktsmtl.nets.backbone import check_int


class DilatedConvNet(Backbone):
    """Stacked dilated convolutions (dilation 1, 2, 4, ...) with residual sums."""

    presets = {"tiny": dict(width=4, depth=2)}

    def __init__(self, in_channels=1, width=32, depth=4, kernel_size=3):
        super().__init__(in_channels)
        self.width = check_int("width", width)
        self.depth = check_int("depth", depth)
        self.kernel_size = check_int("kernel_size", kernel_size)
        self.input = nn.Conv1d(self.in_channels, self.width, 1)
        self.convs = nn.ModuleList(
            nn.Conv1d(self.width, self.width, self.kernel_size, dilation=2 ** i,
                      padding=(self.kernel_size - 1) * 2 ** i // 2)
            for i in range(self.depth)
        )
        self.embedding_dim = self.width

    def forward(self, x, lengths=None):
        x = self.check_input(x)
        mask = self.padding_mask(lengths, x)  # None when nothing is padded
        h = self.apply_mask(self.input(self.apply_mask(x, mask)), mask)
        for conv in self.convs:
            h = self.apply_mask(h + torch.relu(conv(h)), mask)
        return self.masked_mean_pool(h, mask)


register_backbone("dilated-conv", DilatedConvNet)

# %%
# The contract, checked
# ---------------------
# A padded row embeds like the unpadded series (evaluation mode), whatever its padding.
net = DilatedConvNet.from_preset("tiny", in_channels=2).eval()
series = torch.randn(1, 2, 30)
padded = torch.cat([series, torch.full((1, 2, 10), 99.0)], dim=-1)
with torch.no_grad():
    alone = net(series)
    in_batch = net(padded, lengths=torch.tensor([30]))
print("embedding shape:", tuple(alone.shape))
print("padded row equals the unpadded series:", torch.allclose(alone, in_batch, atol=1e-6))

# %%
# Train it, alone and shared
# --------------------------
# ``backbone="dilated-conv"`` works like the built-in names; its arguments are
# ``backbone__width``, ``backbone__depth``, ``backbone__kernel_size`` (and
# ``backbone__preset``). A name it does not take is an error at fit that lists these.
from sktsmtl import MultiTaskTimeSeriesClassifier
from sktsmtl.datasets import load_task_group

X_train, y_train = load_task_group("basic_motions", split="train")
X_test, y_test = load_task_group("basic_motions", split="test")

for multitask in (False, True):
    clf = MultiTaskTimeSeriesClassifier(
        backbone="dilated-conv", backbone__width=16, backbone__depth=3,
        multitask=multitask, max_epochs=15, batch_size=16, lr=1e-2, random_state=0,
    ).fit(X_train, y_train)
    print(f"multitask={multitask}: mean test accuracy {clf.score(X_test, y_test):.3f}")

try:
    MultiTaskTimeSeriesClassifier(backbone="dilated-conv", backbone__n_templates=8,
                                  max_epochs=1).fit(X_train, y_train)
except ValueError as error:
    print(error)

# %%
# In a grid search and in the benchmark
# -------------------------------------
# The routed parameters are ordinary estimator parameters, and the benchmark knows
# the new name (``sktsmtl benchmark --methods dilated-conv dilated-conv-mtl`` in a
# script that registers it first).
from sklearn.model_selection import GridSearchCV

from sktsmtl.benchmarking import list_methods
from sktsmtl.data import TaskLabels, TaskPanel

search = GridSearchCV(
    MultiTaskTimeSeriesClassifier(backbone="dilated-conv", max_epochs=3, batch_size=16,
                                  lr=1e-2, random_state=0),
    {"backbone__width": [4, 16], "backbone__depth": [1, 3]}, cv=2,
).fit(TaskPanel.from_dict(X_train), TaskLabels.from_dict(y_train))
print("best:", search.best_params_)
print([m for m in list_methods() if m.startswith("dilated-conv")])
