"""Event classes found by name with a lookup give what Rasa's walk gives."""

from __future__ import annotations

from unittest import mock

import pytest
import rasa.shared.utils.common
from rasa.shared.core.events import Event, SlotSet, UserUttered, deserialise_events

from confidant.rasa_internals import event_types


def rasa_walk(type_name: str) -> type:
    """What Rasa 3.6 returns: the first non-abstract subclass with that name."""
    return next(c for c in rasa.shared.utils.common.all_subclasses(Event) if c.type_name == type_name)


@pytest.fixture(autouse=True)
def installed() -> None:
    event_types.install()


def test_every_event_type_resolves_to_the_class_rasa_finds() -> None:
    names = {c.type_name for c in rasa.shared.utils.common.all_subclasses(Event)}
    assert len(names) > 15
    for name in names:
        assert Event.resolve_by_type(name) is rasa_walk(name), name
        assert Event.resolve_by_type(name) is rasa_walk(name), name  # the remembered answer too


def test_unknown_names_behave_as_in_rasa() -> None:
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    assert Event.resolve_by_type("topic") is None


def test_classes_are_walked_once_per_name_not_per_event() -> None:
    stored = [{"event": "user", "text": f"question {n}", "parse_data": {}} for n in range(200)]
    with mock.patch.object(
        rasa.shared.utils.common, "all_subclasses", wraps=rasa.shared.utils.common.all_subclasses
    ) as walk:
        Event.resolve_by_type("user")  # may walk once if not seen yet
        first = walk.call_count
        events = deserialise_events(stored)
    assert all(isinstance(event, UserUttered) for event in events) and len(events) == 200
    assert walk.call_count == first


def test_installing_twice_wraps_once() -> None:
    installed = Event.resolve_by_type
    event_types.install()
    assert Event.resolve_by_type is installed
