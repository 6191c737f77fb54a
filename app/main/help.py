"""Help pages: roles, the review process, and each workflow drawn from its definition."""
from flask import abort, current_app, render_template

from app.main.views import bp


@bp.get("/help")
def help_index():
    return render_template("main/help.html", workflows=current_app.extensions["workflows"].values())


@bp.get("/help/workflows/<name>")
def workflow_help(name):
    workflow = current_app.extensions["workflows"].get(name) or abort(404)
    return render_template("main/workflow.html", workflow=workflow)
