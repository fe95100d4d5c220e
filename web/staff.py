"""Staff accounts for the support console, from the command line.

    python -m web.staff create --email an@insurer.example --name "An Peeters"   # asks the password twice
    echo "$PASSWORD" | python -m web.staff create --email ... --name ... --password-stdin
    python -m web.staff list
    python -m web.staff deactivate --email an@insurer.example

Passwords are stored hashed (werkzeug.security: scrypt), at least 12 characters.
"""
from __future__ import annotations

import argparse
import getpass
import sys
from typing import List, Optional

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from groupinsurance import db
from groupinsurance.models import StaffUser

MIN_PASSWORD_LENGTH = 12


class StaffError(ValueError):
    pass


def create(session, email: str, name: str, password: str) -> StaffUser:
    try:
        email = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise StaffError(f"not a valid e-mail address: {error}") from None
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    if not name.strip():
        raise StaffError("a name is needed")
    if session.execute(select(StaffUser.id).where(StaffUser.email == email)).first():
        raise StaffError(f"{email} already has an account")
    user = StaffUser(email=email, name=name.strip(), password_hash=generate_password_hash(password), active=True)
    session.add(user)
    session.flush()
    return user


def authenticate(session, email: str, password: str) -> Optional[StaffUser]:
    """The active account with this e-mail and password, else None (the same for every failure)."""
    try:
        email = validate_email(email or "", check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None
    user = session.execute(select(StaffUser).where(StaffUser.email == email)).scalar_one_or_none()
    if user is None:
        check_password_hash(generate_password_hash("timing"), password or "")  # same work either way
        return None
    if not user.active or not check_password_hash(user.password_hash, password or ""):
        return None
    return user


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m web.staff", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    create_cmd = commands.add_parser("create", help="create a staff account")
    create_cmd.add_argument("--email", required=True)
    create_cmd.add_argument("--name", required=True)
    create_cmd.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    commands.add_parser("list", help="list the staff accounts")
    deactivate = commands.add_parser("deactivate", help="switch an account off")
    deactivate.add_argument("--email", required=True)
    args = parser.parse_args(argv)

    url = db.database_url()
    db.upgrade(url)
    engine = db.make_engine(url)
    sessions = db.make_session_factory(engine)
    try:
        if args.command == "create":
            if args.password_stdin:
                password = sys.stdin.readline().rstrip("\n")
            else:
                password = getpass.getpass("Password: ")
                if getpass.getpass("Password again: ") != password:
                    print("The passwords differ.", file=sys.stderr)
                    return 2
            try:
                with sessions.begin() as session:
                    user = create(session, args.email, args.name, password)
                    print(f"Created staff account {user.id} for {user.email}.")
            except StaffError as error:
                print(f"Not created: {error}", file=sys.stderr)
                return 2
        elif args.command == "list":
            with sessions() as session:
                for user in session.execute(select(StaffUser).order_by(StaffUser.email)).scalars():
                    print(f"{user.id}\t{user.email}\t{user.name}\t{'active' if user.active else 'inactive'}")
        else:
            with sessions.begin() as session:
                user = session.execute(select(StaffUser).where(StaffUser.email == args.email.lower())).scalar_one_or_none()
                if user is None:
                    print(f"No account for {args.email}.", file=sys.stderr)
                    return 2
                user.active = False
                print(f"Deactivated {user.email}.")
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
