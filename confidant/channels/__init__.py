"""Channel connectors hardened for clients who may be frightened, hurried or hostile."""
