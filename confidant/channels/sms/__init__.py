"""The SMS channel (Twilio): the webhook connector, its fallback server, outbound sending, phone
pseudonyms, request signatures, the number store and the message texts."""
