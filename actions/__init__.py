"""Custom actions of the assistant's action server, one module per feature.

Wording never lives here: actions choose domain responses, so every sentence a client reads
stays in domain.yml.
"""
