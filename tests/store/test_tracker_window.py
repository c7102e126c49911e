"""A windowed conversation carries the same state as the whole of it, and loses no event.

The store is the project's SQL tracker store on a scratch SQLite file; the conversations
are built from Rasa's own events, with slots, a form, resets and pauses spread over many
turns, so that the state before the window is not trivial.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import List

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    AllSlotsReset,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from confidant.rasa_internals.tracker_store import DurableSQLTrackerStore
from confidant.store.tracker_window import carried_state
from tests.support.databases import stored_events

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [faq]
slots:
  topic:
    type: text
    mappings: [{type: custom}]
  escalated:
    type: bool
    initial_value: false
    mappings: [{type: custom}]
  requested_slot:
    type: text
    mappings: [{type: custom}]
forms:
  callback_form:
    required_slots: []
responses:
  utter_faq: [{text: "an answer"}]
"""
)

WINDOW = 3


def session_start() -> List[Event]:
    return [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]


def turn(text: str, *state_events: Event) -> List[Event]:
    return [
        UserUttered(text, intent={"name": "faq", "confidence": 1.0}),
        ActionExecuted("utter_faq"),
        BotUttered(f"answer to {text}"),
        *state_events,
        ActionExecuted("action_listen"),
    ]


def long_conversation(sender: str, opening: List[Event], turns: int) -> DialogueStateTracker:
    """`opening` (a session start and its first turns), then plain turns numbered on to `turns`.

    Events are stamped when made, and the store finds a session by time: make `opening` with
    `session_start()` first.
    """
    events = list(opening)
    first = sum(isinstance(event, UserUttered) for event in opening)
    for number in range(first, turns):
        events += turn(f"q{number}")
    return DialogueStateTracker.from_events(sender, events, DOMAIN.slots)


def new_store(tmp_path: Path, window: int = WINDOW) -> DurableSQLTrackerStore:
    url = f"sqlite:///{tmp_path / ('tracker-' + uuid.uuid4().hex[:6] + '.sqlite3')}"
    return DurableSQLTrackerStore(DOMAIN, host=url, spool_dir=str(tmp_path / "spool"), window_turns=window)


def user_texts(events) -> List[str]:
    return [event.text for event in events if isinstance(event, UserUttered)]


def test_a_long_conversation_is_read_as_its_last_turns_with_its_state(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    sender = "long-" + uuid.uuid4().hex
    opening = session_start() + turn("q0", SlotSet("topic", "court"))
    opening += turn("q1", ActiveLoop("callback_form"), SlotSet("requested_slot", "callback_contact"))
    full = long_conversation(sender, opening, 30)

    async def scenario() -> None:
        await store.save(full)
        windowed = await store.retrieve(sender)
        assert user_texts(windowed.events) == ["q27", "q28", "q29"]
        assert windowed.current_slot_values() == full.current_slot_values()
        assert windowed.active_loop_name == "callback_form"
        assert len(windowed.events) < 20
        whole = await store.retrieve_full_tracker(sender)
        assert user_texts(whole.events) == [f"q{n}" for n in range(30)]

    asyncio.run(scenario())


def test_turns_saved_from_a_window_are_stored_once_in_order(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    sender = "append-" + uuid.uuid4().hex

    async def scenario() -> None:
        tracker = DialogueStateTracker.from_events(sender, session_start(), DOMAIN.slots)
        await store.save(tracker)
        for number in range(12):
            tracker = await store.retrieve(sender)
            for event in turn(f"q{number}", SlotSet("topic", f"t{number}")):
                tracker.update(event)
            await store.save(tracker)

    asyncio.run(scenario())
    stored = stored_events(store.engine.url.render_as_string(hide_password=False), sender)
    assert [e["text"] for e in stored if e["event"] == "user"] == [f"q{n}" for n in range(12)]
    assert [e["value"] for e in stored if e["event"] == "slot"] == [f"t{n}" for n in range(12)]
    assert len(stored) == 3 + 12 * 5


def test_a_restart_before_the_window_clears_the_state_it_carries(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    sender = "restart-" + uuid.uuid4().hex
    opening = session_start() + turn("q0", SlotSet("topic", "court")) + [Restarted(), ActionExecuted("action_listen")]
    full = long_conversation(sender, opening, 10)

    async def scenario() -> None:
        await store.save(full)
        windowed = await store.retrieve(sender)
        assert windowed.current_slot_values() == full.current_slot_values()
        assert windowed.get_slot("topic") is None

    asyncio.run(scenario())


def test_window_zero_reads_the_whole_session(tmp_path: Path) -> None:
    store = new_store(tmp_path, window=0)
    sender = "whole-" + uuid.uuid4().hex
    events = session_start()
    for number in range(8):
        events += turn(f"q{number}")

    async def scenario() -> None:
        await store.save(DialogueStateTracker.from_events(sender, events, DOMAIN.slots))
        assert len(user_texts((await store.retrieve(sender)).events)) == 8

    asyncio.run(scenario())


STATE_EVENTS = st.one_of(
    st.builds(SlotSet, st.just("topic"), st.sampled_from([None, "court", "parents", "records"])),
    st.builds(SlotSet, st.just("escalated"), st.booleans()),
    st.builds(SlotSet, st.just("requested_slot"), st.sampled_from([None, "callback_contact"])),
    st.just(AllSlotsReset()),
    st.builds(ActiveLoop, st.sampled_from([None, "callback_form"])),
    st.just(ConversationPaused()),
    st.just(ConversationResumed()),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(STATE_EVENTS, max_size=3), min_size=0, max_size=12))
def test_compacted_state_replays_to_the_same_slots_loop_and_pause(state_per_turn) -> None:
    events = session_start()
    for number, state_events in enumerate(state_per_turn):
        events += turn(f"q{number}", *state_events)
    full = DialogueStateTracker.from_events("prop", events, DOMAIN.slots)
    compact = DialogueStateTracker.from_dict("prop", carried_state([e.as_dict() for e in events]), DOMAIN.slots)
    assert compact.current_slot_values() == full.current_slot_values()
    assert compact.active_loop_name == full.active_loop_name
    assert compact.is_paused() == full.is_paused()


# Turns that rewrite history, as Rasa writes them: a fallback's rewind (UserUtteranceReverted),
# "go back" (two rewinds), an undone action (ActionReverted), a restart, and a form's turns.


def fallback_turn(text: str, *state_events: Event) -> List[Event]:
    return [
        UserUttered(text, intent={"name": "faq", "confidence": 1.0}),
        ActionExecuted("action_default_fallback"),
        BotUttered("sorry?"),
        *state_events,
        UserUtteranceReverted(),
        ActionExecuted("action_listen"),
    ]


def back_turn(text: str, *state_events: Event) -> List[Event]:
    return [
        UserUttered(text, intent={"name": "faq", "confidence": 1.0}),
        ActionExecuted("action_back"),
        *state_events,
        UserUtteranceReverted(),
        UserUtteranceReverted(),
        ActionExecuted("action_listen"),
    ]


def undone_turn(text: str, *state_events: Event) -> List[Event]:
    return [
        UserUttered(text, intent={"name": "faq", "confidence": 1.0}),
        ActionExecuted("utter_faq"),
        *state_events,
        ActionReverted(),
        ActionExecuted("action_listen"),
    ]


def restart_turn(text: str, *state_events: Event) -> List[Event]:
    return [
        UserUttered(text),
        *state_events,
        ActionExecuted("action_restart"),
        Restarted(),
        ActionExecuted("action_listen"),
    ]


def form_turn(text: str, *state_events: Event) -> List[Event]:
    return [
        UserUttered(text, intent={"name": "faq", "confidence": 1.0}),
        ActionExecuted("callback_form"),
        *state_events,
        ActionExecuted("action_listen"),
    ]


TURN_KINDS = st.sampled_from([turn, turn, fallback_turn, back_turn, undone_turn, restart_turn, form_turn])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(TURN_KINDS, st.lists(STATE_EVENTS, max_size=3)), min_size=WINDOW + 1, max_size=14))
def test_a_window_after_rewinds_and_restarts_has_the_state_of_the_whole_session(tmp_path_factory, turns) -> None:
    # "Go back" right after a form turn: a known difference, held by the test below.
    kinds = [kind for kind, _ in turns]
    assume(not any(kind is back_turn and before is form_turn for before, kind in zip(kinds, kinds[1:], strict=False)))
    assert_window_matches(tmp_path_factory, turns)


