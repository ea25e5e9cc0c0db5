"""Alembic's environment for the saved library (run in code by ``dashboard.library.upgrade``).

The connection comes from ``config.attributes["connection"]``: the app opens it (inside its migration
lock) and Alembic runs every pending migration on it. Offline (SQL script) mode uses the URL.
"""

from __future__ import annotations

from alembic import context

from dashboard.library import metadata

config = context.config


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes["connection"]
    # batch mode: SQLite cannot ALTER most things in place; Alembic copies the table instead
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
