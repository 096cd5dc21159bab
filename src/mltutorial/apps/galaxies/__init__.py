"""Galaxy Zoo: the tour chapter (the model and its CLI live in apps/vision)."""
