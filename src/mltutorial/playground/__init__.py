"""`mltutorial playground`: a small network trains live on the engine while you move the knobs.

TensorFlow Playground's controls (data, features, layers, activation, learning rate, regularisation)
plus the talk's experiments as presets and your own CSV; the whole state lives in the URL.
`create_router()` mounts it inside another app (the slides); `create_app()` serves it alone.
"""

from mltutorial.playground.settings import Settings
from mltutorial.playground.state import PROPS, State, StateError

__all__ = ["PROPS", "Settings", "State", "StateError", "create_app", "create_router"]


def create_router(settings: Settings | None = None):
    from mltutorial.playground.app import create_router as make

    return make(settings)


def create_app(settings: Settings | None = None):
    from mltutorial.playground.app import create_app as make

    return make(settings)
