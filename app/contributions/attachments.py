"""Attachments: checked by size and by content (never by name), stored outside the static folder."""

import hashlib
import re
import secrets
import struct
import zlib
from pathlib import Path
from xml.etree.ElementTree import ParseError, XMLPullParser

from flask import current_app
from werkzeug.utils import secure_filename

from app.contributions.models import Attachment
from app.contributions.services import can_edit
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.service_errors import Conflict, Forbidden, Invalid, NotFound, TooLarge
from app.timeutil import utcnow
from app.unit_of_work import transactional, unit_of_work

# What the platform accepts, by what the content is.
ACCEPTED = {
    "application/pdf": _l("PDF"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _l("Word document (DOCX)"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _l("Excel workbook (XLSX)"),
    "application/vnd.oasis.opendocument.text": _l("OpenDocument text (ODT)"),
    "image/png": _l("PNG image"),
    "image/jpeg": _l("JPEG image"),
}


class AttachmentError(Invalid):
    """A file that is not accepted (422), or a change to attachments the rules refuse (see AttachmentForbidden)."""


class AttachmentForbidden(AttachmentError, Forbidden):
    """Only the author changes attachments, and only while the contribution is editable (403)."""

    status = 403


class AttachmentConflict(AttachmentError, Conflict):
    """The contribution's state does not allow changing its attachments (409)."""

    status = 409


class AttachmentTooLarge(AttachmentError, TooLarge):
    status = 413


def limit_bytes():
    return current_app.config["MAX_ATTACHMENT_BYTES"]


def upload_folder():
    folder = Path(current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path) / "uploads")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# --- limits on what an uploaded file may make the server do ---------------------------
# Office files are ZIP archives; these bound what checking one may cost, whatever its
# headers claim. Real DOCX/XLSX/ODT files stay far below every one of them.
ARCHIVE_MAX_MEMBERS = 5000
ARCHIVE_MAX_MEMBER_BYTES = 256 * 1024 * 1024  # declared unpacked size of one part
ARCHIVE_MAX_TOTAL_BYTES = 1024 * 1024 * 1024  # declared unpacked size of all parts together
ARCHIVE_MAX_RATIO = 200  # unpacked/packed, checked for parts that unpack to more than:
ARCHIVE_RATIO_FROM_BYTES = 1024 * 1024
# The only parts ever unpacked, to identify the type, and how much of them at most.
MIMETYPE_MAX_BYTES = 256
CONTENT_TYPES_MAX_BYTES = 256 * 1024
READ_CHUNK = 4096
# Markup a browser would take for a web page, refused at the start of any file.
HEAD_BYTES = 1024
MARKUP = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|script|iframe|svg|meta|object|embed|img)\b", re.IGNORECASE)

ODT = "application/vnd.oasis.opendocument.text"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OOXML_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _unlike(label):
    return AttachmentError(_l("The file starts like a %(type)s but does not have the structure of one, so it is not accepted.", type=label))


def detect_type(content):
    """The content type the bytes really are, among the accepted ones; None otherwise.

    Identified by structure, not by the first bytes alone; raises AttachmentError for a
    file that claims a type it does not have, or an archive too costly to check safely.
    """
    if MARKUP.search(content[:HEAD_BYTES]):
        raise AttachmentError(_l("The file contains web page markup and is not accepted."))
    if content.startswith(b"%PDF-"):
        return _pdf(content)
    if content.startswith(PNG_SIGNATURE):
        return _png(content)
    if content.startswith(b"\xff\xd8\xff"):
        return _jpeg(content)
    if content.startswith(b"PK\x03\x04"):
        return _office(content)
    return None


