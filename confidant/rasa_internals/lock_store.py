"""A Redis lock store whose every read-modify-write is atomic.

Rasa 3.6's RedisLockStore issues a ticket by reading the lock, adding a ticket in Python and
writing it back. Two Rasa instances handling the same conversation at once can both read the
same lock and hand out the same ticket number, so two turns of one conversation run
interleaved. Here each change runs in a WATCH/MULTI transaction that is retried if another
instance touched the lock in between, so ticket numbers are unique and turns are serialised.

Rasa also lets a waiting ticket expire: when an instance dies holding a conversation's
ticket, the next message's ticket, issued a moment later with the same lifetime, lapses
with it, and that message then waits for ever behind a ticket that no longer exists. Here a
waiter renews its own ticket every time it looks, so only the tickets of the dead lapse.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any, Callable, Optional, Text, Tuple, TypeVar

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

Result = TypeVar("Result")
Change = Callable[[Optional[TicketLock]], Tuple[Optional[TicketLock], Result]]
MAX_RETRIES = 1000


class AtomicRedisLockStore(RedisLockStore):
    """Drop-in for `type: redis` in endpoints.yml: `type: confidant.rasa_internals.lock_store.AtomicRedisLockStore`."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        # Rasa hands a custom lock store its endpoint config; the built-in one gets keywords.
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url, **endpoint_config.kwargs, **kwargs}
        if "port" in kwargs:
            kwargs["port"] = int(kwargs["port"])
        if "db" in kwargs:
            kwargs["db"] = int(kwargs["db"])
        super().__init__(**kwargs)

    def _atomically(self, conversation_id: Text, change: Change[Result]) -> Result:
        key = self.key_prefix + conversation_id
        for _ in range(MAX_RETRIES):
            with self.red.pipeline() as pipe:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(raw)) if raw else None
                    new_lock, result = change(lock)
                    pipe.multi()
                    if new_lock is None:
                        pipe.delete(key)
                    else:
                        pipe.set(key, new_lock.dumps())
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue
        raise LockError(f"Lock for conversation '{conversation_id}' kept changing; gave up.")

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def add_ticket(lock: Optional[TicketLock]) -> Tuple[TicketLock, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._atomically(conversation_id, add_ticket)
        except redis.RedisError as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    async def _acquire_lock(self, conversation_id: Text, ticket: int, wait_time_in_seconds: float) -> TicketLock:
        def renew_and_look(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], Optional[TicketLock]]:
            if lock is None:
                return None, None
            for held in lock.tickets:
                if held.number == ticket:
                    held.expires = time.time() + LOCK_LIFETIME  # we are alive and still waiting
            lock.remove_expired_tickets()
            return lock, lock

        while True:
            try:
                lock = self._atomically(conversation_id, renew_and_look)
            except redis.RedisError as error:
                raise LockError(f"Error while acquiring lock. Error:\n{error}") from error
            if lock is None or ticket not in {held.number for held in lock.tickets}:
                raise LockError(f"Lost the place in the queue for conversation '{conversation_id}'.")
            if not lock.is_locked(ticket):
                return lock
            await asyncio.sleep(wait_time_in_seconds)

    def update_lock(self, conversation_id: Text) -> None:
        def drop_expired(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock:
                lock.remove_expired_tickets()
            return lock, None

        self._atomically(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        def remove_ticket(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._atomically(conversation_id, remove_ticket)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Remove this ticket, and the lock with it if no one else waits: one transaction."""

        def release(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if not lock:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._atomically(conversation_id, release)
