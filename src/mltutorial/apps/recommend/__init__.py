"""Netflix's recommender (slide "Netflix -- Recommendation systems -- COLLABORATIVE FILTERING /
CONTENT-BASED FILTERING") on MovieLens: a ladder from the global mean to a hybrid, with
explanations, cold start, save/load, a CLI (`mltutorial recommend`) and a tour chapter.

Files: dataset (ratings, catalogue, folds), baselines (mean, biases), content, knn, mf (on the
engine), hybrid, metrics, evaluate (the ladder over folds), tuning (validation split), titles,
model (the fitted recommender, reasons, cold start, save/load), figures, cli, chapter.
"""

from mltutorial.apps.recommend.evaluate import LADDER, evaluate
from mltutorial.apps.recommend.model import MovieRecommender

__all__ = ["LADDER", "MovieRecommender", "evaluate"]
