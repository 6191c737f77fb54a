"""Thematic areas: listed; names and descriptions editable, codes fixed."""

from app.community.models import ThematicArea
from app.extensions import db
from tests.support import post_form


def _area(in_app, code):
    return in_app(lambda: (lambda a: (a.name, a.description))(db.session.scalar(db.select(ThematicArea).filter_by(code=code))))


def test_list_shows_the_six_areas(admin_client):
    html = admin_client.get("/admin/areas").get_data(as_text=True)
    for code in ("FCT", "BM", "INFRA", "CS", "DRS", "SSRI"):
        assert f'<th scope="row">{code}</th>' in html


def test_edit_name_and_description(admin_client, client, in_app):
    response = post_form(
        admin_client,
        "/admin/areas/BM",
        {"name": "Border Management and Security", "description": "Managing the EU's external borders."},
        token_from="/admin/areas/BM",
    )
    assert response.status_code == 302
    assert _area(in_app, "BM") == ("Border Management and Security", "Managing the EU's external borders.")
    assert "Managing the EU&#39;s external borders." in client.get("/areas/BM").get_data(as_text=True)


def test_empty_name_is_refused(admin_client, in_app):
    response = post_form(admin_client, "/admin/areas/BM", {"name": " ", "description": "x"}, token_from="/admin/areas/BM")
    assert response.status_code == 422
    assert _area(in_app, "BM") == ("Border Management", "")


def test_unknown_area_is_404(admin_client):
    assert admin_client.get("/admin/areas/NOPE").status_code == 404
