"""Tracker and lock store hardening where Rasa 3.6 falls short."""
