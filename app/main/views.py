from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, session, url_for

from app.main import help, services
from app.main.forms import LanguageForm
from app.redirects import safe_target
from app.reports import services as report_services
from app.workshops import services as workshop_services

bp = Blueprint("main", __name__)

# The page a published report's item links to: the revision it cites, readable by everyone.
CITED_REVISION_ENDPOINT = "contributions.public_revision"


@bp.app_template_global()
def cited_revision_url(contribution_id, number):
    """Where a visitor reads revision `number` of a contribution that a published report cites.

    The public revision page when the app has it; otherwise the contribution's
    own page (which sends readers who may not open it to the cited revision).
    """
    if CITED_REVISION_ENDPOINT in current_app.view_functions:
        return url_for(CITED_REVISION_ENDPOINT, contribution_id=contribution_id, number=number)
    return url_for("contributions.detail", contribution_id=contribution_id)


def _list_helpers():
    """What the public list entries (templates/main/_public.html) use to show workshops and publications."""
    return {
        "moment": workshop_services.format_moment,
        "local": workshop_services.local,
        "type_label": workshop_services.type_label,
        "kind_labels": report_services.PUBLICATION_KINDS,
    }


@bp.get("/")
def home():
    return render_template("main/home.html", news=services.whats_new(), **_list_helpers())


@bp.get("/areas/<code>")
def area(code):
    page = services.area_page(code)
    if page is None:
        abort(404)
    return render_template(
        "main/area.html", area=page.area, front=page, call_topics=page.call_topics, informing=page.informing, **_list_helpers()
    )


@bp.get("/publications")
def publications():
    """The dissemination materials: published reports, briefings, research agendas and case studies, filtered."""
    listing = services.publications(
        area=request.args.get("area"),
        kind=request.args.get("kind"),
        year=request.args.get("year"),
        page=request.args.get("page", 1, type=int),
    )
    filters = {"area": listing.area, "kind": listing.kind, "year": listing.year}
    return render_template(
        "main/publications.html",
        listing=listing,
        **_list_helpers(),
        page_url=lambda number: url_for("main.publications", **{name: value for name, value in filters.items() if value}, page=number),
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
