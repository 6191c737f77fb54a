"""Users: list, search, filter, paginate; edit access; deactivate and reactivate."""

import re

from app.auth.models import User
from app.community.models import Network, ThematicArea
from app.extensions import db
from tests.support import post_form


def _names(html):
    """The users listed, by the row headers of the users table."""
    return re.findall(r'<th scope="row"><a href="/admin/users/\d+">([^<]+)</a></th>', html)


def _user(in_app, user_id, read):
    return in_app(lambda: read(db.session.get(User, user_id)))


def test_list_shows_users_with_their_roles(admin_client, make_user):
    make_user(["reviewer", "editor"], name="Rita Reviewer")
    html = admin_client.get("/admin/users").get_data(as_text=True)
    assert "Rita Reviewer" in _names(html)
    assert "Reviewer, Editor" in html or "Editor, Reviewer" in html


def test_search_matches_name_email_and_organisation(admin_client, make_user):
    make_user(name="Jan Kowalski", email="jan@police.pl", organisation="Polish Police")
    make_user(name="Someone Else", email="else@example.eu", organisation="Other")
    for query in ("kowalski", "JAN@police", "polish pol"):
        names = _names(admin_client.get("/admin/users", query_string={"q": query}).get_data(as_text=True))
        assert names == ["Jan Kowalski"], query


def test_search_treats_wildcards_literally(admin_client, make_user):
    make_user(name="Plain Name")
    html = admin_client.get("/admin/users", query_string={"q": "%"}).get_data(as_text=True)
    assert _names(html) == []
    assert "No users match these filters." in html


def test_filter_by_role(admin_client, make_user):
    make_user(["reviewer"], name="Rev One")
    make_user(["contributor"], name="Con One")
    names = _names(admin_client.get("/admin/users", query_string={"role": "reviewer"}).get_data(as_text=True))
    assert names == ["Rev One"]


def test_filter_by_deactivated(admin_client, make_user):
    make_user(name="Gone User", active=False)
    make_user(name="Here User")
    names = _names(admin_client.get("/admin/users", query_string={"status": "deactivated"}).get_data(as_text=True))
    assert names == ["Gone User"]


def test_unknown_filter_value_is_422_with_a_message(admin_client):
    response = admin_client.get("/admin/users", query_string={"role": "emperor"})
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)


def test_list_is_paginated_keeping_the_filters(admin_client, make_user):
    for number in range(30):
        make_user(["reviewer"], name=f"Paged {number:02d}")
    first = admin_client.get("/admin/users", query_string={"role": "reviewer"}).get_data(as_text=True)
    assert len(_names(first)) == 25
    next_link = re.search(r'<a href="([^"]+)" rel="next">', first).group(1).replace("&amp;", "&")
    assert "role=reviewer" in next_link and "page=2" in next_link
    second = admin_client.get(next_link).get_data(as_text=True)
    assert len(_names(second)) == 5
    assert set(_names(first)).isdisjoint(_names(second))


def test_list_costs_the_same_queries_for_few_or_many_users(admin_client, make_user, make_network, in_app, count_queries):
    network_id = make_network()
    for number in range(20):
        user = make_user(["reviewer", "editor"], name=f"Member {number:02d}", area_codes=["BM", "CS"])
        in_app(lambda user=user: _join(user.id, network_id))
    with count_queries() as few:
        admin_client.get("/admin/users", query_string={"q": "Member 0"})  # ten users
    with count_queries() as many:
        admin_client.get("/admin/users", query_string={"q": "Member"})  # twenty users
    assert len(many) == len(few)


def _join(user_id, network_id):
    user = db.session.get(User, user_id)
    user.networks.append(db.session.get(Network, network_id))
    db.session.commit()


def test_user_page_shows_current_access(admin_client, make_user):
    user = make_user(["reviewer"], name="Rita Reviewer", area_codes=["BM"])
    html = admin_client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*value="reviewer"|<input[^>]*value="reviewer"[^>]*checked', html)
    assert not re.search(r'<input[^>]*value="editor"[^>]*checked', html)


