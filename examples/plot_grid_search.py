"""
Grid search over the templates of ResNet2D
==========================================

scikit-learn's model-selection tools index ``X`` and ``y`` by rows. A dict of tasks has
no rows, so :class:`~sktsmtl.data.TaskPanel` and :class:`~sktsmtl.data.TaskLabels`
pack a multi-task data set into one row per series, each row keeping its task id.
:class:`~sklearn.model_selection.GridSearchCV` then splits them like arrays, and the
default stratified splitter stratifies by task *and* class at once, because
``TaskLabels`` converts to one ``(task, label)`` key per row.

Here we tune the two parameters of ResNet2D's template layer, the number of learnable
templates ``backbone__n_templates`` and their length ``backbone__template_length``
(routed to :class:`~sktsmtl.nets.ResNet2D` as skorch routes ``module__*``), on three
tasks of the
embedded ``basic_motions`` group. The networks are tiny and trained for one epoch so
that the 12 fits of the search take seconds; the point is the mechanics, not the
scores.
"""

# %%
# Pack the tasks into row-indexable containers
# --------------------------------------------
from sktsmtl.data import TaskLabels, TaskPanel
from sktsmtl.datasets import load_task_group

tasks = ["accel_x", "accel_y", "accel_z"]
X_train, y_train = load_task_group("basic_motions", split="train", tasks=tasks)
X_test, y_test = load_task_group("basic_motions", split="test", tasks=tasks)

X, y = TaskPanel.from_dict(X_train), TaskLabels.from_dict(y_train)
print(X, y)
print("first rows:", X.task_ids[:3].tolist(), y.labels[:3].tolist())

# %%
# Search the template count and length
# ------------------------------------
# ``backbone__n_blocks`` and ``backbone__width`` shrink the 2D residual tower to one
# block of width 8: every argument of the backbone class is a ``backbone__`` parameter.
# ``GridSearchCV`` calls the estimator's ``score``, the mean over tasks of per-task
# accuracy.
from sklearn.model_selection import GridSearchCV

from sktsmtl import MultiTaskTimeSeriesClassifier

clf = MultiTaskTimeSeriesClassifier(
    backbone="resnet2d",
    backbone__n_blocks=1, backbone__width=8,
    max_epochs=1,
    batch_size=20,
    lr=1e-2,
    random_state=0,
)
param_grid = {"backbone__n_templates": [4, 8], "backbone__template_length": [8, 16]}
search = GridSearchCV(clf, param_grid, cv=3)
search.fit(X, y)

print("best parameters:", search.best_params_)
print(f"best mean cross-validated score: {search.best_score_:.3f}")

# %%
# The whole grid
# --------------
for params, mean, std in zip(
    search.cv_results_["params"],
    search.cv_results_["mean_test_score"],
    search.cv_results_["std_test_score"],
):
    print(f"{params}  {mean:.3f} +/- {std:.3f}")

# %%
# Predict with the refitted best model
# ------------------------------------
# A ``TaskPanel`` in gives a ``TaskLabels`` out; a dict of tasks gives a dict.
X_test_panel = TaskPanel.from_dict(X_test)
predicted = search.predict(X_test_panel)
print(type(predicted).__name__, len(predicted))
print({task: round(acc, 3) for task, acc in
       search.best_estimator_.score_tasks(X_test, y_test).items()})

# %%
# Mean score per grid cell as a heat map.
import matplotlib.pyplot as plt
import numpy as np

scores = np.array(search.cv_results_["mean_test_score"]).reshape(
    len(param_grid["backbone__n_templates"]), len(param_grid["backbone__template_length"])
)
fig, ax = plt.subplots(figsize=(4, 3.2))
image = ax.imshow(scores, cmap="viridis", vmin=0, vmax=1)
lengths = param_grid["backbone__template_length"]
ax.set_xticks(range(len(lengths)), lengths)
ax.set_yticks(range(len(param_grid["backbone__n_templates"])), param_grid["backbone__n_templates"])
ax.set_xlabel("template_length")
ax.set_ylabel("n_templates")
for (i, j), value in np.ndenumerate(scores):
    ax.text(j, i, f"{value:.2f}", ha="center", va="center", color="white")
fig.colorbar(image, ax=ax, label="mean CV score")
fig.tight_layout()
plt.show()
