"""The review app's routes, one module per feature; each module's `blueprint()` builds its routes."""
