"""Gmail's anti-spam ("Gmail — Anti-spam algorithms — Spam / Non-spam"): a spam filter you can train.

A ladder of models on one split (majority class, naive Bayes, one neuron, a small MLP; the neural ones
on the engine), TF-IDF features from a tokeniser made for messages, and a `SpamFilter` that saves to
one file and classifies new text. Commands: `mltutorial spam train | classify | evaluate`.
"""

from .features import TextFeatures, tokenize
from .filter import SpamFilter
from .ladder import LadderConfig, LadderResult, train_ladder
from .models import MLP, Majority, NaiveBayes, Neuron

__all__ = [
    "MLP",
    "LadderConfig",
    "LadderResult",
    "Majority",
    "NaiveBayes",
    "Neuron",
    "SpamFilter",
    "TextFeatures",
    "tokenize",
    "train_ladder",
]
