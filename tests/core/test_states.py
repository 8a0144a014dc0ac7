from dataclasses import dataclass

import pytest

from mercato.core.states import IllegalTransition, Move, Transitions, advance

DOOR = Transitions(
    field="status",
    moves={
        "open": Move(source={"closed"}, target="open"),
        "close": Move(source={"open"}, target="closed"),
        "lock": Move(source={"closed"}, target="locked"),
    },
)


@dataclass
class Door:
    status: str


def test_advance_moves_along_the_table_and_returns_old_and_new():
    door = Door("closed")
    assert advance(door, DOOR, "open") == ("closed", "open")
    assert door.status == "open"


def test_a_move_not_in_the_table_raises_and_changes_nothing():
    door = Door("open")
    with pytest.raises(IllegalTransition) as error:
        advance(door, DOOR, "lock")
    assert door.status == "open"
    assert error.value.status == 409
    assert "Cannot lock a door that is open" in error.value.detail


def test_unknown_action_is_illegal():
    with pytest.raises(IllegalTransition):
        advance(Door("open"), DOOR, "fly")


def test_allowed_actions_lists_what_the_status_permits():
    assert DOOR.allowed_actions("closed") == ["open", "lock"]
    assert DOOR.allowed_actions("locked") == []
