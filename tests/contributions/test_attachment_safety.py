"""Attachments that attack the checker: decompression bombs, hostile archives, polyglots; removed files stay gone.

The bombs are real: their deflate streams unpack to what they say (a test below unpacks one
in full), only the archive's directory may lie about it.
"""

import bz2
import gc
import io
import random
import struct
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest

from app.contributions import attachments
from tests.api.support import token_headers
from tests.contributions.test_attachments import (
    CONTENT_TYPES,
    SAMPLES,
    WORD_MAIN,
    attachment_rows,
    author,  # noqa: F401 (fixture)
    docx_bytes,
    draft_id,  # noqa: F401 (fixture)
    odt_bytes,
    ooxml_entries,
    pdf_bytes,
    png_bytes,
    png_chunk,
    stored_files,
    upload,
    xlsx_bytes,
    zip_bytes,
)

MB = 1024 * 1024
SEGMENT = MB


# --- building hostile archives -------------------------------------------------------


def bomb_stream(segments, prefix=b"", fill=b"\0"):
    """A raw deflate stream of `prefix` then `segments` MiB of `fill`, with its true size and CRC.

    A full flush resets the compressor, so every MiB compresses to the same bytes: the
    stream is built by repeating them instead of compressing gigabytes in the test.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
    chunk = fill * SEGMENT
    segment = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH) == segment
    stream = head + segment * segments + compressor.flush()
    crc = zlib.crc32(prefix)
    for _ in range(segments):
        crc = zlib.crc32(chunk, crc)
    return stream, len(prefix) + segments * SEGMENT, crc


def member(name, packed, size, crc, method=zipfile.ZIP_DEFLATED, flags=0, extra=b""):
    return {"name": name.encode(), "packed": packed, "size": size, "crc": crc, "method": method, "flags": flags, "extra": extra}


def deflated(name, raw):
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return member(name, compressor.compress(raw) + compressor.flush(), len(raw), zlib.crc32(raw))


def craft_zip(members, count=None):
    """A ZIP written header by header, so that sizes and counts can say what a test wants."""
    body, directory = b"", b""
    for entry in members:
        offset = entry.get("offset", len(body))
        fields = (20, entry["flags"], entry["method"], 0, 0x21, entry["crc"], len(entry["packed"]), entry["size"], len(entry["name"]))
        if "offset" not in entry:
            body += struct.pack("<4s5H3I2H", b"PK\x03\x04", *fields, len(entry["extra"])) + entry["name"] + entry["extra"] + entry["packed"]
        directory += (
            struct.pack("<4sH5H3I5H2I", b"PK\x01\x02", 20, *fields, len(entry["extra"]), 0, 0, 0, 0, offset)
            + entry["name"]
            + entry["extra"]
        )
    count = len(members) if count is None else count
    return body + directory + struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, count, count, len(directory), len(body), 0)


def content_types_entry():
    return deflated("[Content_Types].xml", CONTENT_TYPES.format(part="word/document.xml", content_type=WORD_MAIN).encode())


# A bomb in the main part, honestly declared: the directory alone refuses it.
# A bomb in [Content_Types].xml (the part that is read) declaring a plausible size: only a
# capped read refuses it. Sizes: the 300 KB file of the report, and the 2 GB of the acceptance
# test (deflate packs at most about 1030 to 1, so 2 GB takes a 2 MB file).
BOMBS = {
    "300 KB, main part unpacks to 315 MB": (300, "main"),
    "2 MB, main part unpacks to 2.1 GB": (2000, "main"),
    "300 KB, content types unpack to 315 MB, declared small": (300, "content types"),
    "2 MB, content types unpack to 2.1 GB, declared small": (2000, "content types"),
}


def bomb_docx(segments, where):
    if where == "main":
        stream, size, crc = bomb_stream(segments, prefix=b"<w:document>")
        return craft_zip([content_types_entry(), member("word/document.xml", stream, size, crc)])
    # Valid XML as far as it goes (whitespace after the root's start), so only the cap stops it.
    prefix = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    stream, size, crc = bomb_stream(segments, prefix=prefix, fill=b" ")
    declared = 100 * len(stream)  # within the part and ratio limits, a lie all the same
    return craft_zip([member("[Content_Types].xml", stream, declared, crc), deflated("word/document.xml", b"<w:document/>")])


# --- measuring the server's memory ---------------------------------------------------


def _status_kb(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise AssertionError(f"{field} not in /proc/self/status")


def measured(action):
    """Run action(); return its result, the Python heap peak it added, and the RSS it added (peak and after)."""
    gc.collect()
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # restart the resident-size high-water mark from now
    rss_before = _status_kb("VmRSS")
    tracemalloc.start()
    try:
        baseline = tracemalloc.get_traced_memory()[0]
        result = action()
        heap_peak = tracemalloc.get_traced_memory()[1] - baseline
    finally:
        tracemalloc.stop()
    return result, heap_peak, _status_kb("VmHWM") - rss_before, _status_kb("VmRSS") - rss_before


def refused(app, response, before, *words):
    text = response.get_data(as_text=True)
    assert response.status_code == 422, text[:500]
    for word in words:
        assert word in text
    assert attachment_rows(app) == [] and stored_files(app) == before


# --- (a) the decompression bomb of the report ----------------------------------------


def test_the_bomb_really_unpacks_to_2_gb():
    archive = zipfile.ZipFile(io.BytesIO(bomb_docx(2000, "main")))
    total = 0
    with archive.open("word/document.xml") as part:  # zipfile checks the CRC at the end
        while piece := part.read(16 * MB):
            total += len(piece)
    assert total > 2 * 10**9


@pytest.mark.parametrize("label", list(BOMBS))
def test_a_docx_bomb_is_refused_and_the_server_grows_by_less_than_50_mb(app, signed_in, author, draft_id, label):
    segments, where = BOMBS[label]
    content = bomb_docx(segments, where)
    web = signed_in(author)
    before = stored_files(app)
    upload(web, draft_id, "warmup.docx", b"PK\x03\x04")  # load the code paths before measuring
    response, heap_peak, rss_peak, rss_after = measured(lambda: upload(web, draft_id, "bomb.docx", content))
    assert response.status_code == 422
    assert heap_peak < 50 * MB, f"Python heap grew by {heap_peak / MB:.0f} MB"
    assert rss_peak < 50 * MB, f"resident size peaked {rss_peak / MB:.0f} MB higher"
    assert rss_after < 50 * MB, f"resident size grew by {rss_after / MB:.0f} MB"
    refused(app, response, before, "256 MB" if where == "main" else "larger than it declares")


# --- (b) other hostile archives ------------------------------------------------------


def many_members():
    return craft_zip(
        [content_types_entry()] + [member(f"word/media/{n}.xml", b"", 0, 0, method=0) for n in range(attachments.ARCHIVE_MAX_MEMBERS)]
    )


def hidden_members():
    # The end record says 2 parts; the directory holds thousands.
    entries = [content_types_entry()] + [member(f"x/{n}", b"", 0, 0, method=0) for n in range(attachments.ARCHIVE_MAX_MEMBERS + 10)]
    return craft_zip(entries, count=2)


def huge_declared_size():
    part = deflated("word/document.xml", b"<w:document/>")
    part["size"] = 3 * 1024 * MB
    return craft_zip([content_types_entry(), part])


def high_ratio():
    return craft_zip([content_types_entry(), deflated("word/document.xml", b"<w:document>" + b"\0" * (10 * MB))])


def large_in_all():
    entries = [content_types_entry()]
    for n in range(5):
        part = deflated(f"word/media/{n}.bin", bytes(2 * MB))
        part["size"] = 250 * MB
        entries.append(part)
    return craft_zip(entries)


def zip64():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(part="word/document.xml", content_type=WORD_MAIN))
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            part.write(b"<w:document/>")
    return buffer.getvalue()


def duplicate_names():
    return craft_zip([content_types_entry(), deflated("word/document.xml", b"<a/>"), deflated("word/document.xml", b"<b/>")])


def traversal(name):
    return lambda: craft_zip([content_types_entry(), deflated("word/document.xml", b"<w:document/>"), deflated(name, b"x")])


def overlapping_parts():
    # A second part whose header sits inside the first part's data: the trick that lets a
    # small archive unpack the same bytes many times.
    inner = deflated("word/document.xml", b"<w:document/>")
    inner_header = struct.pack(
        "<4s5H3I2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, inner["crc"], len(inner["packed"]), inner["size"], len(inner["name"]), 0
    )
    inner_bytes = inner_header + inner["name"] + inner["packed"]
    outer = member("word/outer.bin", inner_bytes, len(inner_bytes), zlib.crc32(inner_bytes), method=0)
    types = content_types_entry()
    types_length = 30 + len(types["name"]) + len(types["packed"])
    inner["offset"] = types_length + 30 + len(outer["name"])
    return craft_zip([types, outer, inner])


def encrypted():
    part = deflated("word/document.xml", b"<w:document/>")
    part["flags"] = 1
    return craft_zip([content_types_entry(), part])


def doctype_in_content_types():
    entity_bomb = (
        '<?xml version="1.0"?><!DOCTYPE Types [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">&b;'
        f'<Override PartName="/word/document.xml" ContentType="{WORD_MAIN}"/></Types>'
    )
    return zip_bytes({"[Content_Types].xml": entity_bomb, "word/document.xml": "<w:document/>"})


HOSTILE_ARCHIVES = {
    "too many parts": (many_members, "at most 5000"),
    "more parts than the end record says": (hidden_members, "damaged"),
    "a part declaring 3 GB": (huge_declared_size, "256 MB"),
    "a part packed 1000 to 1": (high_ratio, "compressed far more"),
    "parts declaring 1.25 GB in all": (large_in_all, "1024 MB in all"),
    "ZIP64": (zip64, "ZIP64"),
    "two parts with one name": (duplicate_names, "same name"),
    "a part named ../": (traversal("../../etc/passwd"), "unsafe name"),
    "a part named with an absolute path": (traversal("/etc/passwd"), "unsafe name"),
    "a part named with backslashes": (traversal("word\\..\\..\\evil"), "unsafe name"),
    "overlapping parts": (overlapping_parts, "damaged"),
    "an encrypted part": (encrypted, "password"),
    "entities in [Content_Types].xml": (doctype_in_content_types, "damaged"),
}


@pytest.mark.parametrize("label", list(HOSTILE_ARCHIVES))
def test_a_hostile_archive_is_422_with_its_reason_and_nothing_is_stored(app, signed_in, author, draft_id, label):
    build, words = HOSTILE_ARCHIVES[label]
    web = signed_in(author)
    before = stored_files(app)
    refused(app, upload(web, draft_id, "note.docx", build()), before, words)


def test_a_docx_without_its_declared_main_part_is_refused(app, signed_in, author, draft_id):
    web = signed_in(author)
    content = zip_bytes(
        {"[Content_Types].xml": ooxml_entries("word/document.xml", WORD_MAIN, "")["[Content_Types].xml"], "word/other.xml": "<w/>"}
    )
    refused(app, upload(web, draft_id, "note.docx", content), stored_files(app), "structure")


def test_a_zip_with_word_folder_but_no_main_part_declared_is_not_a_docx(app, signed_in, author, draft_id):
    web = signed_in(author)
    content = zip_bytes({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>"})
    refused(app, upload(web, draft_id, "note.docx", content), stored_files(app), "not an accepted type")


# --- (c) polyglots -------------------------------------------------------------------

HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"

POLYGLOTS = {
    "HTML that begins with %PDF-": (b"%PDF-1.7\n" + HTML, "web page markup"),
    "HTML that begins with %PDF- and ends like a PDF": (b"%PDF-1.4\n" + HTML + b"\nxref\nstartxref\n0\n%%EOF\n", "web page markup"),
    "a PDF with script markup in its head": (
        pdf_bytes().replace(b"%PDF-1.4\n", b"%PDF-1.4\n%<script>alert(1)</script>\n"),
        "web page markup",
    ),
    "%PDF- with no trailer": (b"%PDF-1.4\n" + b"plain text, no objects\n" * 100, "structure"),
    "%PDF- whose startxref points nowhere": (b"%PDF-1.4\n" + b"text\n" * 100 + b"startxref\n999999\n%%EOF\n", "structure"),
    "PNG signature then HTML": (b"\x89PNG\r\n\x1a\n" + HTML, "web page markup"),
    "PNG signature then HTML past the head": (b"\x89PNG\r\n\x1a\n" + b" " * 2048 + HTML, "structure"),
    "a PNG with HTML after IEND": (png_bytes() + b"\n" * 2048 + HTML, "structure"),
    "a PNG with a bad chunk CRC": (png_bytes()[:-14] + bytes([png_bytes()[-14] ^ 1]) + png_bytes()[-13:], "structure"),
    "a PNG whose first chunk is not IHDR": (b"\x89PNG\r\n\x1a\n" + png_chunk(b"tEXt", b"x" * 13) + png_chunk(b"IEND", b""), "structure"),
    "JPEG start then HTML": (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\0" * 5 + b" " * 2048 + HTML, "structure"),
    "a JPEG cut before its end marker": (SAMPLES["photo.jpg"][0][:-2], "structure"),
}


@pytest.mark.parametrize("label", list(POLYGLOTS))
def test_a_polyglot_is_refused_and_nothing_is_stored(app, signed_in, author, draft_id, label):
    content, words = POLYGLOTS[label]
    web = signed_in(author)
    refused(app, upload(web, draft_id, "file.pdf", content), stored_files(app), words)


# --- (d) real files still pass -------------------------------------------------------


def weasyprint_pdf():
    from weasyprint import HTML as Page

    return Page(string="<h1>Border sensing</h1><p>Findings of the exercise.</p>").write_pdf()


def pypdf_pdf():
    from pypdf import PdfWriter

    writer, buffer = PdfWriter(), io.BytesIO()
    writer.add_blank_page(200, 200)
    writer.write(buffer)
    return buffer.getvalue()


def pillow_image(kind, **options):
    from PIL import Image

    def build():
        buffer = io.BytesIO()
        Image.effect_noise((64, 48), 40).convert("RGB").save(buffer, kind, **options)
        return buffer.getvalue()

    return build


def large_docx():
    # 50,000 paragraphs (about 4 MB unpacked): a long document is no bomb.
    paragraphs = "".join(f"<w:p><w:r><w:t>Paragraph {n} about border sensing trials.</w:t></w:r></w:p>" for n in range(50000))
    return zip_bytes(ooxml_entries("word/document.xml", WORD_MAIN, f"<w:document><w:body>{paragraphs}</w:body></w:document>"))


def pdf_with_incremental_update():
    original = pdf_bytes()
    xref = len(original)
    return original + b"xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 5 /Root 1 0 R /Prev 0 >>\nstartxref\n%d\n%%%%EOF\n" % xref


REAL_FILES = {
    "WeasyPrint PDF": (weasyprint_pdf, "application/pdf"),
    "pypdf PDF": (pypdf_pdf, "application/pdf"),
    "PDF with an incremental update": (pdf_with_incremental_update, "application/pdf"),
    "Pillow PNG": (pillow_image("PNG"), "image/png"),
    "Pillow progressive JPEG": (pillow_image("JPEG", progressive=True), "image/jpeg"),
    "Pillow JPEG with EXIF": (pillow_image("JPEG", exif=b"Exif\0\0MM\0*\0\0\0\x08\0\0"), "image/jpeg"),
    "long DOCX": (large_docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "DOCX": (docx_bytes, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "XLSX": (xlsx_bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "ODT": (odt_bytes, "application/vnd.oasis.opendocument.text"),
}


@pytest.mark.parametrize("label", list(REAL_FILES))
def test_real_files_are_still_accepted(app, signed_in, author, draft_id, label):
    build, content_type = REAL_FILES[label]
    content = build()
    web = signed_in(author)
    response = upload(web, draft_id, "file", content)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    (row,) = attachment_rows(app)
    assert row.content_type == content_type and row.size == len(content)


# --- (e) removed attachments are gone ------------------------------------------------


def remove(web, contribution_id, attachment_id):
    from tests.support import csrf_token

    token = csrf_token(web, f"/contributions/{contribution_id}/edit")
    return web.post(f"/contributions/{contribution_id}/attachments/{attachment_id}/remove", data={"csrf_token": token})


def test_a_removed_attachment_is_404_to_everyone_and_not_listed(app, signed_in, author, draft_id, make_user):
    web = signed_in(author)
    upload(web, draft_id, "kept.pdf", SAMPLES["report.pdf"][0])
    upload(web, draft_id, "removed.png", SAMPLES["map.png"][0])
    kept, removed = sorted(attachment_rows(app), key=lambda row: row.id)
    assert remove(web, draft_id, removed.id).status_code == 302
    assert web.get(f"/contributions/{draft_id}/attachments/{removed.id}").status_code == 404
    assert remove(web, draft_id, removed.id).status_code == 404
    assert "removed.png" not in web.get(f"/contributions/{draft_id}").get_data(as_text=True)

    submitted = app.test_client().post(
        f"/api/v1/contributions/{draft_id}/transitions", json={"transition": "submit"}, headers=token_headers(app, author.id)
    )
    assert submitted.status_code == 200, submitted.get_json()
    admin = make_user(["admin"])
    admin_web = signed_in(admin)
    assert admin_web.get(f"/contributions/{draft_id}/attachments/{kept.id}").status_code == 200
    assert admin_web.get(f"/contributions/{draft_id}/attachments/{removed.id}").status_code == 404
    for user in (author, admin):
        listed = app.test_client().get(f"/api/v1/contributions/{draft_id}", headers=token_headers(app, user.id)).get_json()
        assert [item["id"] for item in listed["attachments"]] == [kept.id]


# --- (a') the acceptance case to the letter: 300 KB, one part that unpacks to 2 GB ---------
# Deflate cannot pack 2 GB into 300 KB, bzip2 (a method ZIP allows) can: data/document-2gb.bz2
# is "<w:document>" and 2 GiB of zeros, made with bz2.BZ2Compressor(9) (1.5 KB); its size and
# CRC below are those of the unpacked bytes.
BZIP2_PART = Path(__file__).parent / "data" / "document-2gb.bz2"
BZIP2_PART_SIZE = 12 + 2 * 1024**3
BZIP2_PART_CRC = 1163090218


def bzip2_bomb_docx():
    padding = random.Random(42).randbytes(300 * 1024)  # incompressible, like the images of a real document
    return craft_zip(
        [
            content_types_entry(),
            member("word/document.xml", BZIP2_PART.read_bytes(), BZIP2_PART_SIZE, BZIP2_PART_CRC, method=zipfile.ZIP_BZIP2),
            member("word/media/image1.bin", padding, len(padding), zlib.crc32(padding), method=zipfile.ZIP_STORED),
        ]
    )


def test_the_300_kb_docx_holds_a_part_of_2_gb():
    content = bzip2_bomb_docx()
    assert 300 * 1024 <= len(content) < 310 * 1024
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.getinfo("word/document.xml").file_size > 2 * 10**9
    # A real bzip2 stream; only its start is unpacked here (the whole takes seconds).
    assert bz2.BZ2Decompressor().decompress(BZIP2_PART.read_bytes(), max_length=64 * 1024)[:12] == b"<w:document>"


def test_a_300_kb_docx_whose_part_unpacks_to_2_gb_is_refused_within_50_mb(app, signed_in, author, draft_id):
    content = bzip2_bomb_docx()
    web = signed_in(author)
    before = stored_files(app)
    upload(web, draft_id, "warmup.docx", b"PK\x03\x04")
    response, heap_peak, rss_peak, rss_after = measured(lambda: upload(web, draft_id, "bomb.docx", content))
    assert heap_peak < 50 * MB, f"Python heap grew by {heap_peak / MB:.0f} MB"
    assert rss_peak < 50 * MB, f"resident size peaked {rss_peak / MB:.0f} MB higher"
    assert rss_after < 50 * MB, f"resident size grew by {rss_after / MB:.0f} MB"
    refused(app, response, before, "not accepted")
