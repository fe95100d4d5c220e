"""Alembic environment: runs the migrations on the URL that groupinsurance.db.upgrade() passes in,
on a connection it hands over, or (for the alembic command line) on DATABASE_URL."""
from logging.config import fileConfig

from alembic import context

from groupinsurance import db
from groupinsurance.models import Base
from groupinsurance.money import Money

config = context.config
# Only the command line reads alembic.ini; the app's own logging stays untouched when it calls upgrade().
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
target_metadata = Base.metadata


def _render_item(type_, obj, autogen_context):
    # Autogenerate would write groupinsurance.money.Money(precision=..., scale=...) without importing it.
    if type_ == "type" and isinstance(obj, Money):
        autogen_context.imports.add("from groupinsurance.money import Money")
        return "Money()"
    return False


def _configure(**kwargs):
    context.configure(
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=True,
        compare_type=True,
        render_item=_render_item,
        **kwargs,
    )


def run_migrations_offline() -> None:
    _configure(url=config.get_main_option("sqlalchemy.url") or db.database_url(), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = db.make_engine(config.get_main_option("sqlalchemy.url") or db.database_url())
    try:
        with engine.connect() as connection:
            _configure(connection=connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
