"""The call topic a contribution informs, through the API: set on POST and PATCH, read back, refused when unknown."""

import pytest

from app.contributions.models import Contribution
from app.extensions import db
from tests.api.support import token_headers
from tests.contributions.samples import payload
from tests.factories import CallTopicFactory


@pytest.fixture
def author(make_user):
    return make_user(["contributor"])


@pytest.fixture
def headers(app, author):
    return token_headers(app, author.id)


@pytest.fixture
def topic(app):
    """(id, code, title) of an open BM call topic."""
    with app.app_context():
        made = CallTopicFactory()
        return made.id, made.code, made.title


def count_contributions(app):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(Contribution))


def test_created_with_a_topic_it_reads_back_with_its_id_code_and_title(client, headers, topic):
    topic_id, code, title = topic
    created = client.post("/api/v1/contributions", json=payload("trend", call_topic_id=topic_id), headers=headers)
    assert created.status_code == 201, created.get_json()
    read = client.get(f"/api/v1/contributions/{created.get_json()['id']}", headers=headers).get_json()
    assert read["call_topic_id"] == topic_id
    assert read["call_topic"] == {"id": topic_id, "code": code, "title": title, "thematic_area": "BM"}


def test_the_list_carries_the_topic_id(client, headers, topic):
    topic_id, _code, _title = topic
    client.post("/api/v1/contributions", json=payload("trend", call_topic_id=topic_id), headers=headers)
    client.post("/api/v1/contributions", json=payload("trend"), headers=headers)
    items = client.get("/api/v1/contributions?sort=oldest", headers=headers).get_json()["items"]
    assert [item["call_topic_id"] for item in items] == [topic_id, None]


def test_without_a_topic_both_read_null(client, headers):
    created = client.post("/api/v1/contributions", json=payload("trend"), headers=headers).get_json()
    assert (created["call_topic_id"], created["call_topic"]) == (None, None)


@pytest.mark.parametrize("bad", [424242, 2**40, -1, 0])
def test_an_unknown_topic_is_refused_on_create_and_nothing_is_stored(app, client, headers, topic, bad):
    response = client.post("/api/v1/contributions", json=payload("trend", call_topic_id=bad), headers=headers)
    assert response.status_code == 422
    assert "call_topic_id" in response.get_json()["fields"]
    assert count_contributions(app) == 0


@pytest.mark.parametrize("bad", ["1", True, [1], {"id": 1}])
def test_a_topic_id_that_is_not_an_integer_is_refused(app, client, headers, topic, bad):
    response = client.post("/api/v1/contributions", json=payload("trend", call_topic_id=bad), headers=headers)
    assert response.status_code == 422
    assert "call_topic_id" in response.get_json()["fields"]
    assert count_contributions(app) == 0


def test_patch_sets_changes_and_clears_the_topic(app, client, headers, topic):
    topic_id, _code, _title = topic
    with app.app_context():
        other_id = CallTopicFactory().id
    contribution_id = client.post("/api/v1/contributions", json=payload("trend"), headers=headers).get_json()["id"]
    url = f"/api/v1/contributions/{contribution_id}"
    assert client.patch(url, json={"call_topic_id": topic_id}, headers=headers).get_json()["call_topic_id"] == topic_id
    assert client.patch(url, json={"call_topic_id": other_id}, headers=headers).get_json()["call_topic"]["id"] == other_id
    cleared = client.patch(url, json={"call_topic_id": None}, headers=headers).get_json()
    assert (cleared["call_topic_id"], cleared["call_topic"]) == (None, None)


def test_an_edit_that_does_not_name_the_topic_keeps_it(client, headers, topic):
    topic_id, _code, _title = topic
    contribution_id = client.post("/api/v1/contributions", json=payload("trend", call_topic_id=topic_id), headers=headers).get_json()["id"]
    edited = client.patch(f"/api/v1/contributions/{contribution_id}", json={"title": "A new title"}, headers=headers).get_json()
    assert (edited["title"], edited["call_topic_id"]) == ("A new title", topic_id)


def test_patch_with_an_unknown_topic_is_refused_and_changes_nothing(client, headers, topic):
    topic_id, _code, _title = topic
    contribution_id = client.post("/api/v1/contributions", json=payload("trend", call_topic_id=topic_id), headers=headers).get_json()["id"]
    url = f"/api/v1/contributions/{contribution_id}"
    before = client.get(url, headers=headers).get_json()
    response = client.patch(url, json={"title": "Changed", "call_topic_id": topic_id + 1000}, headers=headers)
    assert response.status_code == 422
    assert set(response.get_json()["fields"]) == {"call_topic_id"}
    after = client.get(url, headers=headers).get_json()
    assert (after["title"], after["call_topic_id"], after["version"]) == (before["title"], topic_id, before["version"])


def test_a_removed_topic_leaves_the_contribution_without_one(app, client, headers, topic):
    topic_id, _code, _title = topic
    contribution_id = client.post("/api/v1/contributions", json=payload("trend", call_topic_id=topic_id), headers=headers).get_json()["id"]
    with app.app_context():
        from app.projects.models import CallTopic

        db.session.execute(db.delete(CallTopic).where(CallTopic.id == topic_id))
        db.session.commit()
    read = client.get(f"/api/v1/contributions/{contribution_id}", headers=headers).get_json()
    assert (read["call_topic_id"], read["call_topic"]) == (None, None)
