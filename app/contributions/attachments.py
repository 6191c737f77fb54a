"""Attachments: checked by size and by content (never by name), stored outside the static folder."""
import hashlib
import os
import secrets
import zipfile
from io import BytesIO
from pathlib import Path

from flask import current_app
from werkzeug.utils import secure_filename

from app.community.models import utcnow
from app.contributions.models import Attachment
from app.extensions import db
from app.i18n import lazy_gettext as _l

# What the platform accepts, by what the content is.
ACCEPTED = {
    "application/pdf": _l("PDF"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _l("Word document (DOCX)"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _l("Excel workbook (XLSX)"),
    "application/vnd.oasis.opendocument.text": _l("OpenDocument text (ODT)"),
    "image/png": _l("PNG image"),
    "image/jpeg": _l("JPEG image"),
}


class AttachmentError(Exception):
    status = 422

    def __init__(self, message):
        super().__init__(str(message))
        self.message = str(message)


class AttachmentTooLarge(AttachmentError):
    status = 413


def limit_bytes():
    return current_app.config["MAX_ATTACHMENT_BYTES"]


def upload_folder():
    folder = Path(current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path) / "uploads")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def detect_type(content):
    """The content type the bytes really are, among the accepted ones; None otherwise."""
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(BytesIO(content)) as archive:
                names = set(archive.namelist())
                if "mimetype" in names and archive.read("mimetype").strip() == b"application/vnd.oasis.opendocument.text":
                    return "application/vnd.oasis.opendocument.text"
                if "[Content_Types].xml" in names:
                    if any(name.startswith("word/") for name in names):
                        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                    if any(name.startswith("xl/") for name in names):
                        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        except (zipfile.BadZipFile, KeyError, OSError):
            return None
    return None


def _limit_text():
    return f"{limit_bytes() / 1048576:.1f}"


def add(contribution, user, upload):
    """Check and store one uploaded file; nothing is written unless it passes."""
    from app.contributions.services import can_edit

    if not can_edit(user, contribution):
        raise AttachmentError(_l("Attachments can be added only by the author while the contribution is editable."))
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
            _l("This file is not an accepted type (%(types)s), whatever its name says.", types=", ".join(str(label) for label in ACCEPTED.values()))
        )
    key = secrets.token_hex(16)
    path = upload_folder() / key
    # Exclusive create: a key collision can never overwrite a stored file.
    with open(path, "xb") as stored:
        stored.write(content)
    filename = secure_filename(upload.filename)[:255] or "attachment"
    attachment = Attachment(
        contribution_id=contribution.id,
        filename=filename,
        storage_key=key,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by_id=user.id,
    )
    db.session.add(attachment)
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        os.unlink(path)
        raise
    return attachment


def find(contribution, attachment_id):
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.contribution_id != contribution.id:
        return None
    return attachment


def path_of(attachment):
    return upload_folder() / attachment.storage_key


def remove(contribution, user, attachment):
    """Hide an attachment; its file stays for the revisions that listed it."""
    from app.contributions.services import can_edit

    if not can_edit(user, contribution):
        raise AttachmentError(_l("Attachments can be removed only by the author while the contribution is editable."))
    attachment.removed_at = utcnow()
    db.session.commit()
