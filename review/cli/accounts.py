"""`python -m review.cli.accounts`: create, remove and list the review tool's accounts.

    python -m review.cli.accounts create NAME --role admin|clinician   (password from stdin or a prompt)
    python -m review.cli.accounts password NAME                          (set a new password)
    python -m review.cli.accounts remove NAME
    python -m review.cli.accounts list

Passwords are read from standard input when it is not a terminal (one line), otherwise
prompted for twice without echo. They never appear on the command line.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Optional, Sequence

from review.config import ReviewConfig
from review.storage import audit
from review.storage.account_store import ROLES, AccountError, AccountStore
from review.storage.appdb import open_review_db
from review.storage.audit import AuditLog

CLI_ACTOR = "(command line)"


def read_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise SystemExit("The passwords differ; nothing changed.")
    return first


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="create an account")
    create.add_argument("name")
    create.add_argument("--role", choices=ROLES, required=True)
    password = commands.add_parser("password", help="set a new password (ends the account's sessions)")
    password.add_argument("name")
    remove = commands.add_parser("remove", help="remove an account and end its sessions")
    remove.add_argument("name")
    commands.add_parser("list", help="list accounts")
    unthrottle = commands.add_parser("unthrottle", help="clear an address's failed sign-ins (it need not wait)")
    unthrottle.add_argument("address")
    args = parser.parse_args(argv)

    engine = open_review_db(ReviewConfig.from_env().review_db_url)
    store = AccountStore(engine)
    log = AuditLog(engine)
    try:
        if args.command == "create":
            account = store.create(args.name, args.role, read_password())
            log.record(CLI_ACTOR, audit.ACCOUNT_CREATED, account.name, f"role {account.role}")
            print(f"Created {account.role} account {account.name!r}.")
        elif args.command == "password":
            if not store.set_password(args.name, read_password()):
                raise SystemExit(f"No account named {args.name!r}.")
            log.record(CLI_ACTOR, audit.ACCOUNT_PASSWORD, args.name, "new password set")
            print(f"New password set for {args.name!r}.")
        elif args.command == "remove":
            if not store.remove(args.name):
                raise SystemExit(f"No account named {args.name!r}.")
            log.record(CLI_ACTOR, audit.ACCOUNT_REMOVED, args.name, "sessions ended")
            print(f"Removed account {args.name!r}; its sessions are ended.")
        elif args.command == "unthrottle":
            store.forget_failures(args.address)
            log.record(CLI_ACTOR, audit.THROTTLE_CLEARED, "", "failed sign-ins cleared", args.address[:64])
            print(f"Failed sign-ins from {args.address} cleared.")
        else:
            for account in store.all():
                last = account.last_login_at or "-"
                print(f"{account.name}\t{account.role}\tcreated {account.created_at}\tlast login {last}")
    except AccountError as error:
        raise SystemExit(str(error)) from None


if __name__ == "__main__":
    main()
