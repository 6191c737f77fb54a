"""The administration home page: links to every section, with what needs attention."""


def test_index_links_to_every_section(admin_client):
    html = admin_client.get("/admin/").get_data(as_text=True)
    for path in ("/admin/users", "/admin/access-requests", "/admin/networks", "/admin/areas", "/admin/outbox"):
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
