"""Workshop pages: thin views over app/workshops/services.py (rules, state, lists) and inputs.py (collected inputs)."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.community import services as community_services
from app.contributions.types import TYPES
from app.converters import id_arg, optional_number
from app.forms import show_service_error
from app.i18n import gettext as _
from app.i18n import ngettext
from app.service_errors import ServiceError
from app.workshops import calendar, inputs, registrations, services
from app.workshops.forms import OutcomeForm, RegistrationForm, SendToReviewForm, payload_from, workshop_form

bp = Blueprint("workshops", __name__)

PER_PAGE = 20


def _page_arg():
    return max(request.args.get("page", 1, type=id_arg), 1)


@bp.get("/workshops")
def index():
    when = request.args.get("when") if request.args.get("when") in services.WHEN else "upcoming"
    area = community_services.area_by_code(request.args.get("area") or "")
    result = services.list_workshops(when, area.code if area else None, page=_page_arg(), per_page=PER_PAGE)
    return render_template(
        "workshops/index.html",
        result=result,
        when=when,
        whens=services.WHEN,
        area=area,
        areas=community_services.thematic_areas(),
        state_label=services.state_label,
        local=services.local,
        can_create=services.can_create_workshop(current_user),
        page_url=lambda number: url_for("workshops.index", **{**request.args.to_dict(), "page": number}),
    )


@bp.get("/workshops/<id:workshop_id>")
def detail(workshop_id):
    workshop = services.get_workshop(workshop_id)
    can_manage = services.can_manage_workshop(current_user, workshop)
    accepts_inputs = services.in_state(workshop, "accepts_inputs")
    outcome_published = services.in_state(workshop, "has_outcome")
    submit_links = []
    if accepts_inputs:
        submit_links = [
            (TYPES[code], url_for("contributions.create", type_code=code, workshop=workshop.id, area=workshop.area_codes))
            for code in workshop.call_types
            if code in TYPES
        ]
    return render_template(
        "workshops/detail.html",
        workshop=workshop,
        state_label=services.state_label(workshop),
        accepts_inputs=accepts_inputs,
        submit_links=submit_links,
        moment=services.format_moment,
        local=services.local,
        type_label=services.type_label,
        can_manage=can_manage,
        groups=inputs.grouped_inputs(current_user, workshop) if can_manage else [],
        review_form=SendToReviewForm() if can_manage else None,
        registration=registrations.my_registration(current_user, workshop),
        can_register=services.can_register(current_user, workshop),
        registration_closed=services.registration_closed_reason(workshop),
        places_left=registrations.places_left(workshop),
        registration_form=RegistrationForm() if current_user.is_authenticated else None,  # only members register
        can_see_attendees=services.can_see_attendees(current_user, workshop),
        can_write_outcome=services.can_write_outcome(current_user, workshop),
        outcome_published=outcome_published,
        accepted_inputs=inputs.accepted_inputs(workshop) if outcome_published else [],
    )


@bp.get("/workshops/<id:workshop_id>.ics")
def ics(workshop_id):
    workshop = services.get_workshop(workshop_id)
    return Response(
        calendar.ics(workshop),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="workshop-{workshop.id}.ics"'},
    )


def _form(values=None, formdata=None):
    return workshop_form(
        community_services.thematic_areas(), services.time_zones(), TYPES.values(), services.chair_choices(), values, formdata
    )


def _render_form(form, workshop=None, status=200):
    return render_template("workshops/form.html", form=form, workshop=workshop), status


def _values_of(workshop):
    zone = workshop.time_zone
    return {
        "title": workshop.title,
        "areas": workshop.area_codes,
        "description": workshop.description,
        "time_zone": zone,
        "starts_at": services.local_input(workshop.starts_at, zone),
        "ends_at": services.local_input(workshop.ends_at, zone),
        "place": workshop.place,
        "online_url": workshop.online_url,
        "agenda": workshop.agenda,
        "capacity": workshop.capacity,
        "call_opens_at": services.local_input(workshop.call_opens_at, zone),
        "call_closes_at": services.local_input(workshop.call_closes_at, zone),
        "call_types": list(workshop.call_types or []),
        "chair_id": workshop.chair_id or 0,
        "version": str(workshop.version),
    }


@bp.route("/workshops/new", methods=["GET", "POST"])
@login_required
def create():
    if not services.can_create_workshop(current_user):
        abort(403)
    if request.method == "GET":
        return _render_form(_form({"time_zone": "Europe/Brussels", "areas": [area.code for area in current_user.areas][:1]}))
    form = _form(formdata=request.form)
    if not form.validate_on_submit():
        return _render_form(form, status=422)
    try:
        workshop = services.create_workshop(current_user, payload_from(form))
    except ServiceError as error:
        if error.status == 403:
            raise
        show_service_error(form, error)
        return _render_form(form, status=error.status)
    flash(_("The workshop is created."), "success")
    return redirect(url_for("workshops.detail", workshop_id=workshop.id))


@bp.route("/workshops/<id:workshop_id>/edit", methods=["GET", "POST"])
@login_required
def edit(workshop_id):
    workshop = services.get_workshop(workshop_id)
    if not services.can_manage_workshop(current_user, workshop):
        abort(403)
    if request.method == "GET":
        return _render_form(_form(_values_of(workshop)), workshop)
    form = _form(formdata=request.form)
    if not form.validate_on_submit():
        return _render_form(form, workshop, status=422)
    try:
        registrations.update_workshop(current_user, workshop, payload_from(form), expected_version=optional_number(form.version.data))
    except ServiceError as error:
        if error.status == 403:
            raise
        show_service_error(form, error)
        return _render_form(form, workshop, status=error.status)
    flash(_("Saved."), "success")
    return redirect(url_for("workshops.detail", workshop_id=workshop.id))


@bp.post("/workshops/<id:workshop_id>/inputs/review")
@login_required
def send_to_review(workshop_id):
    workshop = services.get_workshop(workshop_id)
    if not services.can_manage_workshop(current_user, workshop):
        abort(403)
    if not SendToReviewForm().validate_on_submit():
        abort(400)
    chosen = request.form.getlist("contribution_ids", type=id_arg)
    try:
        result = inputs.send_to_review(current_user, workshop, chosen)
    except ServiceError as error:
        if error.status == 403:
            raise
        flash(error.message, "error")
        return redirect(url_for("workshops.detail", workshop_id=workshop.id, _anchor="inputs")), 303
    if result.sent:
        flash(ngettext("%(num)d input sent to review.", "%(num)d inputs sent to review.", result.sent), "success")
    if result.skipped:
        flash(ngettext("%(num)d input could not be sent:", "%(num)d inputs could not be sent:", result.skipped), "error")
        for contribution, reason in result.reasons:
            flash(f"{contribution.title}: {reason}", "error")
    return redirect(url_for("workshops.detail", workshop_id=workshop.id, _anchor="inputs"))


def _to_registration(workshop):
    return redirect(url_for("workshops.detail", workshop_id=workshop.id, _anchor="registration"), 303)


@bp.post("/workshops/<id:workshop_id>/registration")
@login_required
def register(workshop_id):
    workshop = services.get_workshop(workshop_id)
    if not RegistrationForm().validate_on_submit():
        abort(400)
    try:
        mine = registrations.register(current_user, workshop)
    except ServiceError as error:
        if error.status == 403:
            raise
        flash(error.message, "error")
        return _to_registration(workshop)
    if mine.has_place:
        flash(_("You are registered for this workshop."), "success")
    else:
        flash(_("The workshop is full: you are on the waiting list, number %(position)d.", position=mine.position), "success")
    return _to_registration(workshop)


@bp.post("/workshops/<id:workshop_id>/registration/cancel")
@login_required
def cancel_registration(workshop_id):
    workshop = services.get_workshop(workshop_id)
    if not RegistrationForm().validate_on_submit():
        abort(400)
    try:
        registrations.cancel(current_user, workshop)
    except ServiceError as error:
        if error.status == 403:
            raise
        flash(error.message, "error")
        return _to_registration(workshop)
    flash(_("Your registration is cancelled."), "success")
    return _to_registration(workshop)


@bp.get("/workshops/<id:workshop_id>/attendees")
@login_required
def attendees(workshop_id):
    workshop = services.get_workshop(workshop_id)
    if not services.can_see_attendees(current_user, workshop):
        abort(403)
    return render_template(
        "workshops/attendees.html",
        workshop=workshop,
        lists=registrations.attendee_lists(current_user, workshop),
        local=services.local,
    )


@bp.get("/workshops/<id:workshop_id>/attendees.csv")
@login_required
def attendees_csv(workshop_id):
    workshop = services.get_workshop(workshop_id)
    if not services.can_see_attendees(current_user, workshop):
        abort(403)
    return Response(
        registrations.attendees_csv(current_user, workshop).encode("utf-8"),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="workshop-{workshop.id}-attendees.csv"',
            # Personal data: not kept by the browser or anything between.
            "Cache-Control": "no-store",
        },
    )


def _render_outcome(workshop, form, status=200):
    return render_template(
        "workshops/outcome.html",
        workshop=workshop,
        form=form,
        can_write=services.can_write_outcome(current_user, workshop),
        ends=services.format_moment(workshop.ends_at, workshop.time_zone),
        published=services.in_state(workshop, "has_outcome"),
        accepted_inputs=inputs.accepted_inputs(workshop),
    ), status


@bp.route("/workshops/<id:workshop_id>/outcome", methods=["GET", "POST"])
@login_required
def outcome(workshop_id):
    workshop = services.get_workshop(workshop_id)
    if not services.can_manage_workshop(current_user, workshop):
        abort(403)
    if request.method == "GET":
        form = OutcomeForm(data={"outcome_summary": workshop.outcome_summary, "version": str(workshop.version)})
        return _render_outcome(workshop, form)
    form = OutcomeForm(formdata=request.form)
    if not form.validate_on_submit():
        return _render_outcome(workshop, form, status=400)
    publish = "publish_now" in request.form
    try:
        services.save_outcome(
            current_user, workshop, form.outcome_summary.data or "", publish=publish, expected_version=optional_number(form.version.data)
        )
    except ServiceError as error:
        if error.status == 403:
            raise
        show_service_error(form, error)
        return _render_outcome(workshop, form, status=error.status)
    if services.in_state(workshop, "has_outcome"):
        flash(_("The outcome is published on the workshop's page."), "success")
    else:
        flash(_("The outcome is saved. It is not public until you publish it."), "success")
    return redirect(url_for("workshops.detail", workshop_id=workshop.id, _anchor="outcome"))
