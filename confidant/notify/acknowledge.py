"""`python -m confidant.notify.acknowledge ID --by NAME`: a person has seen an escalation.

Stops the second contact from being paged. The review tool will do the same from its queue.
"""

from __future__ import annotations

import argparse

from confidant.notify.outbox import default_outbox


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("escalation_id")
    parser.add_argument("--by", required=True, help="who is acknowledging (name or account)")
    args = parser.parse_args()
    if default_outbox().acknowledge(args.escalation_id, args.by):
        print(f"Escalation {args.escalation_id} acknowledged by {args.by}.")
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
