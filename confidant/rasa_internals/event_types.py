"""Find an event's class by its type name with a lookup, not a walk of every Event class.

Rasa 3.6 resolves the class of every stored event it reads by walking all subclasses of
`Event` and asking each whether it is abstract: about 0.08 ms an event here, several
milliseconds for every turn's tracker. The answer only changes when a new event class is
imported, so a name is looked up the way Rasa does the first time and remembered after;
a name not found yet is asked of Rasa again each time (and raises Rasa's own error).
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Text, Type

_INSTALLED = "_confidant_remembers_event_types"
_NOT_FOUND: Any = object()


def install() -> None:
    """Make `Event.resolve_by_type` remember what it found (idempotent)."""
    from rasa.shared.core.events import Event

    rasa_resolve = Event.resolve_by_type
    if getattr(rasa_resolve, _INSTALLED, False):
        return
    found: Dict[Text, Type[Event]] = {}

    def resolve_by_type(type_name: Text, default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
        event_class = found.get(type_name)
        if event_class is not None:
            return event_class
        event_class = rasa_resolve(type_name, _NOT_FOUND)
        if event_class is not None and event_class is not _NOT_FOUND:
            found[type_name] = event_class
            return event_class
        return rasa_resolve(type_name, default)  # Rasa's own answer for "topic" and unknown names

    setattr(resolve_by_type, _INSTALLED, True)
    Event.resolve_by_type = staticmethod(resolve_by_type)
