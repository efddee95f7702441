"""Alembic environment: the URL comes from settings.py (DATABASE_URL) or the caller.

`data.model.migrate.upgrade(engine)` passes a live connection in `config.attributes`, so the
app, the CLI and the tests upgrade the same database they use.
"""
from logging.config import fileConfig

from alembic import context

from data.model import metadata
from settings import load_settings

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def run_migrations_offline() -> None:
    context.configure(url=load_settings().database_url, target_metadata=metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        from data.model.db import make_engine
        with make_engine(load_settings().database_url).connect() as conn:
            _run(conn)
            conn.commit()
    else:
        _run(connection)


def _run(connection) -> None:
    # render_as_batch: SQLite cannot ALTER most things; batch mode copies tables safely.
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
