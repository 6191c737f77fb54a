"""The administration home page: links to every section, with what needs attention."""

import pytest


def test_index_links_to_every_section(admin_client):
    html = admin_client.get("/admin/").get_data(as_text=True)
    for path in ("/admin/users", "/admin/access-requests", "/admin/networks", "/admin/areas", "/admin/projects/import", "/admin/outbox"):
        assert f'href="{path}"' in html


def test_index_counts_pending_requests_and_e_mails(admin_client, make_access_request, make_message):
    make_access_request(email="one@example.eu")
    make_access_request(email="two@example.eu")
    make_message(state="failed")
    for _ in range(3):
        make_message(state="pending")
    html = admin_client.get("/admin/").get_data(as_text=True)
    assert "2 access requests are waiting for a decision." in html
    assert "1 e-mail could not be sent." in html
    assert "3 pending, 1 failed." in html


def test_the_project_import_link_leads_to_the_import_page(admin_client):
    html = admin_client.get("/admin/").get_data(as_text=True)
    assert '<a href="/admin/projects/import">Import projects</a>' in html

    page = admin_client.get("/admin/projects/import")
    assert page.status_code == 200 and "<h1>Import projects</h1>" in page.get_data(as_text=True)


@pytest.mark.parametrize("role", ["contributor", "reviewer", "editor"])
def test_the_import_page_and_the_index_are_forbidden_to_other_roles(make_user, signed_in, role):
    client = signed_in(make_user([role], area_codes=["BM"]))

    assert client.get("/admin/").status_code == 403
    assert client.get("/admin/projects/import").status_code == 403


def test_the_import_page_sends_a_visitor_to_sign_in(client):
    response = client.get("/admin/projects/import")

    assert response.status_code == 302 and response.location.startswith("/login")
