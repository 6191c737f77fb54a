"""Reading CORDIS open-data files, streamed: which kind a file is, its rows as checked values, or the row it refuses.

Nothing here touches the database (app/projects/services.py writes). The
readers cope with the variants in the CORDIS data notes
(../shared/data/cordis/README.md): `;` or `,` delimiters, quoted multi-valued
fields, ISO and `dd.mm.yy` dates, decimal commas and points, UTF-8 (with or
without a BOM) or ISO-8859-1, columns found by name (so `grantDoi` may be
there or not), and objectives holding unescaped double quotes.

Rows are read one record at a time (a record may span lines: objectives hold
newlines); the whole file is never held.
"""

import codecs
import csv
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from app.i18n import lazy_gettext as _l
from app.projects.classification import area_of_call_topic, year_of_call_topic

PROJECTS, TOPICS, LEGAL_BASIS, CALL_TOPICS = "projects", "topics", "legal_basis", "call_topics"
KIND_LABELS = {
    PROJECTS: _l("CORDIS projects (project.csv)"),
    TOPICS: _l("CORDIS topics (topics.csv)"),
    LEGAL_BASIS: _l("CORDIS legal basis (legalBasis.csv)"),
    CALL_TOPICS: _l("work programme call topics"),
}

# The columns each kind needs (others are ignored, so added columns such as grantDoi do no harm).
REQUIRED = {
    PROJECTS: ("id", "acronym", "title", "startDate", "endDate", "frameworkProgramme"),
    TOPICS: ("projectID", "topic"),
    LEGAL_BASIS: ("projectID", "legalBasis"),
    CALL_TOPICS: ("identifier", "title"),
}

# CORDIS frameworkProgramme -> the explorer's programme.
FRAMEWORK_PROGRAMMES = {"H2020": "H2020", "HORIZON": "HORIZON"}

# Column sizes of app/projects/models.py: longer values are refused, never cut.
LIMITS = {
    "acronym": 100,
    "title": 500,
    "call_topic": 200,
    "legal_basis": 200,
    "status": 20,
    "funding_scheme": 50,
    "framework_programme": 50,
    "rcn": 20,
    "grant_doi": 100,
    "cordis_id": 20,
    "topic_title": 500,
    "legal_basis_title": 500,
    "code": 100,
}
MAX_AMOUNT = Decimal("999999999999.99")  # Numeric(14, 2)
CENT = Decimal("0.01")

_AMOUNT = re.compile(r"^\d+(?:[.,]\d+)?$")


class RowRefused(Exception):
    """A row that cannot be read or fails a check: the whole file is refused."""

    def __init__(self, row, line, reason):
        super().__init__(str(reason))
        self.row, self.line, self.reason = row, line, reason

    @property
    def message(self):
        return str(_l("Row %(row)d (line %(line)d): %(reason)s", row=self.row, line=self.line, reason=self.reason))


class FileRefused(Exception):
    """The file as a whole cannot be read (not a CSV of a known kind, unreadable)."""

    def __init__(self, reason):
        super().__init__(str(reason))
        self.reason = reason

    @property
    def message(self):
        return str(self.reason)


# --- the text of the file -----------------------------------------------------------------------


def detect_encoding(path, chunk_size=1 << 20):
    """'utf-8-sig' when the whole file decodes as UTF-8 (strictly), else 'latin-1' (which reads any bytes).

    Read in chunks through an incremental decoder: constant memory.
    """
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(chunk_size):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "latin-1"
    return "utf-8-sig"


def _header_fields(line):
    for delimiter in (";", ","):
        fields = next(csv.reader([line], delimiter=delimiter))
        if len(fields) > 1:
            return delimiter, [field.strip().lstrip("\ufeff") for field in fields]
    return None, []


def kind_of_header(line):
    """(kind, delimiter, columns) of a header line, or (None, ...) when it is none of the known files."""
    delimiter, columns = _header_fields(line)
    names = set(columns)
    # The most specific first: legalBasis.csv and topics.csv both have projectID and title.
    for kind in (PROJECTS, LEGAL_BASIS, TOPICS, CALL_TOPICS):
        if all(column in names for column in REQUIRED[kind]):
            return kind, delimiter, columns
    return None, delimiter, columns


