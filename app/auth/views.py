from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import services
from app.auth.decorators import roles_required
from app.auth.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    InviteForm,
    LoginForm,
    LogoutForm,
    NewTokenForm,
    ProfileForm,
    RequestAccessForm,
    ResetPasswordForm,
    RevokeTokenForm,
)
from app.auth.limits import mark_sign_in_failed, throttle_sign_in
from app.auth.models import ROLES
from app.community import services as community_services
from app.forms import select_choices, show_service_error
from app.i18n import gettext as _
from app.main.forms import language_choices
from app.redirects import safe_target
from app.reviews import desk

bp = Blueprint("auth", __name__)


def _me():
    """The signed-in User itself: services store and compare it, so never hand them the proxy."""
    return current_user._get_current_object()


def _safe_next(target):
    return safe_target(target, url_for("main.home"))


@bp.route("/login", methods=["GET", "POST"])
@throttle_sign_in
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            services.record_login(user)
            flash(_("Welcome, %(name)s.", name=user.display_name), "success")
            # An editor's home is their desk (with its counts); everyone else's the home page.
            home = url_for("reviews.desk") if desk.home_is_desk(user) else url_for("main.home")
            return redirect(safe_target(request.args.get("next"), home))
        mark_sign_in_failed()
        status = 401
        form.password.errors.append(_("The e-mail address or password is not correct, or the account is deactivated."))
    elif form.is_submitted():
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    if LogoutForm().validate_on_submit():
        # Ends the remember-me cookie on the server too, so a copy of it no
        # longer signs in (and so every other session of the user).
        services.sign_out_everywhere(_me())
        logout_user()
        flash(_("You are signed out. Your other devices are signed out too."), "info")
    return redirect(url_for("main.home"))


@bp.route("/invitations/accept/<token>", methods=["GET", "POST"])
def accept_invitation(token):
    try:
        invitation = services.invitation_from_token(token)
    except services.AccountError as error:
        return render_template("auth/link_invalid.html", message=error.message), 410
    form = AcceptInvitationForm(obj=None, name=invitation.name, organisation=invitation.organisation)
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(token, form.name.data, form.organisation.data, form.password.data)
        except services.AccountError as error:
            show_service_error(form, error)
        else:
            logout_user()
            login_user(user)
            services.record_login(user)
            flash(_("Your account is ready. Welcome to CERIS Exchange."), "success")
            return redirect(url_for("auth.profile"))
    return render_template("auth/accept_invitation.html", form=form, invitation=invitation), 422 if form.errors else 200


