"""Who may do what with accounts and invitations: the answers views, templates, the API and jobs ask."""

from app.auth.models import ROLES


def can_administer(user):
    return bool(user and user.is_authenticated and user.has_role("admin"))


def can_invite(user):
    return bool(user and user.is_authenticated and user.has_role("admin", "editor"))


def invitable_roles(user):
    """Admins grant any role; editors bring in contributors and reviewers."""
    if can_administer(user):
        return list(ROLES)
    if can_invite(user):
        return ["contributor", "reviewer"]
    return []


def can_change_active(acting_user, user):
    """Admins (de)activate other accounts, never their own."""
    return can_administer(acting_user) and user.id != acting_user.id


def can_remove_admin_role(acting_user, user):
    """Administrators take the role from others, never from themselves (someone must stay able to administer)."""
    return can_administer(acting_user) and user.id != acting_user.id


def can_revoke_invitation(user, invitation):
    return invitation is not None and (can_administer(user) or (can_invite(user) and invitation.invited_by_id == user.id))


def can_withdraw_invitation(user, invitation):
    """May `user` withdraw it now: theirs to revoke, and neither accepted nor withdrawn yet."""
    return can_revoke_invitation(user, invitation) and invitation.accepted_at is None and invitation.revoked_at is None


def can_decide_access_request(access_request):
    return access_request.state == "pending"
