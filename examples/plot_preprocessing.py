"""
Preprocessing variable-length series with missing values
========================================================

The transformers of :mod:`sktsmtl.preprocessing` work series by series, task by task,
and give back the form they receive (a dict of tasks here), so they chain in a
scikit-learn :class:`~sklearn.pipeline.Pipeline` in front of a multi-task classifier.

The embedded ``japanese_vowels`` group has twelve univariate tasks, one per LPC
cepstrum coefficient of the JapaneseVowels recordings; each task predicts the speaker
(9 classes). Utterances last 7 to 29 frames, so every task's array is NaN-padded at the
end. Trailing NaN are *padding* (a shorter series); NaN inside a series are *missing
values*. To show the difference we punch a few holes into the training series.
"""

# %%
# Load the group and add missing values
# -------------------------------------
import matplotlib.pyplot as plt
import numpy as np

from sktsmtl.datasets import load_task_group

tasks = ["lpcc_01", "lpcc_02", "lpcc_03", "lpcc_04"]
X_train, y_train = load_task_group("japanese_vowels", split="train", tasks=tasks)
X_test, y_test = load_task_group("japanese_vowels", split="test", tasks=tasks)

X = X_train["lpcc_01"]
lengths = (~np.isnan(X)).sum(axis=1)
print(f"array shape {X.shape}; series lengths from {lengths.min()} to {lengths.max()}")

rng = np.random.default_rng(0)
for task, X_t in X_train.items():
    X_t = X_t.copy()
    for row in rng.choice(len(X_t), size=40, replace=False):
        X_t[row, rng.integers(1, 6)] = np.nan       # interior: a missing value
    X_train[task] = X_t

# %%
# Each transformer on its own
# ---------------------------
# :class:`~sktsmtl.preprocessing.MissingValueImputer` fills the interior holes by linear
# interpolation and leaves the padding alone.
from sktsmtl.preprocessing import MissingValueImputer, Resampler, ZNormalizer

imputed = MissingValueImputer().fit_transform(X_train)
row = int(np.flatnonzero(np.isnan(X_train["lpcc_01"][:, 1:6]).any(axis=1))[0])
print("before:", np.round(X_train["lpcc_01"][row, :8], 2))
print("after: ", np.round(imputed["lpcc_01"][row, :8], 2))
print("padding kept:", np.isnan(imputed["lpcc_01"]).sum() == np.isnan(X).sum())

# %%
# :class:`~sktsmtl.preprocessing.ZNormalizer` gives every series zero mean and unit
# variance over its observed steps; :class:`~sktsmtl.preprocessing.Resampler`
# stretches every series to one length (here 20 steps), after which the arrays have no
# padding.
normalized = ZNormalizer().fit_transform(imputed)
resampled = Resampler(length=20).fit_transform(normalized)
print(resampled["lpcc_01"].shape, np.isnan(resampled["lpcc_01"]).any())

fig, axes = plt.subplots(1, 3, figsize=(10, 3), sharey=False)
for k in range(3):
    axes[0].plot(imputed["lpcc_01"][k], marker=".")
    axes[1].plot(normalized["lpcc_01"][k], marker=".")
    axes[2].plot(resampled["lpcc_01"][k], marker=".")
for ax, title in zip(axes, ["imputed", "z-normalised", "resampled to 20 steps"]):
    ax.set_title(title)
    ax.set_xlabel("frame")
fig.tight_layout()
plt.show()

# %%
# In a pipeline
# -------------
# With every series of a task at one length and without NaN, any scikit-learn classifier
# can be fitted per task through :class:`~sktsmtl.classification.PerTaskClassifier`.
# The pipeline is fitted on the dict of tasks and scored on the test dict; ``score`` is
# the mean of the per-task accuracies.
from sklearn.linear_model import RidgeClassifierCV
from sklearn.pipeline import make_pipeline

from sktsmtl import KNeighborsDTWClassifier, PerTaskClassifier

pipe = make_pipeline(
    MissingValueImputer(),
    ZNormalizer(),
    Resampler(length=20),
    PerTaskClassifier(RidgeClassifierCV(alphas=np.logspace(-3, 3, 7))),
)
pipe.fit(X_train, y_train)
print(f"resample + ridge, mean accuracy: {pipe.score(X_test, y_test):.3f}")

# %%
# The same preprocessing in front of 1NN-DTW, one classifier per task. Per-task
# accuracies of the two pipelines side by side:
dtw_pipe = make_pipeline(
    MissingValueImputer(),
    ZNormalizer(),
    Resampler(length=20),
    PerTaskClassifier(KNeighborsDTWClassifier(window=0.2)),
)
dtw_pipe.fit(X_train, y_train)
print(f"resample + 1NN-DTW, mean accuracy: {dtw_pipe.score(X_test, y_test):.3f}")

ridge_scores = pipe[-1].score_tasks(pipe[:-1].transform(X_test), y_test)
dtw_scores = dtw_pipe[-1].score_tasks(dtw_pipe[:-1].transform(X_test), y_test)
for task in tasks:
    print(f"{task}: ridge {ridge_scores[task]:.3f}   1NN-DTW {dtw_scores[task]:.3f}")

# %%
# One cepstrum coefficient says little about the speaker: chance level is 1/9, about
# 0.11. The group ``japanese_vowels_multivariate`` holds the same recordings as one
# task of 12 channels, shape ``(n, 12, L)``; the same transformers apply to it unchanged.