@bp.route("/request-access", methods=["GET", "POST"])
def request_access():
    form = RequestAccessForm()
    if form.validate_on_submit():
        services.request_access(
            form.email.data,
            form.name.data,
            form.organisation.data,
            form.country.data,
            form.network_name.data,
            form.motivation.data,
        )
        flash(_("Thank you. An administrator will review your request and e-mail you."), "success")
        return redirect(url_for("main.home"))
    return render_template("auth/request_access.html", form=form), 422 if form.errors else 200


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        # Same answer, in the same time, whether or not the address has an
        # account: only the job looks it up.
        services.request_password_reset(form.email.data)
        flash(_("If an account uses this address, a reset link is on its way."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form), 422 if form.errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    try:
        services.user_from_reset_token(token)
    except services.AccountError as error:
        return render_template("auth/link_invalid.html", message=error.message), 410
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except services.AccountError as error:
            if error.field is None:  # the link was used meanwhile
                return render_template("auth/link_invalid.html", message=error.message), 410
            show_service_error(form, error)
        else:
            logout_user()
            flash(_("Your password is changed. Please sign in."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form), 422 if form.errors else 200


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    profile_form = ProfileForm(obj=current_user, prefix="profile")
    profile_form.locale.choices = select_choices([("", _("As my browser says")), *language_choices()])
    password_form = ChangePasswordForm(prefix="password")
    token_form = NewTokenForm(prefix="token")
    status = 200
    if request.method == "POST":
        which = request.form.get("form")
        if which == "profile" and profile_form.validate_on_submit():
            services.update_profile(
                _me(), profile_form.name.data, profile_form.organisation.data, profile_form.country.data, profile_form.locale.data
            )
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("auth.profile"))
        if which == "password" and password_form.validate_on_submit():
            try:
                services.change_password(_me(), password_form.current_password.data, password_form.password.data)
            except services.AccountError as error:
                show_service_error(password_form, error)
            else:
                # The auth version changed: sign in again on this device only,
                # with a new remember-me cookie if it had one.
                remember = bool(request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")))
                login_user(_me(), remember=remember)
                flash(_("Your password is changed; your other devices are signed out and your API tokens are revoked."), "success")
                return redirect(url_for("auth.profile"))
        if which not in ("profile", "password"):
            abort(400)
        status = 422
    return render_template(
        "auth/profile.html",
        profile_form=profile_form,
        password_form=password_form,
        token_form=token_form,
        revoke_form=RevokeTokenForm(),
        tokens=services.tokens_of(_me()),
        new_token=None,
    ), status


@bp.post("/profile/tokens")
@login_required
def create_token():
    token_form = NewTokenForm(prefix="token")
    if not token_form.validate_on_submit():
        flash(_("Give the token a name saying what it is for."), "error")
        return redirect(url_for("auth.profile"))
    _token, plaintext = services.issue_api_token(_me(), token_form.name.data)
    profile_form = ProfileForm(obj=current_user, prefix="profile")
    profile_form.locale.choices = select_choices([("", _("As my browser says")), *language_choices()])
    # Shown once, never stored in clear.
    return render_template(
        "auth/profile.html",
        profile_form=profile_form,
        password_form=ChangePasswordForm(prefix="password"),
        token_form=NewTokenForm(prefix="token", formdata=None),
        revoke_form=RevokeTokenForm(),
        tokens=services.tokens_of(_me()),
        new_token=plaintext,
    ), 201


@bp.post("/profile/tokens/<id:token_id>/revoke")
@login_required
def revoke_token(token_id):
    if not RevokeTokenForm().validate_on_submit():
        abort(400)
    if services.revoke_api_token(_me(), token_id) is None:
        abort(404)
    flash(_("The token is revoked."), "success")
    return redirect(url_for("auth.profile"))


@bp.route("/invitations", methods=["GET", "POST"])
@roles_required("admin", "editor")
def invitations():
    form = InviteForm()
    form.roles.choices = select_choices((role, ROLES[role]) for role in services.invitable_roles(_me()))
    form.areas.choices = select_choices((area.code, f"{area.code} – {area.name}") for area in community_services.thematic_areas())
    form.network_id.choices = select_choices([(0, _("None")), *((network.id, network.name) for network in community_services.networks())])
    if form.validate_on_submit():
        network = community_services.get_network(form.network_id.data) if form.network_id.data else None
        try:
            invitation = services.invite(
                form.email.data,
                form.roles.data,
                _me(),
                name=form.name.data,
                organisation=form.organisation.data,
                area_codes=form.areas.data,
                network=network,
            )
        except services.AccountError as error:
            show_service_error(form, error)
        else:
            hand_over = services.invitation_link_to_hand_over(invitation)
            if hand_over:
                flash(
                    _(
                        "E-mail is not sent from this installation: give %(email)s this invitation link yourself "
                        "(it is shown only now): %(link)s",
                        email=invitation.email,
                        link=hand_over,
                    ),
                    "info",
                )
            else:
                flash(_("Invitation sent to %(email)s.", email=form.email.data), "success")
            return redirect(url_for("auth.invitations"))
    listed = services.invitations_visible_to(_me())
    me = _me()
    return render_template(
        "auth/invitations.html",
        form=form,
        invitations=listed,
        can_withdraw=lambda invitation: services.can_withdraw_invitation(me, invitation),
        revoke_form=RevokeTokenForm(),
    ), (422 if form.errors else 200)


@bp.post("/invitations/<id:invitation_id>/revoke")
@roles_required("admin", "editor")
def revoke_invitation(invitation_id):
    invitation = services.invitation_for(_me(), invitation_id)
    if invitation is None:
        abort(404)
    if not RevokeTokenForm().validate_on_submit():
        abort(400)
    try:
        services.revoke_invitation(invitation, _me())
    except services.AccountError:
        abort(403)
    flash(_("The invitation is withdrawn."), "success")
    return redirect(url_for("auth.invitations"))
