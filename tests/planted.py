"""A pickle that runs code when a plain pickle.load reads it: what a memo must refuse."""

from __future__ import annotations

from typing import Any


class Planted:
    """Unpickled by a plain pickle.load, this would call `action(*args)`."""

    def __init__(self, action: Any, *args: object) -> None:
        self.action = action
        self.args = args

    def __reduce__(self) -> tuple[Any, tuple[object, ...]]:
        return self.action, self.args