def _pdf(content):
    tail = content[-1024:]
    pointers = re.findall(rb"startxref\s+(\d{1,12})\s+%%EOF", tail)
    if not re.match(rb"%PDF-\d\.\d", content) or not pointers:
        raise _unlike(ACCEPTED["application/pdf"])
    # The last startxref must point at a cross-reference table or stream (a little slack
    # for the line-ending slips of some producers).
    offset = int(pointers[-1])
    near = content[max(0, offset - 8) : offset + 32]
    if offset >= len(content) or not re.search(rb"xref|\d+\s+\d+\s+obj", near):
        raise _unlike(ACCEPTED["application/pdf"])
    return "application/pdf"


def _png(content):
    # Walk the chunks: IHDR first, IEND last and at the very end, every CRC right.
    position, first = len(PNG_SIGNATURE), True
    while True:
        header = content[position : position + 8]
        if len(header) < 8:
            raise _unlike(ACCEPTED["image/png"])
        length, kind = struct.unpack(">I4s", header)
        end = position + 12 + length
        if not kind.isalpha() or end > len(content) or (first and (kind != b"IHDR" or length != 13)):
            raise _unlike(ACCEPTED["image/png"])
        crc = struct.unpack(">I", content[end - 4 : end])[0]
        if zlib.crc32(memoryview(content)[position + 4 : end - 4]) != crc:
            raise _unlike(ACCEPTED["image/png"])
        position, first = end, False
        if kind == b"IEND":
            if position != len(content):
                raise _unlike(ACCEPTED["image/png"])
            return "image/png"


def _jpeg(content):
    # Walk the marker segments up to the image data, then find the end-of-image marker.
    # Data after it is allowed: phones append motion clips there.
    position = 2
    while True:
        if content[position : position + 1] != b"\xff":
            raise _unlike(ACCEPTED["image/jpeg"])
        while content[position + 1 : position + 2] == b"\xff":  # fill bytes
            position += 1
        marker = content[position + 1 : position + 2]
        if not marker or marker == b"\xd9":
            raise _unlike(ACCEPTED["image/jpeg"])
        if marker in (b"\x01",) or b"\xd0" <= marker <= b"\xd7":
            position += 2
            continue
        if len(content) < position + 4:
            raise _unlike(ACCEPTED["image/jpeg"])
        length = struct.unpack(">H", content[position + 2 : position + 4])[0]
        if length < 2:
            raise _unlike(ACCEPTED["image/jpeg"])
        position += 2 + length
        if marker == b"\xda":  # start of scan: entropy-coded data follows
            break
    if position > len(content) or content.find(b"\xff\xd9", position) < 0:
        raise _unlike(ACCEPTED["image/jpeg"])
    return "image/jpeg"


# --- office documents: ZIP archives, read from the central directory --------------------


class _Member:
    __slots__ = ("data_start", "flags", "method", "name", "offset", "packed", "unpacked")


def _damaged():
    return AttachmentError(_l("The document is damaged and cannot be checked, so it is not accepted."))