def test_admin_edits_roles_areas_and_networks(admin_client, make_user, make_network, in_app):
    user = make_user(["contributor"])
    network_id = make_network(name="EU-HYBNET")
    area_ids = in_app(lambda: {a.code: a.id for a in db.session.scalars(db.select(ThematicArea))})
    response = post_form(
        admin_client,
        f"/admin/users/{user.id}",
        {"roles": ["reviewer", "editor"], "areas": [area_ids["CS"], area_ids["DRS"]], "networks": [network_id]},
        token_from=f"/admin/users/{user.id}",
    )
    assert response.status_code == 302
    roles, areas, networks = _user(in_app, user.id, lambda u: (sorted(u.roles), [a.code for a in u.areas], [n.name for n in u.networks]))
    assert roles == ["editor", "reviewer"]
    assert areas == ["CS", "DRS"]
    assert networks == ["EU-HYBNET"]


def test_removing_every_role_is_refused(admin_client, make_user, in_app):
    user = make_user(["reviewer"])
    response = post_form(admin_client, f"/admin/users/{user.id}", {"roles": []}, token_from=f"/admin/users/{user.id}")
    assert response.status_code == 422
    assert "Choose at least one role." in response.get_data(as_text=True)
    assert _user(in_app, user.id, lambda u: u.roles) == ["reviewer"]


def test_unknown_network_id_is_refused(admin_client, make_user, in_app):
    user = make_user(["contributor"])
    response = post_form(admin_client, f"/admin/users/{user.id}", {"roles": ["contributor"], "networks": [999999]}, token_from="/admin/")
    assert response.status_code == 422
    assert _user(in_app, user.id, lambda u: u.networks) == []


def test_admin_cannot_remove_their_own_admin_role(admin, admin_client, in_app):
    response = post_form(admin_client, f"/admin/users/{admin.id}", {"roles": ["editor"]}, token_from="/admin/")
    assert response.status_code == 422
    assert "You cannot remove your own administrator role." in response.get_data(as_text=True)
    assert _user(in_app, admin.id, lambda u: u.roles) == ["admin"]


def test_deactivation_ends_the_users_session(admin_client, make_user, signed_in):
    user = make_user(["contributor"])
    user_client = signed_in(user)
    assert user_client.get("/profile").status_code == 200
    response = post_form(admin_client, f"/admin/users/{user.id}/deactivate", {}, token_from="/admin/")
    assert response.status_code == 302
    after = user_client.get("/profile")
    assert after.status_code == 302 and after.location.startswith("/login")


def test_deactivation_stops_the_users_api_tokens(admin_client, make_user, in_app):
    from app.auth import services

    user = make_user(["contributor"])
    _token, plaintext = in_app(lambda: services.issue_api_token(db.session.get(User, user.id), "script"))
    headers = {"Authorization": f"Bearer {plaintext}"}
    assert admin_client.get("/api/v1/me", headers=headers).status_code == 200
    post_form(admin_client, f"/admin/users/{user.id}/deactivate", {}, token_from="/admin/")
    assert admin_client.get("/api/v1/me", headers=headers).status_code == 401


def test_admin_cannot_deactivate_themselves(admin, admin_client, in_app):
    response = post_form(admin_client, f"/admin/users/{admin.id}/deactivate", {}, token_from="/admin/")
    assert response.status_code == 422
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    assert _user(in_app, admin.id, lambda u: u.active) is True
    assert admin_client.get("/admin/").status_code == 200


def test_own_page_offers_no_deactivate_button(admin, admin_client):
    html = admin_client.get(f"/admin/users/{admin.id}").get_data(as_text=True)
    assert f"/admin/users/{admin.id}/deactivate" not in html


def test_reactivated_user_can_sign_in_again(admin_client, make_user, client):
    from tests.factories import PASSWORD
    from tests.support import sign_in

    user = make_user(["contributor"], active=False)
    response = post_form(admin_client, f"/admin/users/{user.id}/reactivate", {}, token_from="/admin/")
    assert response.status_code == 302
    sign_in(client, user.email, PASSWORD)
    assert client.get("/profile").status_code == 200


def test_role_checkboxes_are_not_each_required(admin_client, make_user):
    user = make_user(["reviewer"])
    html = admin_client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert re.search(r"<legend>Roles <span class=\"required\">", html)
    assert not re.search(r'<input[^>]*name="roles"[^>]*required', html)
