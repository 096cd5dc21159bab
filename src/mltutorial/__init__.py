"""mltutorial: the "Machine learning tutorial" talk as software you run.

Layers (imports go down only): cli/report -> live, apps, lessons -> engine, data, viz.
"""

__version__ = "0.1.0"
