"""Administration: users and roles, thematic areas, networks, access requests, the outbox.

Views parse forms, call a feature's services and render; the rules live in the services.
Every view requires the admin role.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.admin import audit, forms
from app.auth import services as auth_services
from app.auth.decorators import roles_required
from app.auth.models import ROLES
from app.community import services as community_services
from app.community.models import NETWORK_KINDS
from app.countries import country_name
from app.forms import select_choices, show_service_error
from app.i18n import gettext as _
from app.i18n import ngettext
from app.mail import services as mail_services
from app.mail.kinds import mail_kind_label
from app.projects import jobs as project_jobs
from app.projects import services as project_services
from app.service_errors import ServiceError

bp = Blueprint("admin", __name__)


@bp.context_processor
def _template_helpers():
    def page_url(number):
        """This list's URL, same filters, another page."""
        args = request.args.to_dict()
        args["page"] = number
        return url_for(request.endpoint, **(request.view_args or {}), **args)

    return {
        "page_url": page_url,
        "role_labels": ROLES,
        "network_kinds": NETWORK_KINDS,
        "user_status_labels": forms.USER_STATUS_LABELS,
        "outbox_state_labels": forms.OUTBOX_STATE_LABELS,
        "mail_kind_label": mail_kind_label,
        "country_name": country_name,
        "access_request_state_labels": forms.ACCESS_REQUEST_STATE_LABELS,
    }


def _me():
    """The signed-in User itself: services store and compare it, so never hand them the proxy."""
    return current_user._get_current_object()


def _page_number():
    return request.args.get("page", 1, type=int)


def _status(form):
    return 422 if form.errors else 200


@bp.get("/")
@roles_required("admin")
def index():
    users_total, users_active = auth_services.count_users()
    return render_template(
        "admin/index.html",
        users_total=users_total,
        users_active=users_active,
        pending_requests=auth_services.count_pending_access_requests(),
        networks_total=community_services.count_networks(),
        areas_total=len(community_services.thematic_areas()),
        outbox=mail_services.outbox_counts(),
        mail_configured=mail_services.mail_configured(),
    )


# --- users ------------------------------------------------------------------------


@bp.get("/users")
@roles_required("admin")
def users():
    form = forms.UserFilterForm(request.args)
    page = None
    if form.validate():
        page = auth_services.search_users(form.q.data, form.role.data, form.status.data, page=_page_number())
    return render_template("admin/users.html", form=form, page=page), _status(form)


def _shown(value):
    """What a form starts from: the stored value on GET; on POST only what was sent, so a missing field is an error."""
    return None if request.method == "POST" else value


def _access_form(user, submitted=True):
    """The access form: what was posted (`submitted`), else the user's current access."""
    current = {
        "roles": user.roles,
        "areas": [area.id for area in user.areas],
        "networks": [network.id for network in user.networks],
    }
    if submitted:
        form = forms.UserAccessForm(data=_shown(current))
    else:
        form = forms.UserAccessForm(formdata=None, data=current)
    form.areas.choices = select_choices((area.id, f"{area.code} – {area.name}") for area in community_services.thematic_areas())
    form.networks.choices = select_choices((network.id, network.name) for network in community_services.networks())
    return form


def _render_user(user, form, error=None, status=200):
    return render_template(
        "admin/user.html",
        user=user,
        form=form,
        active_form=forms.ConfirmForm(),
        can_change_active=auth_services.can_change_active(_me(), user),
        can_remove_admin_role=auth_services.can_remove_admin_role(_me(), user),
        error=error,
    ), status


