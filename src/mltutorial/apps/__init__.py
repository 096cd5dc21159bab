"""Daily-life systems of the talk: each app is a subpackage with `cli.py` and `chapter.py`."""
