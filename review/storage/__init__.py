"""The review tool's data: its own database (accounts, sessions, audit log, follow-up), the
escalation queue, and reading and erasing conversations in the tracker store."""