def _user_or_404(user_id):
    user = auth_services.get_user(user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users/<id:user_id>", methods=["GET", "POST"])
@roles_required("admin")
def user(user_id):
    user = _user_or_404(user_id)
    form = _access_form(user)
    if form.validate_on_submit():
        try:
            auth_services.update_user_access(user, form.roles.data, form.areas.data, form.networks.data, _me())
        except auth_services.AccountError as error:
            show_service_error(form, error)
        else:
            flash(_("The access of %(name)s is saved.", name=user.display_name), "success")
            return redirect(url_for("admin.user", user_id=user.id))
    return _render_user(user, form, status=_status(form))


def _set_active(user_id, active):
    user = _user_or_404(user_id)
    if not forms.ConfirmForm().validate_on_submit():
        abort(400)
    try:
        auth_services.change_user_active(user, active, _me())
    except auth_services.AccountError as error:
        return _render_user(user, _access_form(user, submitted=False), error=error.message, status=422)
    if active:
        flash(_("The account of %(name)s is active again.", name=user.display_name), "success")
    else:
        flash(
            _(
                "The account of %(name)s is deactivated: its sessions are ended and its API tokens revoked.",
                name=user.display_name,
            ),
            "success",
        )
    return redirect(url_for("admin.user", user_id=user.id))


@bp.post("/users/<id:user_id>/deactivate")
@roles_required("admin")
def deactivate_user(user_id):
    return _set_active(user_id, False)


@bp.post("/users/<id:user_id>/reactivate")
@roles_required("admin")
def reactivate_user(user_id):
    return _set_active(user_id, True)


# --- access requests ------------------------------------------------------------------


@bp.get("/access-requests")
@roles_required("admin")
def access_requests():
    return render_template("admin/access_requests.html", page=auth_services.access_requests_page(page=_page_number()))


def _access_request_or_404(request_id):
    access_request = auth_services.get_access_request(request_id)
    if access_request is None:
        abort(404)
    return access_request


def _named_network(access_request):
    """The known network the applicant named, if they named one that exists."""
    if not access_request.network_name:
        return None
    return community_services.find_network_by_name(access_request.network_name)


def _approve_form(access_request):
    """The approval form; the network the applicant named is chosen already (to be created if it is not known)."""
    named = _named_network(access_request)
    if named is not None:
        preselected = str(named.id)
    elif access_request.network_name:
        preselected = auth_services.NAMED_NETWORK
    else:
        preselected = ""
    form = forms.ApproveAccessForm(data=_shown({"network": preselected}))
    form.areas.choices = select_choices((area.code, f"{area.code} – {area.name}") for area in community_services.thematic_areas())
    network_choices = [("", _("None"))]
    if access_request.network_name and named is None:
        network_choices.append(
            (auth_services.NAMED_NETWORK, _("%(name)s (new network, created on approval)", name=access_request.network_name))
        )
    network_choices.extend((str(network.id), network.name) for network in community_services.networks())
    form.network.choices = select_choices(network_choices)
    return form


def _chosen_network(form):
    """What the approval form's network choice means for the service (see approve_access_request)."""
    if form.network.data == auth_services.NAMED_NETWORK:
        return auth_services.NAMED_NETWORK
    if not form.network.data:
        return None
    return community_services.get_network(int(form.network.data))


def _render_access_request(access_request, approve_form=None, reject_form=None, status=200):
    network = _named_network(access_request)
    return render_template(
        "admin/access_request.html",
        access_request=access_request,
        network=network,
        can_decide=auth_services.can_decide_access_request(access_request),
        approve_form=approve_form or _approve_form(access_request),
        reject_form=reject_form or forms.RejectAccessForm(),
    ), status


def _decision_status(access_request, form):
    # A request someone else decided meanwhile is a conflict, not bad input.
    if not auth_services.can_decide_access_request(access_request):
        return 409
    return _status(form)


@bp.get("/access-requests/<id:request_id>")
@roles_required("admin")
def access_request(request_id):
    return _render_access_request(_access_request_or_404(request_id))


@bp.post("/access-requests/<id:request_id>/approve")
@roles_required("admin")
def approve_access_request(request_id):
    access_request = _access_request_or_404(request_id)
    form = _approve_form(access_request)
    if form.validate_on_submit():
        try:
            auth_services.approve_access_request(
                access_request, _me(), roles=form.roles.data, area_codes=form.areas.data, network=_chosen_network(form)
            )
        except auth_services.AccountError as error:
            show_service_error(form, error)
        else:
            flash(_("Request approved: an invitation is on its way to %(email)s.", email=access_request.email), "success")
            return redirect(url_for("admin.access_requests"))
    return _render_access_request(access_request, approve_form=form, status=_decision_status(access_request, form))


@bp.post("/access-requests/<id:request_id>/reject")
@roles_required("admin")
def reject_access_request(request_id):
    access_request = _access_request_or_404(request_id)
    form = forms.RejectAccessForm()
    if form.validate_on_submit():
        try:
            auth_services.reject_access_request(access_request, _me(), form.note.data.strip())
        except auth_services.AccountError as error:
            show_service_error(form, error)
        else:
            flash(_("The request from %(email)s is rejected.", email=access_request.email), "success")
            return redirect(url_for("admin.access_requests"))
    return _render_access_request(access_request, reject_form=form, status=_decision_status(access_request, form))


# --- networks -------------------------------------------------------------------------


@bp.get("/networks")
@roles_required("admin")
def networks():
    form = forms.NetworkFilterForm(request.args)
    page = None
    if form.validate():
        page = community_services.networks_with_member_counts(form.q.data, page=_page_number())
    return render_template("admin/networks.html", form=form, page=page), _status(form)


def _save_network(network, form):
    """Save from the form; the network, or None with the refusal shown on the form."""
    try:
        return community_services.save_network(
            network, form.name.data, form.kind.data, form.country.data, form.website.data, form.description.data
        )
    except community_services.CommunityError as error:
        show_service_error(form, error)
        return None


@bp.route("/networks/new", methods=["GET", "POST"])
@roles_required("admin")
def new_network():
    form = forms.NetworkForm()
    if form.validate_on_submit():
        network = _save_network(None, form)
        if network is not None:
            flash(_("The network %(name)s is created.", name=network.name), "success")
            return redirect(url_for("admin.network", network_id=network.id))
    return render_template("admin/network.html", form=form, network=None), _status(form)


@bp.route("/networks/<id:network_id>", methods=["GET", "POST"])
@roles_required("admin")
def network(network_id):
    network = community_services.get_network(network_id)
    if network is None:
        abort(404)
    form = forms.NetworkForm(obj=_shown(network))
    if form.validate_on_submit() and _save_network(network, form) is not None:
        flash(_("The network %(name)s is saved.", name=network.name), "success")
        return redirect(url_for("admin.network", network_id=network.id))
    return render_template("admin/network.html", form=form, network=network), _status(form)


# --- thematic areas ---------------------------------------------------------------------


@bp.get("/areas")
@roles_required("admin")
def areas():
    return render_template("admin/areas.html", areas=community_services.thematic_areas())


@bp.route("/areas/<code>", methods=["GET", "POST"])
@roles_required("admin")
def area(code):
    area = community_services.area_by_code(code)
    if area is None:
        abort(404)
    form = forms.AreaForm(obj=_shown(area))
    if form.validate_on_submit():
        try:
            community_services.update_area(area, form.name.data, form.description.data)
        except community_services.CommunityError as error:
            show_service_error(form, error)
        else:
            flash(_("The thematic area %(code)s is saved.", code=area.code), "success")
            return redirect(url_for("admin.areas"))
    return render_template("admin/area.html", form=form, area=area), _status(form)


# --- outbox -------------------------------------------------------------------------------


@bp.get("/outbox")
@roles_required("admin")
def outbox():
    form = forms.OutboxFilterForm(request.args)
    page = None
    if form.validate():
        page = mail_services.outbox_page(form.state.data, page=_page_number())
    return render_template(
        "admin/outbox.html",
        form=form,
        page=page,
        action_form=forms.ConfirmForm(),
        can_retry=mail_services.can_retry,
        counts=mail_services.outbox_counts(),
        mail_configured=mail_services.mail_configured(),
    ), _status(form)


def _message_or_404(message_id):
    message = mail_services.outbox_message(message_id)
    if message is None:
        abort(404)
    return message


def _render_message(message, error=None, status=200):
    return render_template(
        "admin/outbox_message.html",
        message=message,
        # Never the secret links themselves: a reset link would let an admin into the account.
        body=mail_services.masked_text(message.body_text),
        action_form=forms.ConfirmForm(),
        can_retry=mail_services.can_retry(message),
        held_here=mail_services.held_here(message),
        error=error,
    ), status


@bp.get("/outbox/<id:message_id>")
@roles_required("admin")
def outbox_message(message_id):
    return _render_message(_message_or_404(message_id))


@bp.post("/outbox/<id:message_id>/retry")
@roles_required("admin")
def retry_message(message_id):
    message = _message_or_404(message_id)
    if not forms.ConfirmForm().validate_on_submit():
        abort(400)
    if not mail_services.can_retry(message):
        error = _("Only failed e-mails can be retried; this one is not failed.")
        return _render_message(message, error=error, status=409)
    mail_services.retry_failed(message.id)
    if mail_services.mail_configured():
        flash(_("The e-mail to %(recipient)s is queued for sending again.", recipient=message.recipient), "success")
    else:
        flash(
            _("The e-mail is back in the queue, but sending is not configured (MAIL_SERVER): e-mails are kept in the outbox."),
            "warning",
        )
    return redirect(url_for("admin.outbox_message", message_id=message.id))


@bp.post("/outbox/flush")
@roles_required("admin")
def flush_outbox():
    if not forms.ConfirmForm().validate_on_submit():
        abort(400)
    if not mail_services.mail_configured():
        flash(
            _("Sending is not configured (MAIL_SERVER is not set): e-mails are kept in the outbox, where you can read them."),
            "warning",
        )
        return redirect(url_for("admin.outbox"))
    sent, failed, _held = mail_services.flush_outbox()
    flash(ngettext("%(num)d e-mail sent.", "%(num)d e-mails sent.", sent), "success")
    if failed:
        flash(
            ngettext(
                "%(num)d e-mail could not be sent; it stays in the outbox and is tried again later.",
                "%(num)d e-mails could not be sent; they stay in the outbox and are tried again later.",
                failed,
            ),
            "warning",
        )
    return redirect(url_for("admin.outbox"))


# --- audit log ----------------------------------------------------------------------------


@bp.get("/audit")
@roles_required("admin")
def audit_log():
    if not audit.can_read_audit_log(_me()):
        abort(403)
    form = forms.AuditFilterForm(request.args)
    page = None
    if form.validate():
        filters = audit.AuditFilters(
            kind=form.kind.data or "", person=(form.person.data or "").strip(), since=form.since.data, until=form.until.data
        )
        page = audit.audit_page(filters, page=_page_number())
    return render_template("admin/audit.html", form=form, page=page, kind_labels=audit.AUDIT_KINDS, max_page=audit.MAX_PAGE), _status(form)


# --- project import (CORDIS files) ---------------------------------------------------------


def _render_import(form, import_job=None, status=200):
    return render_template(
        "admin/projects_import.html", form=form, job=import_job, limit_bytes=project_services.upload_limit_bytes()
    ), status


@bp.route("/projects/import", methods=["GET", "POST"])
@roles_required("admin")
def projects_import():
    form = forms.ProjectImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            import_job = project_jobs.start_import(upload.filename, upload.stream, _me())
        except ServiceError as error:
            show_service_error(form, error)
            return _render_import(form, status=error.status)
        return redirect(url_for("admin.projects_import_job", job_id=import_job.id), 303)
    return _render_import(form, status=_status(form))


@bp.get("/projects/import/<job_id>")
@roles_required("admin")
def projects_import_job(job_id):
    return _render_import(forms.ProjectImportForm(), project_jobs.import_job_for(_me(), job_id))
