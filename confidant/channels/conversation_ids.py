"""The conversation-id prefixes each channel issues, defined once.

The web chat and SMS channels make their own conversation ids (a keyed hash, never a value the
client chose). Those ids appear in notifications, review links and logs, so other channels
must refuse them: the REST channel checks a sender against these prefixes.
"""

from __future__ import annotations

from typing import Optional

WEB_CONVERSATION_PREFIX = "web-"  # confidant.channels.socketio: HMAC of the session token
SMS_CONVERSATION_PREFIX = "sms-"  # confidant.channels.sms.pseudonyms: HMAC of the phone number
ISSUED_PREFIXES = (WEB_CONVERSATION_PREFIX, SMS_CONVERSATION_PREFIX)


def issued_prefix_of(conversation_id: str) -> Optional[str]:
    """The channel prefix a conversation id starts with (any case), or None."""
    lowered = conversation_id.lower()
    return next((prefix for prefix in ISSUED_PREFIXES if lowered.startswith(prefix)), None)
