"""GET /api/v1/workshops and /api/v1/workshops/{id}: public, paginated, times with an offset (shapes checked by conformance)."""

from datetime import datetime

from tests.workshops.support import make_workshop


def _make(app, **options):
    with app.app_context():
        return make_workshop(**options).id


def test_the_list_is_public_and_filters_upcoming_and_area(app, client):
    coming = _make(app, title="Coming", areas=("BM",), starts_in=24)
    _make(app, title="Coming in CS", areas=("CS",), starts_in=30)
    past = _make(app, title="Past", areas=("BM",), starts_in=-48, call=None)
    body = client.get("/api/v1/workshops?area=BM").get_json()
    assert [item["id"] for item in body["items"]] == [coming]
    assert body["total"] == 1 and body["page"] == 1
    assert [item["id"] for item in client.get("/api/v1/workshops?upcoming=false").get_json()["items"]] == [past]


def test_one_workshop_with_its_call_times_and_state(app, client):
    workshop_id = _make(app, call=(-1, 24), types=("technology",), time_zone="Europe/Helsinki")
    body = client.get(f"/api/v1/workshops/{workshop_id}").get_json()
    assert body["call"]["open"] is True and body["call"]["types"] == ["technology"]
    assert body["state"] == "call_open"
    assert datetime.fromisoformat(body["starts_at"]).utcoffset() is not None
    assert datetime.fromisoformat(body["starts_at_local"]) == datetime.fromisoformat(body["starts_at"])
    assert body["starts_at_local"][-6:] in ("+02:00", "+03:00")
    assert body["ics_url"].endswith(f"/workshops/{workshop_id}.ics")


def test_an_unknown_workshop_is_404(client):
    assert client.get("/api/v1/workshops/999999").status_code == 404


def test_the_openapi_document_lists_the_workshop_endpoints(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert "/workshops" in document["paths"] and "/workshops/{workshop_id}" in document["paths"]
    assert "Workshop" in document["components"]["schemas"]
