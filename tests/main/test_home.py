def test_home_lists_the_six_ceris_areas(client):
    html = client.get("/").get_data(as_text=True)
    for code in ("FCT", "BM", "INFRA", "CS", "DRS", "SSRI"):
        assert f"/areas/{code}" in html


def test_unknown_area_is_404_in_the_site_look(client):
    response = client.get("/areas/NOPE")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_security_headers_are_set(client):
    response = client.get("/")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
