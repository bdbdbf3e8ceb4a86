"""Inspection of fitted models: pixel-perturbation importance maps (Yeh et al. 2023, Fig. 4),
task relations (Wang et al. 2022, Fig. 2) and 2D views of representations (Yeh et al.
2023, Fig. 5).

Plotting needs matplotlib, imported only when a plot is drawn.
"""

from .embeddings import embedding_coordinates, plot_embeddings
from .pixel_importance import pixel_importance, plot_pixel_importance
from .task_relations import plot_task_relations, task_relations

__all__ = [
    "pixel_importance",
    "plot_pixel_importance",
    "task_relations",
    "plot_task_relations",
    "embedding_coordinates",
    "plot_embeddings",
]
