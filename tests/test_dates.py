"""Dates and times in European formats, the same everywhere: "3 December 2026, 14:05", in Brussels time (issue 12)."""

from datetime import UTC, date, datetime

from flask_babel import force_locale

from app import dates

# 13:05 UTC is 14:05 in Brussels (CET, winter time).
MOMENT = datetime(2026, 12, 3, 13, 5, tzinfo=UTC)
US_STYLES = ("12/3/26", "12/3/2026", "Dec 3", "December 3", "2:05 PM", "1:05 PM")


def test_english_reads_as_in_the_eu_institutions_in_brussels_time(app_context):
    with force_locale("en"):
        assert dates.format_moment(MOMENT) == "3 December 2026, 14:05"
        assert dates.format_day(date(2026, 12, 3)) == "3 December 2026"


def test_other_languages_keep_their_own_words_with_24_hour_times(app_context):
    with force_locale("de"):
        assert dates.format_moment(MOMENT) == "3. Dezember 2026, 14:05"
    with force_locale("el"):
        assert dates.format_moment(MOMENT).endswith(", 14:05")


def test_a_named_time_zone_wins_over_brussels(app_context):
    with force_locale("en"):
        assert dates.format_moment(MOMENT, "Europe/Helsinki") == "3 December 2026, 15:05"


def test_the_day_of_a_moment_is_the_day_in_brussels(app_context):
    late = datetime(2026, 12, 3, 23, 30, tzinfo=UTC)  # already 4 December in Brussels

    with force_locale("en"):
        assert dates.format_day(late) == "4 December 2026"


def test_a_workshop_moment_in_its_own_zone_uses_the_same_format(app_context):
    from app.workshops.services import format_moment

    with force_locale("en"):
        assert format_moment(MOMENT, "Europe/Brussels") == "3 December 2026, 14:05 (Europe/Brussels)"


def _assert_european(page):
    assert "3 December 2026, 14:05" in page
    for style in US_STYLES:
        assert style not in page, f"{style!r} on the page"


def test_the_notifications_page_shows_the_moment_in_the_european_format(app, signed_in, contributor):
    from app.extensions import db
    from app.notifications.models import Notification

    with app.app_context():
        db.session.add(Notification(user_id=contributor.id, kind="test", message="A dated message", created_at=MOMENT))
        db.session.commit()

    page = signed_in(contributor).get("/notifications", headers={"Accept-Language": "en-US"}).get_data(as_text=True)

    _assert_european(page)


def test_the_admin_users_page_shows_the_last_sign_in_in_the_european_format(app, signed_in, admin, make_user):
    from app.auth.models import User
    from app.extensions import db

    other = make_user(["contributor"])
    with app.app_context():
        db.session.get(User, other.id).last_login_at = MOMENT
        db.session.commit()

    page = signed_in(admin).get("/admin/users", headers={"Accept-Language": "en-US"}).get_data(as_text=True)

    _assert_european(page)
