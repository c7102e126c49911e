"""Everything the review app and its commands work with, built once from the configuration."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Tuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import Engine

from confidant.contact_vault import ContactVault
from confidant.notify.outbox import Outbox
from confidant.settings import PracticeSettings, current_settings
from review.config import ConfigError, ReviewConfig
from review.storage.account_store import AccountStore
from review.storage.appdb import open_review_db
from review.storage.audit import AuditLog
from review.storage.conversations import ConversationIndex
from review.storage.deletion import ConversationEraser
from review.storage.engines import make_engine
from review.storage.escalation_queue import EscalationQueue
from review.storage.followup import FollowUp
from review.storage.sessions import SessionStore


@dataclass
class Services:
    config: ReviewConfig
    settings: PracticeSettings
    zone: ZoneInfo
    read_engine: Engine
    write_engine: Engine
    review_engine: Engine
    conversations: ConversationIndex
    accounts: AccountStore
    sessions: SessionStore
    audit: AuditLog
    followup: FollowUp
    outbox: Outbox
    vault: ContactVault
    queue: EscalationQueue
    eraser: ConversationEraser

    @property
    def practice_contacts(self) -> Tuple[str, str]:
        """The practice's own phone and email: never masked in the assistant's answers."""
        return (self.settings.practice.phone, self.settings.practice.email)


def display_zone(name: str, practice_zone: str = "UTC") -> ZoneInfo:
    """The zone pages show times in: CONFIDANT_REVIEW_TIMEZONE if set, else the practice's own."""
    try:
        return ZoneInfo(name or practice_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"Unknown time zone {name!r} (CONFIDANT_REVIEW_TIMEZONE).") from None


def build_services(config: ReviewConfig) -> Services:
    settings = current_settings()
    review_engine = open_review_db(config.review_db_url)
    read_engine = make_engine(config.read_url, read_only=True)
    write_engine = make_engine(config.database_url)
    outbox = Outbox(config.outbox_path)
    contact_key = config.contact_key
    vault = ContactVault(config.vault_path, contact_key)
    followup = FollowUp(review_engine)
    audit = AuditLog(review_engine)
    return Services(
        config=config,
        settings=settings,
        zone=display_zone(config.timezone, settings.practice.timezone),
        read_engine=read_engine,
        write_engine=write_engine,
        review_engine=review_engine,
        conversations=ConversationIndex(read_engine, keep=(settings.practice.phone, settings.practice.email)),
        accounts=AccountStore(review_engine),
        sessions=SessionStore(
            review_engine,
            idle=timedelta(minutes=config.session_idle_minutes),
            lifetime=timedelta(hours=config.session_lifetime_hours),
        ),
        audit=audit,
        followup=followup,
        outbox=outbox,
        vault=vault,
        queue=EscalationQueue(outbox, followup),
        eraser=ConversationEraser(
            write_engine,
            vault,
            outbox,
            followup,
            audit,
            sms_key=(lambda: contact_key) if contact_key else None,
        ),
    )
