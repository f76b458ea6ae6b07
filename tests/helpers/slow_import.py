"""Run as a separate process by test_crash.py: import a large ledger file
into a new draft notice and commit, printing a line before the write starts."""

import sys
from pathlib import Path

from sqlalchemy import select

from disclosure import create_app
from disclosure.extensions import db
from disclosure.models import User, Village
from disclosure.services.imports import import_file


def main(url: str, instance: str, path: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": instance,
                      "SECRET_KEY": "test-secret-key-not-for-production"})
    with app.app_context():
        village = db.session.execute(select(Village).where(Village.code == "v1")).scalar_one()
        user = db.session.execute(select(User).order_by(User.id)).scalars().first()
        print("writing", flush=True)
        outcome = import_file("ledger", Path(path).read_bytes(), "big.xlsx", village=village, user=user)
        assert outcome.notice is not None, outcome.message
        db.session.commit()
        print("committed", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:4])
