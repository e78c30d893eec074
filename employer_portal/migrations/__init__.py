"""Alembic migrations of the portal's own tables (``portal_*`` only; version table
``portal_alembic_version``). ``carebridge db upgrade`` runs them after the plugin's."""
