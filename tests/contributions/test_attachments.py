"""Attachments: accepted by content, refused by content whatever the name, size-limited, served only to viewers."""
import io
import zipfile

import pytest

from tests.api.support import token_headers
from tests.contributions.samples import payload
from tests.support import csrf_token


def zip_bytes(entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


SAMPLES = {
    "report.pdf": (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf"),
    "map.png": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png"),
    "photo.jpg": (b"\xff\xd8\xff\xe0" + b"\x00" * 64, "image/jpeg"),
    "note.docx": (zip_bytes({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>"}), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "table.xlsx": (zip_bytes({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<x/>"}), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "text.odt": (zip_bytes({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<o/>"}), "application/vnd.oasis.opendocument.text"),
}


@pytest.fixture
def author(make_user):
    return make_user(["contributor"])


@pytest.fixture
def draft_id(app, client, author):
    return client.post("/api/v1/contributions", json=payload("trend"), headers=token_headers(app, author.id)).get_json()["id"]


def upload(web, contribution_id, name, content):
    token = csrf_token(web, f"/contributions/{contribution_id}/edit")
    return web.post(
        f"/contributions/{contribution_id}/attachments",
        data={"csrf_token": token, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def stored_files(app):
    from pathlib import Path

    return sorted(path.name for path in Path(app.config["UPLOAD_FOLDER"]).glob("*"))


def attachment_rows(app):
    from app.contributions.models import Attachment
    from app.extensions import db

    with app.app_context():
        return db.session.scalars(db.select(Attachment)).all()


@pytest.mark.parametrize("name", list(SAMPLES))
def test_each_accepted_type_is_stored_and_served_back(app, signed_in, author, draft_id, name):
    web = signed_in(author)
    content, content_type = SAMPLES[name]
    assert upload(web, draft_id, name, content).status_code == 302
    (row,) = attachment_rows(app)
    assert row.content_type == content_type and row.size == len(content)
    response = web.get(f"/contributions/{draft_id}/attachments/{row.id}")
    assert response.status_code == 200 and response.data == content
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert name in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype == content_type


@pytest.mark.parametrize("executable", [b"MZ\x90\x00\x03" + b"\x00" * 64, b"\x7fELF\x02\x01\x01" + b"\x00" * 64, b"#!/bin/sh\nrm -rf /\n"])
def test_an_executable_named_pdf_is_refused_and_nothing_is_stored(app, signed_in, author, draft_id, executable):
    web = signed_in(author)
    before = stored_files(app)
    response = upload(web, draft_id, "invoice.pdf", executable)
    assert response.status_code == 422
    assert "not an accepted type" in response.get_data(as_text=True)
    assert attachment_rows(app) == [] and stored_files(app) == before


def test_an_oversized_file_is_413_with_the_limit_and_nothing_is_stored(app, signed_in, author, draft_id):
    web = signed_in(author)
    before = stored_files(app)
    old_limit = app.config["MAX_ATTACHMENT_BYTES"]
    app.config["MAX_ATTACHMENT_BYTES"] = 1024 * 1024
    try:
        for size in (1024 * 1024 + 10, 2 * 1024 * 1024):  # just over the limit, and far over the request limit
            response = upload(web, draft_id, "big.pdf", b"%PDF-1.4\n" + b"0" * size)
            assert response.status_code == 413
            assert "1.0 MB" in response.get_data(as_text=True)
    finally:
        app.config["MAX_ATTACHMENT_BYTES"] = old_limit
    assert attachment_rows(app) == [] and stored_files(app) == before


def test_only_people_who_can_open_the_contribution_download(app, signed_in, author, draft_id, make_user):
    web = signed_in(author)
    upload(web, draft_id, "report.pdf", SAMPLES["report.pdf"][0])
    (row,) = attachment_rows(app)
    stranger = signed_in(make_user(["contributor"]))
    assert stranger.get(f"/contributions/{draft_id}/attachments/{row.id}").status_code == 404
    assert app.test_client().get(f"/contributions/{draft_id}/attachments/{row.id}").status_code == 302


def test_files_are_kept_outside_the_static_folder(app):
    from pathlib import Path

    assert Path(app.static_folder) not in Path(app.config["UPLOAD_FOLDER"]).resolve().parents
