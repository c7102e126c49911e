"""The clinicians' review tool: who wrote, what they asked, what was escalated, who followed up.

A separate web app from the assistant. It reads Rasa's SQL tracker store directly (never
Rasa's HTTP API, which stays off), the escalation outbox and the contact vault, and keeps its
own accounts, sessions, audit log, notes and resolutions. Nothing is shown without an account,
and every look at a transcript is recorded.
"""
