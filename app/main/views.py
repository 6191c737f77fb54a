from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, session, url_for

from app.community import services as community_services
from app.contributions import services as contribution_services
from app.main import help, services
from app.main.forms import LanguageForm
from app.projects import services as project_services
from app.redirects import safe_target

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    return render_template("main/home.html", areas=community_services.thematic_areas())


@bp.get("/areas/<code>")
def area(code):
    thematic_area = community_services.area_by_code(code)
    if thematic_area is None:
        abort(404)
    call_topics = project_services.open_call_topics(thematic_area)
    return render_template(
        "main/area.html",
        area=thematic_area,
        call_topics=call_topics,
        informing=contribution_services.informing_counts([topic.id for topic in call_topics]),
    )


@bp.post("/language")
def set_language():
    form = LanguageForm()
    if form.validate_on_submit() and form.locale.data in current_app.config["LANGUAGES"]:
        session["locale"] = form.locale.data
    # Only ever go back to a page of this site.
    return redirect(safe_target(request.form.get("next"), url_for("main.home")))


@bp.get("/healthz")
def health():
    """For load balancers: answers 200 when the database answers, 503 when it does not."""
    if not services.database_answers():
        return jsonify({"status": "unavailable"}), 503
    return jsonify({"status": "ok"})


bp.add_url_rule("/help", view_func=help.help_index, methods=["GET"])
bp.add_url_rule("/help/workflows/<name>", view_func=help.workflow_help, methods=["GET"])
