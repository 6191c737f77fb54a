"""Error pages keep the site's look; the API answers JSON."""

import pytest

from tests.support import csrf_token


def test_403_page_in_the_site_look(make_user, signed_in):
    client = signed_in(make_user(["contributor"]))
    response = client.get("/admin/")
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "You do not have access to this page" in html and 'class="site-header"' in html


def test_413_page_states_the_limit(app, client):
    token = csrf_token(client, "/request-access")
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = client.post("/request-access", data={"csrf_token": token, "motivation": "x" * (limit + 10)})
    assert response.status_code == 413
    assert f"{limit / 1048576:.1f}" in response.get_data(as_text=True)


def test_api_404_is_json(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.is_json and "error" in response.get_json()


@pytest.fixture
def failing_app(app_settings):
    """A separate app with a route that fails, to see the 500 page (the shared app is already serving)."""
    from app import create_app

    broken = create_app(
        {
            "TESTING": False,
            "SQLALCHEMY_DATABASE_URI": app_settings["DATABASE_URL"],
            "SECRET_KEY": "x",
            "PUBLIC_BASE_URL": "http://127.0.0.1:5000",
            "PROPAGATE_EXCEPTIONS": False,
        }
    )

    @broken.get("/boom")
    def boom():
        raise RuntimeError("boom")

    @broken.get("/api/v1/boom")
    def api_boom():
        raise RuntimeError("boom")

    return broken


def test_500_page_in_the_site_look_without_details(failing_app):
    response = failing_app.test_client().get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Something went wrong on our side" in html and "RuntimeError" not in html


def test_api_500_is_json_without_details(failing_app):
    response = failing_app.test_client().get("/api/v1/boom")
    assert response.status_code == 500
    assert response.get_json() == {"error": "Internal server error"}
