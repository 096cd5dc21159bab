"""Anomaly detection, the talk's "unsupervised, data-driven" example: fraud and novel particles.

Detectors learn what normal looks like and score how far each new point is from it:
`Autoencoder` (on the engine: reconstruction error), `Gaussian` (Mahalanobis distance) and
scikit-learn's IsolationForest as the library baseline. `experiments` runs them on the real tables.
"""

from mltutorial.apps.anomaly.detectors import Autoencoder, Gaussian, make_detectors

__all__ = ["Autoencoder", "Gaussian", "make_detectors"]
