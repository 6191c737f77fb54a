from flask import Blueprint, render_template

from app.auth.decorators import roles_required

bp = Blueprint("admin", __name__)


@bp.get("/")
@roles_required("admin")
def index():
    return render_template("admin/index.html")
