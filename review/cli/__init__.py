"""The review tool's command-line tools: accounts, the read-only database role, the retention purge."""
