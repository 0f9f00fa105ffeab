"""Alembic migrations for every motcua database (desk SQLite and central PostgreSQL)."""
