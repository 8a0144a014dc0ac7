"""State machines as transition tables, moved by one helper."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mercato.core.problems import Conflict


class IllegalTransition(Conflict):
    slug = "illegal-transition"
    title = "This action is not allowed in the current state"


@dataclass(frozen=True)
class Move:
    source: frozenset[str]
    target: str

    def __init__(self, source: set[str] | frozenset[str], target: str) -> None:
        object.__setattr__(self, "source", frozenset(source))
        object.__setattr__(self, "target", target)


@dataclass(frozen=True)
class Transitions:
    field: str
    moves: Mapping[str, Move] = field(default_factory=dict)

    def allowed_actions(self, status: str) -> list[str]:
        return [action for action, move in self.moves.items() if status in move.source]


def advance(obj: Any, table: Transitions, action: str) -> tuple[str, str]:
    """Apply `action` to `obj` if the table allows it from its status; return (old, new)."""
    old = getattr(obj, table.field)
    move = table.moves.get(action)
    if move is None or old not in move.source:
        raise IllegalTransition(
            f"Cannot {action} a {type(obj).__name__.lower()} that is {old}.",
            action=action, current_status=old,
        )
    setattr(obj, table.field, move.target)
    return old, move.target
