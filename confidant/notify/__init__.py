"""Telling a person at the practice: a durable outbox and the notifiers that empty it."""
