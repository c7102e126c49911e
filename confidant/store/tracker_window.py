"""The recent window of a conversation, and the state carried over from before it.

Rasa replays a conversation's whole session on every turn: reading it from the store,
rebuilding the tracker and featurising every earlier turn for the policies, so a turn
costs more the longer the conversation. Nothing in this assistant looks further back than
a few turns (memoization's max_history is 4; rules are a few steps long; slots and the
active form carry everything older that matters). So the store hands Rasa the last turns
in full plus the state-setting events from before them, compacted to what they leave
behind, and the cost of a turn stays flat.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Text

from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

# Events whose effect outlives their turn: the tracker's slots, active loop and paused flag.
STATE_EVENT_TYPES = (
    "slot",
    "reset_slots",
    "active_loop",
    "loop_interrupted",
    "action_execution_rejected",
    "pause",
    "resume",
    "session_started",
)
# Events that rewrite earlier history; if one lies before the window, the turns around it are
# read too (as bare markers) to know what it removed.
HISTORY_REWRITING_EVENT_TYPES = ("restart", "rewind", "undo")
PREFIX_EVENT_TYPES = STATE_EVENT_TYPES + HISTORY_REWRITING_EVENT_TYPES

LISTEN_ACTION = ACTION_LISTEN_NAME
SESSION_START_ACTION = ACTION_SESSION_START_NAME


def turns_in(events: Iterable[Any]) -> int:
    """How many turns a tracker's events hold (each ends with the bot listening)."""
    return sum(1 for event in events if getattr(event, "action_name", None) == LISTEN_ACTION)


def rewrites_history(events: Iterable[Dict[str, Any]]) -> bool:
    """True if the events include a restart or an undo: what counts then depends on the turns."""
    return any(event.get("event") in HISTORY_REWRITING_EVENT_TYPES for event in events)


# What a restart or undo removes is decided by where the user messages and actions were.
TURN_MARKER_EVENT_TYPES = ("user", "action")


def turn_marker(kind: Text, action_name: Optional[Text]) -> Dict[str, Any]:
    """A user message or action reduced to what an undo looks at (its kind, an action's name)."""
    return {"event": "action", "name": action_name} if kind == "action" else {"event": "user"}


def _as_event(event: Dict[str, Any]) -> Event:
    if event.get("event") == "user" and "text" not in event:
        return UserUttered()
    if event.get("event") == "action" and set(event) <= {"event", "name"}:
        return ActionExecuted(event.get("name"))
    return Event.from_parameters(event)


def _applied(events: Iterable[Event]) -> List[Event]:
    """Rasa's own `applied_events` over `events`, on a tracker that is never replayed."""
    tracker = DialogueStateTracker("window", [])
    tracker.events.extend(events)
    return tracker.applied_events()


def applied_state_events(events: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The state-setting events that still count once the restarts and undos among them are applied.

    `events` are the state-setting and history-rewriting events before the window, in order,
    with every user message and action between them as a marker (`turn_marker`). Which events
    an undo ("rewind" after a fallback, "undo", "restart") removes is decided by Rasa's own
    `applied_events`, on a tracker that is never replayed, so the rule cannot drift from Rasa's.
    """
    applied = [event.as_dict() for event in _applied(map(_as_event, events)) if event.type_name in STATE_EVENT_TYPES]
    # Rasa drops everything up to a session start from the applied events, the start included;
    # the windowed tracker keeps its session start in front, as the whole session would.
    return [event for event in events if is_session_start(event)] + [
        event for event in applied if not is_session_start(event)
    ]


def undo_reaches_before(carried: List[Dict[str, Any]], recent: List[Dict[str, Any]]) -> bool:
    """True if an undo inside the window reverts past its start ("go back" twice, say).

    The window starts where the bot listened, so a fallback's rewind stays inside it; an
    undo that goes further needs the turns before the window, which only a whole read has.
    Decided by Rasa's `applied_events` with a marker at the window's start: gone means reached.
    """
    if not rewrites_history(recent):
        return False
    marker = SlotSet("__window_start__")
    applied = _applied([*map(_as_event, carried), marker, *map(_as_event, recent)])
    return not any(event is marker for event in applied)


def is_session_start(event: Dict[str, Any]) -> bool:
    kind = event.get("event")
    return kind == "session_started" or (kind == "action" and event.get("name") == SESSION_START_ACTION)


def carried_state(events: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Reduce the state-setting events before the window to those that still count.

    Keeps the session start, the last value of every slot (after the last reset), the last
    active loop with what happened to it since, and whether the conversation is paused.
    The result replays to the same slots, active loop and paused flag as the input.
    """
    session_start: List[Dict[str, Any]] = []
    slots: Dict[Optional[Text], Dict[str, Any]] = {}  # by name (None: a malformed event, kept as it came)
    loop: List[Dict[str, Any]] = []
    paused: Optional[Dict[str, Any]] = None
    for event in events:
        kind = event.get("event")
        if is_session_start(event):
            session_start.append(event)
        elif kind == "slot":
            slots.pop(event.get("name"), None)
            slots[event.get("name")] = event
        elif kind == "reset_slots":
            slots.clear()
        elif kind == "active_loop":
            loop = [event]
        elif kind in ("loop_interrupted", "action_execution_rejected"):
            loop.append(event)
        elif kind in ("pause", "resume"):
            paused = event
    return session_start + list(slots.values()) + loop + ([paused] if paused else [])
