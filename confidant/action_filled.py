"""Names the actions fill into the responses they send, by response.

The response generator refuses at start-up a response naming something nothing fills; these
are filled by the action server when it sends the response (read-backs of masked contacts).
"""

from __future__ import annotations

from typing import Dict, FrozenSet

from confidant.appointment_text import CONFIRM_REPLY_VARIABLES
from confidant.callback_text import SAVED_REPLY_VARIABLES

ACTION_FILLED_VARIABLES: Dict[str, FrozenSet[str]] = {**SAVED_REPLY_VARIABLES, **CONFIRM_REPLY_VARIABLES}
