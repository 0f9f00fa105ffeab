"""Alembic revisions, oldest first; see db/migrate.py for how they are applied."""
