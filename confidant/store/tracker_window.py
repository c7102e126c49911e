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
# Events that rewrite earlier history; if one lies before the window, read the whole session.
HISTORY_REWRITING_EVENT_TYPES = ("restart", "rewind", "undo")
PREFIX_EVENT_TYPES = STATE_EVENT_TYPES + HISTORY_REWRITING_EVENT_TYPES

LISTEN_ACTION = ACTION_LISTEN_NAME
SESSION_START_ACTION = ACTION_SESSION_START_NAME


def turns_in(events: Iterable[Any]) -> int:
    """How many turns a tracker's events hold (each ends with the bot listening)."""
    return sum(1 for event in events if getattr(event, "action_name", None) == LISTEN_ACTION)


def rewrites_history(events: Iterable[Dict[str, Any]]) -> bool:
    """True if the events include a restart or an undo, which the compaction cannot follow."""
    return any(event.get("event") in HISTORY_REWRITING_EVENT_TYPES for event in events)


def carried_state(events: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Reduce the state-setting events before the window to those that still count.

    Keeps the session start, the last value of every slot (after the last reset), the last
    active loop with what happened to it since, and whether the conversation is paused.
    The result replays to the same slots, active loop and paused flag as the input.
    """
    session_start: List[Dict[str, Any]] = []
    slots: Dict[Text, Dict[str, Any]] = {}
    loop: List[Dict[str, Any]] = []
    paused: Optional[Dict[str, Any]] = None
    for event in events:
        kind = event.get("event")
        if (kind == "action" and event.get("name") == SESSION_START_ACTION) or kind == "session_started":
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
