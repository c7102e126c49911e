"""`python -m confidant.store.ensure_database URL`: create the PostgreSQL database if missing."""

from __future__ import annotations

import sys

import sqlalchemy as sa
from sqlalchemy.engine import make_url


def ensure_database(url: str) -> bool:
    """Create the database named in `url`; True if it had to be created."""
    target = make_url(url)
    if not target.drivername.startswith("postgresql"):
        return False
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
            ).scalar()
            if not exists:
                connection.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
            return not exists
    finally:
        admin.dispose()


if __name__ == "__main__":
    created = ensure_database(sys.argv[1])
    print("Database created." if created else "Database ready.")
