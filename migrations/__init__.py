"""Alembic migrations of CareBridge's tables (``cb_*`` only, version table
``cb_alembic_version``)."""
