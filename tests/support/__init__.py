"""Real local stand-ins the tests run against: a webhook receiver, an SMTP server, servers."""
