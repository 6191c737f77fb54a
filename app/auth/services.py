"""Account rules, shared by the pages, the API, the CLI and jobs: one import for callers.

The rules live by responsibility in their own modules; this one re-exports
their public names so `from app.auth import services` keeps working:

- permissions.py: who may do what (can_administer, can_invite, invitable_roles, ...)
- accounts.py: finding, creating, signing in, profile, access, (de)activation, the users list
- passwords.py: the password policy, changing one's password
- password_reset.py: the reset link by e-mail (and its job)
- invitations.py: inviting within one's scope, accepting once, withdrawing
- access_requests.py: asking for access, approving (an invitation) or rejecting
- tokens.py: API tokens
- errors.py: AccountError and its kinds (conflict, forbidden)
"""

from app.auth.access_requests import (
    NAMED_NETWORK,
    access_requests_page,
    approve_access_request,
    count_pending_access_requests,
    get_access_request,
    reject_access_request,
    request_access,
)
from app.auth.accounts import (
    USER_STATUSES,
    authenticate,
    change_user_active,
    count_users,
    create_user,
    find_user_by_email,
    get_user,
    load_user_from_session,
    normalise_email,
    record_login,
    resolve_areas,
    search_users,
    set_active,
    sign_out_everywhere,
    update_profile,
    update_user_access,
)
from app.auth.errors import AccountConflict, AccountError, AccountForbidden
from app.auth.invitations import (
    accept_invitation,
    invitation_for,
    invitation_from_token,
    invitation_link_to_hand_over,
    invitations_visible_to,
    invite,
    revoke_invitation,
)
from app.auth.password_reset import (
    request_password_reset,
    reset_password,
    send_password_reset,
    user_from_reset_token,
)
from app.auth.passwords import COMMON_PASSWORDS_FILE, change_password, check_password_policy, common_passwords
from app.auth.permissions import (
    can_administer,
    can_change_active,
    can_decide_access_request,
    can_invite,
    can_remove_admin_role,
    can_revoke_invitation,
    can_withdraw_invitation,
    invitable_roles,
)
from app.auth.tokens import TOKEN_PREFIX, issue_api_token, revoke_all_api_tokens, revoke_api_token, tokens_of, user_for_api_token
from app.community.services import get_or_create_network

__all__ = [
    "COMMON_PASSWORDS_FILE",
    "NAMED_NETWORK",
    "TOKEN_PREFIX",
    "USER_STATUSES",
    "AccountConflict",
    "AccountError",
    "AccountForbidden",
    "accept_invitation",
    "access_requests_page",
    "approve_access_request",
    "authenticate",
    "can_administer",
    "can_change_active",
    "can_decide_access_request",
    "can_invite",
    "can_remove_admin_role",
    "can_revoke_invitation",
    "can_withdraw_invitation",
    "change_password",
    "change_user_active",
    "check_password_policy",
    "common_passwords",
    "count_pending_access_requests",
    "count_users",
    "create_user",
    "find_user_by_email",
    "get_access_request",
    "get_or_create_network",
    "get_user",
    "invitable_roles",
    "invitation_for",
    "invitation_from_token",
    "invitation_link_to_hand_over",
    "invitations_visible_to",
    "invite",
    "issue_api_token",
    "load_user_from_session",
    "normalise_email",
    "record_login",
    "reject_access_request",
    "request_access",
    "request_password_reset",
    "reset_password",
    "resolve_areas",
    "revoke_all_api_tokens",
    "revoke_api_token",
    "revoke_invitation",
    "search_users",
    "send_password_reset",
    "set_active",
    "sign_out_everywhere",
    "tokens_of",
    "update_profile",
    "update_user_access",
    "user_for_api_token",
    "user_from_reset_token",
]
