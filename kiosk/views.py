from flask import render_template
from sqlalchemy import select

from disclosure.extensions import db
from disclosure.models import Village

from . import bp


@bp.get("/")
def village_list():
    villages = db.session.execute(select(Village).order_by(Village.code)).scalars().all()
    return render_template("kiosk/village_list.html", villages=villages)