def detect_kind(path):
    """The kind of CORDIS file at `path` from its header: projects, topics, legal_basis or call_topics."""
    encoding = detect_encoding(path)
    with open(path, encoding=encoding, newline="") as handle:
        header = handle.readline()
    kind, _delimiter, _columns = kind_of_header(header)
    if kind is None:
        raise FileRefused(
            _l(
                "Not a CORDIS file this import knows: the first line must name the columns of a "
                "project.csv, topics.csv, legalBasis.csv or call topics file."
            )
        )
    return kind


@dataclass
class Record:
    fields: list
    row: int  # 2 = the first row after the header, as a spreadsheet numbers it
    line: int  # the line it starts on


class RecordReader:
    """The records of a delimited file, recovering rows whose free-text column holds unescaped quotes.

    Fast path: the csv module, strictly. A record it refuses (a quote inside a
    quoted field not followed by a delimiter) is read again leniently: a quote
    closes a quoted field only before a delimiter or the end of the record, so
    `"the so-called "last mile" of detection"` stays one field, quotes included.
    A record with more fields than the header gets the surplus joined back into
    the free-text column (`free_text`): it can only have come from there.
    Fewer fields than the header, or surplus with no free-text column, is refused.
    """

    def __init__(self, handle, delimiter, width, free_text=None):
        self.handle, self.delimiter, self.width, self.free_text = handle, delimiter, width, free_text
        self.line = 1  # the header was line 1
        self.row = 1
        self.bytes_hint = 0  # characters read so far, for progress
        # A line that plainly starts a record: a CORDIS id (6 digits or more), maybe quoted, then the delimiter.
        self._record_start = re.compile(r'^"?\d{6,12}"?' + re.escape(delimiter))

    def _raw_records(self):
        """Physical lines grouped into records: a record goes on while its quotes are unbalanced,
        unless the next line plainly starts a new record (a stray quote must not swallow the file)."""
        pending, quotes, start = [], 0, self.line + 1
        for line in self.handle:
            self.line += 1
            self.bytes_hint += len(line)
            if pending and quotes % 2 and self._record_start.match(line):
                yield start, "".join(pending)
                pending, quotes = [], 0
            if not pending:
                start = self.line
            pending.append(line)
            quotes += line.count('"')
            if quotes % 2 == 0:
                yield start, "".join(pending)
                pending, quotes = [], 0
        if pending:
            yield start, "".join(pending)

    def __iter__(self):
        for start, text in self._raw_records():
            if not text.strip():
                continue
            self.row += 1
            try:
                rows = list(csv.reader([text], delimiter=self.delimiter, strict=True))
                fields = rows[0] if len(rows) == 1 else None
            except csv.Error:
                fields = None
            if fields is None:
                fields = self._lenient(text, start)
            yield Record(self._fit(fields, start), self.row, start)

    def _lenient(self, text, start):
        text = text.rstrip("\r\n")
        fields, i, end, delimiter = [], 0, len(text), self.delimiter
        while True:
            if i < end and text[i] == '"':
                i += 1
                parts = []
                while True:
                    k = text.find('"', i)
                    if k == -1:
                        raise RowRefused(self.row, start, _l("a quoted field is never closed."))
                    parts.append(text[i:k])
                    after = text[k + 1] if k + 1 < end else ""
                    if after == '"' and not (k + 2 >= end or text[k + 2] == delimiter):
                        parts.append('"')  # an escaped quote ("")
                        i = k + 2
                    elif after in (delimiter, ""):
                        i = k + 1  # the closing quote
                        break
                    else:
                        # A stray quote inside the text, kept as written (also the first of `"";`, whose second closes).
                        parts.append('"')
                        i = k + 1
                fields.append("".join(parts))
                if i >= end:
                    return fields
                i += 1  # the delimiter
            else:
                k = text.find(delimiter, i)
                if k == -1:
                    fields.append(text[i:])
                    return fields
                fields.append(text[i:k])
                i = k + 1

    def _fit(self, fields, start):
        if len(fields) == self.width:
            return fields
        if len(fields) > self.width and self.free_text is not None:
            surplus = len(fields) - self.width
            column = self.free_text
            return [*fields[:column], self.delimiter.join(fields[column : column + surplus + 1]), *fields[column + surplus + 1 :]]
        raise RowRefused(
            self.row,
            start,
            _l("%(found)d fields where the header names %(expected)d; the row cannot be read.", found=len(fields), expected=self.width),
        )