def _members(content):
    """Every part the archive lists, checked against the limits before anything is unpacked."""
    eocd = content.rfind(b"PK\x05\x06", max(0, len(content) - 22 - 65535))
    if eocd < 0 or len(content) < eocd + 22:
        raise _damaged()
    (_, disk, cd_disk, on_disk, count, cd_size, cd_offset, comment) = struct.unpack("<4s4H2IH", content[eocd : eocd + 22])
    if count == 0xFFFF or cd_size == 0xFFFFFFFF or cd_offset == 0xFFFFFFFF or content[max(0, eocd - 20) : eocd].startswith(b"PK\x06\x07"):
        raise _zip64()
    if disk or cd_disk or on_disk != count or eocd + 22 + comment != len(content) or cd_offset + cd_size != eocd:
        raise _damaged()
    if count > ARCHIVE_MAX_MEMBERS:
        raise _too_many(count)
    members, seen, total = [], set(), 0
    position = cd_offset
    while position < eocd:
        if len(members) >= count:
            raise _damaged()
        fields = content[position : position + 46]
        if len(fields) < 46 or not fields.startswith(b"PK\x01\x02"):
            raise _damaged()
        (_, _, _, flags, method, _, _, _, packed, unpacked, name_length, extra_length, comment_length, _, _, _, offset) = struct.unpack(
            "<4s6H3I5H2I", fields
        )
        raw_name = content[position + 46 : position + 46 + name_length]
        extra = content[position + 46 + name_length : position + 46 + name_length + extra_length]
        position += 46 + name_length + extra_length + comment_length
        if position > eocd:
            raise _damaged()
        if packed == 0xFFFFFFFF or unpacked == 0xFFFFFFFF or offset == 0xFFFFFFFF or _has_zip64_field(extra):
            raise _zip64()
        if flags & 0x41:  # encrypted, or strongly encrypted
            raise AttachmentError(_l("The document is encrypted or protected by a password; attach it without one."))
        if method not in (0, 8) or (method == 0 and packed != unpacked):
            raise _damaged()
        name = raw_name.decode("utf-8" if flags & 0x800 else "cp437", errors="replace")
        if not _safe_name(name):
            raise AttachmentError(_l("The document contains a part with an unsafe name (%(name)s), so it is not accepted.", name=name[:80]))
        if name.casefold() in seen:
            raise AttachmentError(
                _l("The document contains two parts with the same name (%(name)s), so it is not accepted.", name=name[:80])
            )
        seen.add(name.casefold())
        if unpacked > ARCHIVE_MAX_MEMBER_BYTES:
            raise AttachmentError(
                _l(
                    "The document contains a part that would unpack to more than %(size)s MB, so it is not accepted.",
                    size=ARCHIVE_MAX_MEMBER_BYTES // 1048576,
                )
            )
        total += unpacked
        member = _Member()
        member.name, member.method, member.flags, member.packed, member.unpacked, member.offset = (
            name,
            method,
            flags,
            packed,
            unpacked,
            offset,
        )
        members.append((raw_name, member))
    if len(members) != count:
        raise _damaged()
    if total > ARCHIVE_MAX_TOTAL_BYTES:
        raise AttachmentError(
            _l("The document would unpack to more than %(size)s MB in all, so it is not accepted.", size=ARCHIVE_MAX_TOTAL_BYTES // 1048576)
        )
    for _, member in members:
        if member.unpacked > ARCHIVE_RATIO_FROM_BYTES and member.unpacked > ARCHIVE_MAX_RATIO * max(member.packed, 1):
            raise AttachmentError(
                _l(
                    "The document contains a part compressed far more than real documents are (over %(ratio)s to 1), so it is not accepted.",
                    ratio=ARCHIVE_MAX_RATIO,
                )
            )
    _check_local_headers(content, members, cd_offset)
    return {member.name: member for _, member in members}


def _too_many(count):
    return AttachmentError(
        _l("The document contains %(count)s parts; at most %(limit)s are accepted.", count=count, limit=ARCHIVE_MAX_MEMBERS)
    )


def _zip64():
    return AttachmentError(_l("The document uses the ZIP64 archive extension, which is not accepted."))


def _has_zip64_field(extra):
    position = 0
    while position + 4 <= len(extra):
        kind, size = struct.unpack("<2H", extra[position : position + 4])
        if kind == 0x0001:
            return True
        position += 4 + size
    return False


def _safe_name(name):
    if not name or name.startswith(("/", "\\")) or "\\" in name or ":" in name:
        return False
    if any(ord(character) < 32 or character == "\ufffd" for character in name):
        return False
    return ".." not in name.split("/")


def _check_local_headers(content, members, cd_offset):
    """Each part's own header matches the directory, and no two parts share bytes
    (overlapping parts are how a small archive unpacks to a huge one)."""
    end_of_previous = 0
    for raw_name, member in sorted(members, key=lambda pair: pair[1].offset):
        fields = content[member.offset : member.offset + 30]
        if member.offset < end_of_previous or len(fields) < 30 or not fields.startswith(b"PK\x03\x04"):
            raise _damaged()
        name_length, extra_length = struct.unpack("<2H", fields[26:30])
        if content[member.offset + 30 : member.offset + 30 + name_length] != raw_name:
            raise _damaged()
        if _has_zip64_field(content[member.offset + 30 + name_length : member.offset + 30 + name_length + extra_length]):
            raise _zip64()
        member.data_start = member.offset + 30 + name_length + extra_length
        end_of_previous = member.data_start + member.packed
        if end_of_previous > cd_offset:
            raise _damaged()


def _unpack(content, member, cap):
    """Yield the part's bytes in small pieces; never more than `cap` (nor than it declares)."""
    cap = min(cap, member.unpacked)
    packed = memoryview(content)[member.data_start : member.data_start + member.packed]
    produced = 0
    inflater = zlib.decompressobj(-15) if member.method == 8 else None
    for start in range(0, len(packed), READ_CHUNK):
        piece = packed[start : start + READ_CHUNK]
        while piece:
            if inflater is None:
                out, piece = bytes(piece), b""
            else:
                try:
                    out = inflater.decompress(piece, READ_CHUNK)
                except zlib.error:
                    raise _damaged() from None
                piece = inflater.unconsumed_tail
            produced += len(out)
            if produced > cap:
                raise _oversized_part()
            if out:
                yield out
            if inflater is not None and inflater.eof:
                return


def _oversized_part():
    return AttachmentError(_l("The document contains a part larger than it declares or than a document needs, so it is not accepted."))


def _office(content):
    members = _members(content)
    if "mimetype" in members:
        declared = b"".join(_unpack(content, members["mimetype"], MIMETYPE_MAX_BYTES)).strip()
        if declared == ODT.encode() and "content.xml" in members:
            return ODT
        return None
    if "[Content_Types].xml" in members:
        content_type, part = _ooxml_main_part(content, members["[Content_Types].xml"])
        if content_type is None:
            return None
        if part.lstrip("/").casefold() not in {name.casefold() for name in members}:
            raise _unlike(ACCEPTED[content_type])
        return content_type
    return None


def _ooxml_main_part(content, member):
    """Stream [Content_Types].xml just far enough to find the main document part."""
    parser = XMLPullParser(events=("start",))
    previous = b""
    try:
        for piece in _unpack(content, member, CONTENT_TYPES_MAX_BYTES):
            # No document type declarations: they are how entity-expansion bombs start.
            if b"<!DOCTYPE" in previous[-16:] + piece or b"<!ENTITY" in previous[-16:] + piece:
                raise _damaged()
            previous = piece
            parser.feed(piece)
            for _, element in parser.read_events():
                if element.tag == CONTENT_TYPES_NS + "Override":
                    content_type = OOXML_MAIN_PARTS.get(element.get("ContentType", "").strip())
                    if content_type is not None:
                        return content_type, element.get("PartName", "")
        parser.close()
    except ParseError:
        raise _damaged() from None
    return None, None


def _limit_text():
    return f"{limit_bytes() / 1048576:.1f}"


def _check_may_change(contribution, user):
    if not can_change_attachments(user, contribution):
        if contribution.author_id != getattr(user, "id", None):
            raise AttachmentForbidden(_l("Only the author can change the attachments of a contribution."))
        raise AttachmentConflict(_l("Attachments can be changed only while the contribution can be edited."))


def can_change_attachments(user, contribution):
    """The author adds and removes attachments while they may edit the contribution."""
    return can_edit(user, contribution)


class Checked:
    """One uploaded file that passed every check, not stored yet."""

    def __init__(self, filename, content, content_type):
        self.filename, self.content, self.content_type = filename, content, content_type


def check_upload(upload):
    """Read and check one uploaded file (size, then content); AttachmentError (or AttachmentTooLarge) if refused."""
    if upload is None or not upload.filename:
        raise AttachmentError(_l("Choose a file to attach."))
    content = upload.stream.read(limit_bytes() + 1)
    if len(content) > limit_bytes():
        raise AttachmentTooLarge(_l("The file is larger than the limit of %(size)s MB.", size=_limit_text()))
    if not content:
        raise AttachmentError(_l("The file is empty."))
    content_type = detect_type(content)
    if content_type is None:
        raise AttachmentError(
            _l(
                "This file is not an accepted type (%(types)s), whatever its name says.",
                types=", ".join(str(label) for label in ACCEPTED.values()),
            )
        )
    return Checked(secure_filename(upload.filename)[:255] or "attachment", content, content_type)


def _store(contribution, user, checked):
    """Write one checked file and add its row, in the caller's unit of work; returns the path written."""
    key = secrets.token_hex(16)
    path = upload_folder() / key
    # Exclusive create: a key collision can never overwrite a stored file.
    with open(path, "xb") as stored:
        stored.write(checked.content)
    db.session.add(
        Attachment(
            contribution=contribution,
            filename=checked.filename,
            storage_key=key,
            content_type=checked.content_type,
            size=len(checked.content),
            sha256=hashlib.sha256(checked.content).hexdigest(),
            uploaded_by_id=user.id,
        )
    )
    return path


def add(contribution, user, upload):
    """Check and store one uploaded file; nothing is written unless it passes (a failed commit removes the file)."""
    _check_may_change(contribution, user)
    checked = check_upload(upload)
    written = []
    try:
        with unit_of_work():
            written.append(_store(contribution, user, checked))
            db.session.flush()
    except BaseException:
        # Nothing was stored: the file goes too.
        _unlink(written)
        raise
    return next(attachment for attachment in contribution.attachments if attachment.storage_key == written[0].name)


def _unlink(paths):
    for path in paths:
        path.unlink(missing_ok=True)


def with_files(user, uploads, save):
    """Save a contribution's form together with the files chosen on it: all or nothing.

    Every chosen file (empty file inputs are skipped) is checked first, and all
    refusals are reported at once (AttachmentError, on the form's `files`
    field). Then `save(attach)` runs the saving service (create_draft_once or
    update), which calls `attach(contribution)` inside its unit of work: the
    files are stored with the form's other changes, and removed again if that
    unit does not commit. Returns what `save` returns.
    """
    chosen = [upload for upload in uploads if upload is not None and upload.filename]
    checked, refused = [], []
    for upload in chosen:
        try:
            checked.append(check_upload(upload))
        except AttachmentError as error:  # too large too: the form keeps what was typed
            refused.append(f"{secure_filename(upload.filename) or upload.filename}: {error.message}")
    if refused:
        raise AttachmentError(_l("A chosen file is not accepted."), fields={"files": " ".join(refused)})
    if not checked:
        return save(None)
    written = []

    def attach(contribution):
        _check_may_change(contribution, user)
        written.extend(_store(contribution, user, item) for item in checked)

    try:
        return save(attach)
    except BaseException:
        _unlink(written)
        raise


def remove_files(keys):
    """Remove stored files (a deleted draft's, once the deletion is committed); a missing one is ignored."""
    folder = upload_folder()
    _unlink([folder / key for key in keys if key])


def find(contribution, attachment_id):
    """A current attachment of the contribution; a removed one is gone for everyone."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.contribution_id != contribution.id or attachment.removed_at is not None:
        return None
    return attachment


def attachment_of(contribution, attachment_id):
    """A current attachment of the contribution, else NotFound."""
    attachment = find(contribution, attachment_id)
    if attachment is None:
        raise NotFound(_l("This attachment does not exist or was removed."))
    return attachment


def path_of(attachment):
    return upload_folder() / attachment.storage_key


@transactional
def remove(contribution, user, attachment):
    """Hide an attachment; its file stays for the revisions that listed it."""
    _check_may_change(contribution, user)
    attachment.removed_at = utcnow()
