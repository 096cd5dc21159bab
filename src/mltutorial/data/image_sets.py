"""Choosing an image set: the first of a preference list whose real files are found.

Lessons and apps that classify images name the sets they prefer, best first; the last one is the
answer of last resort (scikit-learn's digits ship with scikit-learn, so a list ending with "digits"
always ends on real images). Forcing one set by name skips the search.

    name, images = first_image_set(("cifar10", "fashion_mnist", "digits"))
    images.info.label, images.X_train.shape   # NCHW uint8
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from mltutorial.data import images as _images
from mltutorial.data.types import Images
from mltutorial.errors import UserError

LOADERS: dict[str, Callable[[], Images]] = {
    "cifar10": _images.load_cifar10,
    "fashion_mnist": _images.load_fashion_mnist,
    "mnist": _images.load_mnist,
    "digits": _images.load_digits,
}


def first_image_set(prefer: Sequence[str], dataset: str = "auto") -> tuple[str, Images]:
    """(name, Images) of the first set in `prefer` found for real, else the last one in `prefer`.

    A set counts as found when its training split has images and it is not a built-in stand-in.
    `dataset` other than "auto" must be one of `prefer`; that set is loaded whatever it holds.
    """
    if not prefer:
        raise ValueError("first_image_set needs at least one set name")
    unknown = [name for name in prefer if name not in LOADERS]
    if unknown:
        raise ValueError(f"unknown image set(s) {unknown}; known: {', '.join(LOADERS)}")
    if dataset != "auto":
        if dataset not in prefer:
            raise UserError(f"--dataset={dataset}: expected auto or one of {', '.join(prefer)}")
        return dataset, LOADERS[dataset]()
    for name in prefer:
        images = LOADERS[name]()
        if len(images.y_train) > 0 and not images.info.is_fallback:
            return name, images
    return name, images
