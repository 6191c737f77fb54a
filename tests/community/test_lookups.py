"""One way to name an area by its code and a network by its name, whatever the case, for every feature."""

import sqlalchemy as sa

from app.auth import services as auth_services
from app.community import services
from app.community.models import Network
from app.extensions import db
from app.subscriptions import services as subscription_services


def test_an_area_code_names_its_area_whatever_its_case_and_spaces(app):
    with app.app_context():
        assert services.area_by_code(" bm ").code == "BM"
        assert services.area_by_code("nope") is None


def test_codes_resolve_in_site_order_each_once_with_the_unknown_ones_named(app):
    with app.app_context():
        areas, unknown = services.areas_for_codes(["cs", "FCT", "Cs", "mars", ""])
        assert [area.code for area in areas] == ["FCT", "CS"]
        assert unknown == ["MARS"]


def test_the_area_id_filter_matches_lower_case_codes(app):
    with app.app_context():
        ids = db.session.scalars(services.area_ids_for_codes(["bm"])).all()
        assert ids == [services.area_by_code("BM").id]


def test_accounts_and_subscriptions_resolve_codes_the_same_way(app):
    with app.app_context():
        assert [area.code for area in auth_services.resolve_areas(["drs", "bm"])] == ["BM", "DRS"]
        assert [area.code for area in subscription_services._areas(["drs", "bm"])] == ["BM", "DRS"]


def test_a_network_is_found_by_its_name_whatever_its_case(app):
    with app.app_context():
        db.session.add(Network(name="ILEAnet", kind="practitioners"))
        db.session.commit()
        assert services.find_network_by_name("  ileanet ").name == "ILEAnet"
        assert services.find_network_by_name("ILEA") is None


def test_get_or_create_network_joins_the_network_of_another_case_instead_of_making_one(app):
    with app.app_context():
        db.session.add(Network(name="EU-HYBNET", kind="practitioners"))
        db.session.commit()
        assert services.get_or_create_network("eu-hybnet").name == "EU-HYBNET"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Network)) == 1


def test_an_access_request_page_shows_the_network_it_names_in_another_case(admin, signed_in, make_user, app):
    from app.auth.models import AccessRequest

    with app.app_context():
        network = Network(name="ENLETS", kind="practitioners")
        row = AccessRequest(email="a@example.eu", name="A", organisation="O", motivation="M", network_name="enlets")
        db.session.add_all([network, row])
        db.session.commit()
        request_id, network_id = row.id, network.id
    page = signed_in(admin).get(f"/admin/access-requests/{request_id}").get_data(as_text=True)
    assert f"/admin/networks/{network_id}" in page
