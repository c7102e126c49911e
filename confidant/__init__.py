"""Confidant: the Python behind a therapy practice's confidentiality assistant.

Every process that imports this package (Rasa with our components, the action server, the
tools) runs with Rasa's telemetry switched off: a product about confidentiality must not send
usage data anywhere, whatever the caller's environment says.
"""

import os

os.environ["RASA_TELEMETRY_ENABLED"] = "false"
