"""Google Translate's "mapping between languages": word vectors learned from context in each
language, then one rotation that maps English vectors onto Spanish ones.

"The semantic equivalence of words has been inferred by their context, so similar meanings are
co-located." `embed.py` learns the vectors (PPMI + SVD, and skip-gram on the engine); `align.py`
learns the map from a seed dictionary and translates by nearest neighbour.
"""