class CordisFile:
    """An open CORDIS file: its kind, columns and records (a context manager)."""

    def __init__(self, path, kind=None):
        self.path = path
        self.encoding = detect_encoding(path)
        self._handle = open(path, encoding=self.encoding, newline="")  # noqa: SIM115 - read row by row, closed by close()
        header = self._handle.readline()
        found, self.delimiter, self.columns = kind_of_header(header)
        self.kind = found
        if found is None or (kind is not None and found != kind):
            self._handle.close()
            raise FileRefused(
                _l(
                    "Not a CORDIS file this import knows: the first line must name the columns of a "
                    "project.csv, topics.csv, legalBasis.csv or call topics file."
                )
            )
        self.index = {name: position for position, name in enumerate(self.columns)}
        free_text = {PROJECTS: "objective", CALL_TOPICS: "description", TOPICS: "title", LEGAL_BASIS: "title"}[found]
        self.reader = RecordReader(self._handle, self.delimiter, len(self.columns), self.index.get(free_text))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._handle.close()

    def close(self):
        self._handle.close()

    @property
    def characters_read(self):
        return self.reader.bytes_hint

    def values(self, record):
        """column name -> text, stripped, for the columns the file has."""
        fields = record.fields
        return {name: fields[position].strip() for name, position in self.index.items()}

    def rows(self):
        """(record, checked values) for each row: values as the kind's `check_...` gives them."""
        check = {PROJECTS: check_project, TOPICS: check_topic, LEGAL_BASIS: check_legal_basis, CALL_TOPICS: check_call_topic}[self.kind]
        for record in self.reader:
            try:
                yield record, check(self.values(record))
            except ValueError as error:
                raise RowRefused(record.row, record.line, error.args[0]) from None


# --- values ------------------------------------------------------------------------------------------


