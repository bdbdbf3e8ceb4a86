"""Parameter constraints shared by every estimator trained through this layer."""

import numbers

from sklearn.utils._param_validation import Interval, StrOptions

__all__ = ["TRAINING_PARAMETER_CONSTRAINTS"]

#: scikit-learn ``_parameter_constraints`` of the training-loop parameters
#: (epochs, batch size, AdamW, validation split, early stopping, device, seeding,
#: verbosity, extra skorch callbacks).
TRAINING_PARAMETER_CONSTRAINTS = {
    "max_epochs": [Interval(numbers.Integral, 1, None, closed="left")],
    "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
    "lr": [Interval(numbers.Real, 0, None, closed="neither")],
    "weight_decay": [Interval(numbers.Real, 0, None, closed="left")],
    "validation_fraction": [Interval(numbers.Real, 0, 1, closed="left")],
    "early_stopping": [Interval(numbers.Integral, 1, None, closed="left"), None],
    "device": [StrOptions({"cpu", "cuda", "auto"}), str],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
    "callbacks": [list, None],
}
