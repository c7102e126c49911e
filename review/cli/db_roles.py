"""`python -m review.cli.db_roles`: a PostgreSQL role that can read transcripts and nothing else.

    python -m review.cli.db_roles --admin-url postgresql://postgres@127.0.0.1:5432/confidant \
        --readonly-user confidant_review [--password-stdin] [--schema public]

Run it as a role that owns (or may grant on) Rasa's `events` table, after Rasa has created it.
The new role may log in and SELECT from `events`; it cannot write, delete or see other tables,
and its transactions are read-only by default. Point `CONFIDANT_REVIEW_READ_URL` at it; keep
the privileged `CONFIDANT_DATABASE_URL` for erasure and retention. Running it again brings an
existing role back to exactly these rights (and sets the new password, if one is given).
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any, Optional, Sequence

import psycopg2
from psycopg2 import sql

from review.storage.engines import normalise_url

ROLE_PATTERN = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _dsn(admin_url: str) -> str:
    """psycopg2 takes `postgresql://` URLs but not SQLAlchemy's `postgresql+psycopg2://`."""
    url = normalise_url(admin_url)
    return re.sub(r"^postgresql\+\w+://", "postgresql://", url)


def _single_value(cursor: Any) -> Any:
    """The value of a query that always returns one row (current_database(), to_regclass())."""
    row = cursor.fetchone()
    if row is None:
        raise SystemExit("PostgreSQL returned no row for a query that always returns one.")
    return row[0]


def grant_read_only(admin_url: str, role: str, password: Optional[str] = None, schema: str = "public") -> str:
    """Create or reset `role` with SELECT on `events` only; returns the database name."""
    if not ROLE_PATTERN.match(role):
        raise SystemExit("The role name must be lower-case letters, digits and '_', starting with a letter or '_'.")
    connection = psycopg2.connect(_dsn(admin_url))
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_database()")
            database = _single_value(cursor)
            cursor.execute("SELECT to_regclass(%s)", (f"{schema}.events",))
            if _single_value(cursor) is None:
                raise SystemExit(
                    f"No table {schema}.events in database {database}: start Rasa once with this tracker store "
                    "so it creates the table, then run this again."
                )
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
            verb = "ALTER" if cursor.fetchone() else "CREATE"
            attributes = sql.SQL("LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS")
            statement = sql.SQL("{verb} ROLE {role} WITH {attributes}").format(
                verb=sql.SQL(verb), role=sql.Identifier(role), attributes=attributes
            )
            if password is not None:
                statement = statement + sql.SQL(" PASSWORD {}").format(sql.Literal(password))
            cursor.execute(statement)
            role_id = sql.Identifier(role)
            cursor.execute(sql.SQL("ALTER ROLE {} SET default_transaction_read_only = on").format(role_id))
            cursor.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), role_id))
            cursor.execute(
                sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(sql.Identifier(schema), role_id)
            )
            cursor.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(schema), role_id))
            cursor.execute(sql.SQL("GRANT SELECT ON TABLE {}.events TO {}").format(sql.Identifier(schema), role_id))
    finally:
        connection.close()
    return database


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--admin-url", required=True, help="a PostgreSQL URL of a role that may grant on events")
    parser.add_argument("--readonly-user", required=True, help="the role to create or reset")
    parser.add_argument("--password-stdin", action="store_true", help="read the role's password from stdin")
    parser.add_argument("--schema", default="public", help="the schema of Rasa's events table")
    args = parser.parse_args(argv)
    password = sys.stdin.readline().rstrip("\r\n") if args.password_stdin else None
    database = grant_read_only(args.admin_url, args.readonly_user, password, args.schema)
    print(
        f"Role {args.readonly_user} may now SELECT from {args.schema}.events in {database}, and nothing else.\n"
        f"Set CONFIDANT_REVIEW_READ_URL=postgresql://{args.readonly_user}:<password>@<host>:<port>/{database}"
    )


if __name__ == "__main__":
    main()
