"""`python -m confidant.notify.acknowledge ID --by NAME`: a person has seen an escalation.

Stops the second contact from being paged, like the review tool's queue, and is recorded in the
review tool's audit log like an acknowledgement there (actor "command line", who in the detail).
"""

from __future__ import annotations

import argparse
import sys

from confidant.notify.outbox import Escalation, default_outbox

CLI_ACTOR = "command line"


def audit_acknowledgement(escalation: Escalation, by: str) -> None:
    """The acknowledgement in the review tool's audit log (its database and key, from the environment)."""
    from review.config import ReviewConfig
    from review.storage import audit
    from review.storage.appdb import open_review_db

    log = audit.AuditLog(open_review_db(ReviewConfig.from_env().review_db_url))
    log.record(CLI_ACTOR, audit.ACKNOWLEDGE, escalation.conversation_id, f"escalation {escalation.id} by {by[:64]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("escalation_id")
    parser.add_argument("--by", required=True, help="who is acknowledging (name or account)")
    args = parser.parse_args()
    if default_outbox().acknowledge(args.escalation_id, args.by):
        print(f"Escalation {args.escalation_id} acknowledged by {args.by}.")
        acknowledged = default_outbox().escalation(args.escalation_id)
        try:
            if acknowledged is not None:
                audit_acknowledgement(acknowledged, args.by)
        except Exception as error:  # the acknowledgement stands; the missing audit entry must be seen
            print(f"Acknowledged, but NOT recorded in the audit log: {type(error).__name__}: {error}", file=sys.stderr)
            raise SystemExit(1) from None
        return
    escalation = default_outbox().escalation(args.escalation_id)
    if escalation is None:
        raise SystemExit(f"No escalation {args.escalation_id}.")
    raise SystemExit(
        f"Escalation {args.escalation_id} was already acknowledged by "
        f"{escalation.acknowledged_by} at {escalation.acknowledged_at}."
    )


if __name__ == "__main__":
    main()
