"""Alembic environment of the review console's database (online migrations only)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from services.console.store import Base

url = context.config.get_main_option("sqlalchemy.url")
assert url, "sqlalchemy.url is set by services.console.store.migrate"
engine = create_engine(url, poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
