from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from app.notifications import services

bp = Blueprint("notifications", __name__)


class MarkReadForm(FlaskForm):
    pass


@bp.get("/notifications")
@login_required
def index():
    return render_template("notifications/index.html", notifications=services.recent(current_user), form=MarkReadForm())


@bp.post("/notifications/read")
@login_required
def mark_read():
    if MarkReadForm().validate_on_submit():
        services.mark_all_read(current_user)
    return redirect(url_for("notifications.index"))
