"""Attachments: accepted by content, refused by content whatever the name, size-limited, served only to viewers."""

import io
import struct
import zipfile
import zlib

import pytest

from tests.api.support import token_headers
from tests.contributions.samples import payload
from tests.support import csrf_token


def zip_bytes(entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            # ODF wants its mimetype part first and uncompressed.
            archive.writestr(name, content, compress_type=zipfile.ZIP_STORED if name == "mimetype" else None)
    return buffer.getvalue()


def pdf_bytes(text="CERIS"):
    """A minimal but well-formed PDF: objects, a cross-reference table with true offsets, a trailer."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    body, offsets = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return body


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bytes():
    """A 1x1 grey PNG, chunk by chunk."""
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
        + png_chunk(b"IDAT", zlib.compress(b"\x00\x80"))
        + png_chunk(b"IEND", b"")
    )


def jpeg_bytes():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/{part}" ContentType="{content_type}"/>'
    "</Types>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="{part}"/>'
    "</Relationships>"
)
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
SHEET_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def ooxml_entries(part, content_type, body):
    return {
        "[Content_Types].xml": CONTENT_TYPES.format(part=part, content_type=content_type),
        "_rels/.rels": RELS.format(part=part),
        part: body,
    }


def docx_bytes():
    body = '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>CERIS</w:t></w:r></w:p></w:body></w:document>'
    return zip_bytes(ooxml_entries("word/document.xml", WORD_MAIN, body))


def xlsx_bytes():
    body = '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>'
    return zip_bytes(ooxml_entries("xl/workbook.xml", SHEET_MAIN, body))


def odt_bytes():
    return zip_bytes(
        {
            "mimetype": "application/vnd.oasis.opendocument.text",
            "META-INF/manifest.xml": '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>',
            "content.xml": '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>',
        }
    )


SAMPLES = {
    "report.pdf": (pdf_bytes(), "application/pdf"),
    "map.png": (png_bytes(), "image/png"),
    "photo.jpg": (jpeg_bytes(), "image/jpeg"),
    "note.docx": (docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "table.xlsx": (xlsx_bytes(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "text.odt": (odt_bytes(), "application/vnd.oasis.opendocument.text"),
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