@pytest.mark.xfail(strict=True, reason="known: 'go back' after a form turn keeps a slot the whole session undoes")
def test_go_back_after_a_form_turn_in_a_window_undoes_what_the_whole_session_undoes(tmp_path_factory) -> None:
    """Found by the property above: the window keeps topic 'court', the whole session has none."""
    turns = [
        (turn, []),
        (turn, []),
        (fallback_turn, [ActiveLoop("callback_form")]),
        (form_turn, [SlotSet("topic", "court")]),
        (form_turn, []),
        (back_turn, []),
    ]
    assert_window_matches(tmp_path_factory, turns)


def assert_window_matches(tmp_path_factory: pytest.TempPathFactory, turns: list) -> None:
    events = session_start()
    for number, (kind, state_events) in enumerate(turns):
        events += kind(f"q{number}", *state_events)
    # Hypothesis made the state events before this session started; the store finds a session
    # by time, so stamp the events in order.
    for number, event in enumerate(events):
        event.timestamp = events[0].timestamp + number / 1000
    sender = "rewrites-" + uuid.uuid4().hex
    full = DialogueStateTracker.from_events(sender, events, DOMAIN.slots)
    store = new_store(tmp_path_factory.mktemp("rewrites"))

    async def scenario() -> DialogueStateTracker:
        await store.save(full)
        return await store.retrieve(sender)

    windowed = asyncio.run(scenario())
    assert windowed.current_slot_values() == full.current_slot_values()
    assert windowed.active_loop_name == full.active_loop_name
    assert windowed.is_paused() == full.is_paused()


def test_a_fallback_before_the_window_no_longer_means_reading_the_whole_session(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    sender = "fallback-" + uuid.uuid4().hex
    opening = session_start() + turn("q0", SlotSet("topic", "court")) + fallback_turn("q1", SlotSet("topic", "lost"))
    full = long_conversation(sender, opening, 40)

    async def scenario() -> None:
        await store.save(full)
        windowed = await store.retrieve(sender)
        assert user_texts(windowed.events) == ["q37", "q38", "q39"]
        assert windowed.get_slot("topic") == "court" == full.get_slot("topic")

    asyncio.run(scenario())


def test_going_back_past_the_start_of_the_window_reads_the_turn_before_it(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    sender = "back-" + uuid.uuid4().hex
    events = session_start() + turn("q0") + turn("q1", SlotSet("topic", "court")) + turn("q2")
    events += back_turn("q3") + turn("q4") + turn("q5")  # "go back" undoes q3 and q2, before the window
    full = DialogueStateTracker.from_events(sender, events, DOMAIN.slots)

    async def scenario() -> None:
        await store.save(full)
        store._recent.clear()  # a fresh process: read from the database
        windowed = await store.retrieve(sender)
        assert windowed.get_slot("topic") == "court" == full.get_slot("topic")

    asyncio.run(scenario())
