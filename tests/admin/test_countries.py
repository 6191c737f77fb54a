"""Country is the same select everywhere: every country by name in the reader's language, stored as its code."""

import re

import pytest

from app.auth.models import AccessRequest, User
from app.extensions import db
from tests.support import post_form


def _country_select(html, name):
    return re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S).group(0)


@pytest.mark.parametrize(
    ("who", "path", "name"),
    [("admin", "/admin/networks/new", "country"), (None, "/request-access", "country"), ("contributor", "/profile", "profile-country")],
)
def test_every_country_field_is_the_same_named_select(who, path, name, request, signed_in, app):
    client = signed_in(request.getfixturevalue(who)) if who else app.test_client()
    select = _country_select(client.get(path).get_data(as_text=True), name)
    assert '<option value="BE">Belgium</option>' in select
    assert '<option value="DE">Germany</option>' in select


def test_country_names_follow_the_readers_language(app):
    html = app.test_client().get("/request-access", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<option value="BE">Belgique</option>' in _country_select(html, "country")


def test_request_access_stores_the_chosen_code(app, in_app):
    response = post_form(
        app.test_client(),
        "/request-access",
        {"name": "Ana", "email": "ana@example.eu", "organisation": "Org", "country": "PT", "motivation": "Practitioner."},
        token_from="/request-access",
    )
    assert response.status_code == 302
    assert in_app(lambda: db.session.scalar(db.select(AccessRequest.country))) == "PT"


def test_request_access_refuses_a_country_not_in_the_list(app, in_app):
    response = post_form(
        app.test_client(),
        "/request-access",
        {"name": "Ana", "email": "ana@example.eu", "organisation": "Org", "country": "XX", "motivation": "Practitioner."},
        token_from="/request-access",
    )
    assert response.status_code == 422
    assert in_app(lambda: db.session.scalar(db.select(db.func.count(AccessRequest.id)))) == 0


def test_the_profile_service_refuses_an_unknown_country(app, contributor):
    from app.auth import services

    with app.app_context():
        user = db.session.get(User, contributor.id)
        with pytest.raises(services.AccountError) as refusal:
            services.update_profile(user, "Name", "Org", "XX", "")
        assert set(refusal.value.fields) == {"country"}


def test_admin_pages_show_the_country_by_name(admin_client, make_access_request):
    request_id = make_access_request(country="PT")
    assert "<dd>Portugal</dd>" in admin_client.get(f"/admin/access-requests/{request_id}").get_data(as_text=True)