def parse_date(text, column):
    """ISO (2021-09-01, also with a time after it) or dd.mm.yy / dd.mm.yyyy / dd/mm/yyyy; None when empty."""
    text = text.strip()
    if not text:
        return None
    try:
        if re.match(r"^\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text[:10])
        match = re.match(r"^(\d{1,2})[./](\d{1,2})[./](\d{2}|\d{4})(?:\s|$)", text)
        if match:
            day, month, year = (int(part) for part in match.groups())
            if len(match.group(3)) == 2:
                # Spreadsheets write two digits; CORDIS's projects start in 1984 (FP1) or later.
                year += 2000 if year < 80 else 1900
            return date(year, month, day)
    except ValueError:
        pass
    raise ValueError(_l('%(column)s "%(value)s" is not a date that exists.', column=column, value=text[:40]))


def parse_timestamp(text, column):
    """contentUpdateDate: 2024-05-06 10:11:12 or 02.09.21 20:45, taken as UTC; None when empty."""
    text = text.strip()
    if not text:
        return None
    day = parse_date(text, column)
    match = re.search(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", text[8:])
    hour, minute, second = (int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)) if match else (0, 0, 0)
    try:
        return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        raise ValueError(_l('%(column)s "%(value)s" is not a time that exists.', column=column, value=text[:40])) from None


def parse_amount(text, column):
    """Euros with a decimal comma or point (2494217,5 / 3492082.5), thousands separators allowed; None when empty."""
    text = text.strip().replace(" ", "").replace("\u00a0", "").replace("€", "")
    if not text:
        return None
    if "," in text and "." in text:
        # The later one is the decimal mark, the other groups thousands.
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        text = text.replace("." if decimal_mark == "," else ",", "").replace(decimal_mark, ".")
    elif text.count(",") > 1 or text.count(".") > 1:
        text = text.replace(",", "").replace(".", "")
    else:
        text = text.replace(",", ".")
    if not _AMOUNT.match(text):
        raise ValueError(_l('%(column)s "%(value)s" is not an amount of money.', column=column, value=text[:40]))
    try:
        amount = Decimal(text).quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValueError(_l('%(column)s "%(value)s" is not an amount of money.', column=column, value=text[:40])) from None
    if amount > MAX_AMOUNT:
        raise ValueError(_l("%(column)s %(value)s is more than the largest amount kept.", column=column, value=text[:40]))
    return amount


def _limited(values, limits):
    for name, value in values.items():
        limit = limits.get(name)
        if limit is not None and isinstance(value, str) and len(value) > limit:
            raise ValueError(_l("%(column)s is longer than %(limit)d characters.", column=name, limit=limit))
    return values


def _cordis_id(text, column):
    text = text.strip()
    if not re.match(r"^\d{1,20}$", text):
        raise ValueError(_l('%(column)s "%(value)s" is not a CORDIS project id.', column=column, value=text[:40]))
    return str(int(text))


def check_project(row):
    """The values of one project.csv row, checked; ValueError (a sentence) when one is wrong."""
    framework = row.get("frameworkProgramme", "")
    programme = FRAMEWORK_PROGRAMMES.get(framework.upper())
    if programme is None:
        raise ValueError(_l('frameworkProgramme "%(value)s" is not a programme the explorer knows (H2020, HORIZON).', value=framework[:40]))
    acronym, title = row.get("acronym", ""), row.get("title", "")
    if not acronym:
        raise ValueError(_l("the acronym is empty."))
    if not title:
        raise ValueError(_l("the title is empty."))
    start, end = parse_date(row.get("startDate", ""), "startDate"), parse_date(row.get("endDate", ""), "endDate")
    if start and end and end < start:
        raise ValueError(_l("endDate %(end)s is before startDate %(start)s.", end=end.isoformat(), start=start.isoformat()))
    parse_date(row.get("ecSignatureDate", ""), "ecSignatureDate")  # checked, not kept
    values = {
        "cordis_id": _cordis_id(row.get("id", ""), "id"),
        "acronym": acronym,
        "title": title,
        "programme": programme,
        "framework_programme": framework,
        "status": row.get("status", ""),
        "start_date": start,
        "end_date": end,
        "total_cost": parse_amount(row.get("totalCost", ""), "totalCost"),
        "eu_contribution": parse_amount(row.get("ecMaxContribution", ""), "ecMaxContribution"),
        "legal_basis": row.get("legalBasis", ""),
        "call_topic": row.get("topics", ""),
        "funding_scheme": row.get("fundingScheme", ""),
        "objective": row.get("objective", ""),
        "content_updated_at": parse_timestamp(row.get("contentUpdateDate", ""), "contentUpdateDate"),
        "rcn": row.get("rcn", ""),
        "grant_doi": row.get("grantDoi", ""),
    }
    return _limited(values, LIMITS)


def check_topic(row):
    values = {
        "cordis_id": _cordis_id(row.get("projectID", ""), "projectID"),
        "call_topic": row.get("topic", ""),
        "topic_title": row.get("title", ""),
    }
    return _limited(values, LIMITS)


def check_legal_basis(row):
    code = row.get("legalBasis", "")
    if not code:
        raise ValueError(_l("the legalBasis is empty."))
    values = {
        "cordis_id": _cordis_id(row.get("projectID", ""), "projectID"),
        "code": code,
        "title": row.get("title", ""),
        "unique_part": row.get("uniqueProgrammePart", "").lower() == "true",
    }
    return _limited(values, {**LIMITS, "title": 500})


def check_call_topic(row):
    code = row.get("identifier", "").upper()
    if not code:
        raise ValueError(_l("the identifier is empty."))
    opens = parse_date(row.get("start_date", ""), "start_date")
    deadline = parse_date(row.get("deadline", ""), "deadline")
    if opens and deadline and deadline < opens:
        raise ValueError(_l("deadline %(end)s is before start_date %(start)s.", end=deadline.isoformat(), start=opens.isoformat()))
    values = {
        "code": code,
        "title": row.get("title", ""),
        "area_code": area_of_call_topic(code),
        "opens": opens,
        "deadline": deadline,
        "description": row.get("description", ""),
        "work_programme_year": year_of_call_topic(code),
    }
    if not values["title"]:
        raise ValueError(_l("the title is empty."))
    return _limited(values, LIMITS)
