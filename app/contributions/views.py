from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from app.contributions import services

bp = Blueprint("contributions", __name__)


@bp.get("/contributions/<int:contribution_id>")
@login_required
def detail(contribution_id):
    contribution = services.get_visible(current_user, contribution_id)
    if contribution is None:
        abort(404)
    return render_template(
        "contributions/detail.html",
        contribution=contribution,
        spec=contribution.type_spec,
        history=services.history(contribution),
        allowed=services.allowed_transitions(current_user, contribution),
        workflow=services.workflow(),
    )
