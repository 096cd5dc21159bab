"""Supervised image classification, the talk's "task-driven" way machines learn.

`ImageClassifier` trains a small CNN (or an MLP) on the engine from labelled images and predicts the
class of new ones, with save/load; scikit-learn's logistic regression on raw pixels is the baseline.
"""

from mltutorial.apps.vision.model import ImageClassifier

__all__ = ["ImageClassifier"]
