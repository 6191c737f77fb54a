"""Help pages: roles, the review process, and each workflow drawn from its definition.

Plain view functions: app/main/views.py puts them on the main blueprint (so this module imports nothing back).
"""

from flask import abort, current_app, render_template


def help_index():
    return render_template("main/help.html", workflows=current_app.extensions["workflows"].values())


def workflow_help(name):
    workflow = current_app.extensions["workflows"].get(name) or abort(404)
    return render_template("main/workflow.html", workflow=workflow)
