"""Networks: list with member counts, create, edit, unique names, members on the edit page."""

import re

from app.auth.models import User
from app.community.models import Network
from app.extensions import db
from tests.support import post_form

VALID = {
    "name": "ILEAnet",
    "kind": "practitioners",
    "country": "FR",
    "website": "https://www.ileanet.eu/",
    "description": "Police R&I network.",
}


def _join(user_id, network_id):
    user = db.session.get(User, user_id)
    user.networks.append(db.session.get(Network, network_id))
    db.session.commit()


def _network(in_app, **where):
    def read():
        row = db.session.scalar(db.select(Network).filter_by(**where))
        if row is None:
            return None
        return {"id": row.id, "name": row.name, "kind": row.kind, "country": row.country, "website": row.website}

    return in_app(read)


def _network_count(in_app):
    return in_app(lambda: db.session.scalar(db.select(db.func.count(Network.id))))


def _rows(html):
    """(name, member count) for each network listed."""
    return re.findall(r'<th scope="row"><a href="/admin/networks/\d+">([^<]+)</a></th>.*?<td class="numeric">(\d+)</td>', html, re.S)


def test_list_shows_member_counts(admin_client, make_network, make_user, in_app):
    busy = make_network(name="Busy Network")
    make_network(name="Empty Network")
    for _ in range(3):
        member = make_user()
        in_app(lambda member=member: _join(member.id, busy))
    html = admin_client.get("/admin/networks").get_data(as_text=True)
    assert _rows(html) == [("Busy Network", "3"), ("Empty Network", "0")]


def test_list_counts_members_in_one_query_whatever_the_number_of_networks(admin_client, make_network, make_user, in_app, count_queries):
    member = make_user()
    for number in range(12):
        network_id = make_network(name=f"Net {number:02d}")
        in_app(lambda network_id=network_id: _join(member.id, network_id))
    with count_queries() as few:
        admin_client.get("/admin/networks", query_string={"q": "Net 0"})
    with count_queries() as many:
        admin_client.get("/admin/networks", query_string={"q": "Net"})
    assert len(many) == len(few)


def test_search_by_name(admin_client, make_network):
    make_network(name="EU-HYBNET")
    make_network(name="ILEAnet")
    html = admin_client.get("/admin/networks", query_string={"q": "hyb"}).get_data(as_text=True)
    assert [name for name, _count in _rows(html)] == ["EU-HYBNET"]


def test_create_a_network(admin_client, in_app):
    response = post_form(admin_client, "/admin/networks/new", VALID, token_from="/admin/networks/new")
    assert response.status_code == 302
    created = _network(in_app, name="ILEAnet")
    assert created == {
        "id": created["id"],
        "name": "ILEAnet",
        "kind": "practitioners",
        "country": "FR",
        "website": "https://www.ileanet.eu/",
    }
    assert response.location == f"/admin/networks/{created['id']}"


def test_duplicate_name_is_a_form_error(admin_client, make_network, in_app):
    make_network(name="ILEAnet")
    response = post_form(admin_client, "/admin/networks/new", {**VALID, "name": "ileanet"}, token_from="/admin/networks/new")
    assert response.status_code == 422
    assert "A network called “ileanet” already exists." in response.get_data(as_text=True)
    assert _network_count(in_app) == 1


def test_website_must_be_a_web_address(admin_client, in_app):
    response = post_form(admin_client, "/admin/networks/new", {**VALID, "website": "javascript:alert(1)"}, token_from="/admin/networks/new")
    assert response.status_code == 422
    assert "Enter a full web address starting with https:// or http://." in response.get_data(as_text=True)
    assert _network_count(in_app) == 0


def test_country_must_be_an_iso_code(admin_client, in_app):
    response = post_form(admin_client, "/admin/networks/new", {**VALID, "country": "XX"}, token_from="/admin/networks/new")
    assert response.status_code == 422
    assert _network_count(in_app) == 0


def test_kind_must_be_a_known_kind(admin_client, in_app):
    response = post_form(admin_client, "/admin/networks/new", {**VALID, "kind": "cartel"}, token_from="/admin/networks/new")
    assert response.status_code == 422
    assert _network_count(in_app) == 0


def test_edit_a_network(admin_client, make_network, in_app):
    network_id = make_network(name="Old Name", kind="other", country="")
    response = post_form(
        admin_client,
        f"/admin/networks/{network_id}",
        {**VALID, "name": "New Name", "country": ""},
        token_from=f"/admin/networks/{network_id}",
    )
    assert response.status_code == 302
    assert _network(in_app, id=network_id) == {
        "id": network_id,
        "name": "New Name",
        "kind": "practitioners",
        "country": "",
        "website": "https://www.ileanet.eu/",
    }


def test_keeping_the_own_name_is_not_a_duplicate(admin_client, make_network, in_app):
    network_id = make_network(name="ILEAnet")
    response = post_form(admin_client, f"/admin/networks/{network_id}", {**VALID, "kind": "other"}, token_from="/admin/")
    assert response.status_code == 302
    assert _network(in_app, id=network_id)["kind"] == "other"


def test_renaming_to_another_networks_name_is_refused(admin_client, make_network, in_app):
    make_network(name="Taken")
    network_id = make_network(name="Mine")
    response = post_form(admin_client, f"/admin/networks/{network_id}", {**VALID, "name": "Taken"}, token_from="/admin/")
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)
    assert _network(in_app, id=network_id)["name"] == "Mine"


def test_edit_page_lists_the_members(admin_client, make_network, make_user, in_app):
    network_id = make_network()
    member = make_user(name="Mona Member")
    make_user(name="Otto Outsider")
    in_app(lambda: _join(member.id, network_id))
    html = admin_client.get(f"/admin/networks/{network_id}").get_data(as_text=True)
    assert f'<a href="/admin/users/{member.id}">Mona Member</a>' in html
    assert "Otto Outsider" not in html
