"""Importing CORDIS files: the real extracts, their quirks, idempotency, refusals that change nothing, classification."""

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.projects import services
from app.projects.models import CallTopic, Project, project_areas

# The real extracts sit beside the repository: <parent of the repo>/shared/data/cordis (CI clones it the same way).
CORDIS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "cordis"
needs_cordis = pytest.mark.skipif(not CORDIS.is_dir(), reason=f"the CORDIS extracts are not at {CORDIS}")

HEADER_HE = (
    "id;acronym;status;title;startDate;endDate;totalCost;ecMaxContribution;legalBasis;topics;ecSignatureDate;"
    "frameworkProgramme;masterCall;subCall;fundingScheme;nature;objective;contentUpdateDate;rcn;grantDoi\n"
)


def he_row(
    cordis_id,
    acronym,
    topic,
    objective="A plain objective.",
    start="2022-10-01",
    end="2025-09-30",
    total='"2494217,5"',
    contribution='"1999999,75"',
):
    return (
        f'{cordis_id};{acronym};SIGNED;"{acronym} project";{start};{end};{total};{contribution};"HORIZON.2.3.1;HORIZON.2.3";'
        f"{topic};2022-08-01;HORIZON;{topic[:-3]};{topic[:-3]};HORIZON-RIA;;{objective};2022-09-01 10:11:12;24567{cordis_id[-1]};"
        f"10.3030/{cordis_id}\n"
    )


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def snapshot():
    """Everything an import may change, to compare before and after."""
    projects = db.session.execute(sa.select(Project.__table__).order_by(Project.id)).all()
    links = db.session.execute(sa.select(project_areas).order_by(project_areas.c.project_id, project_areas.c.area_id)).all()
    topics = db.session.execute(sa.select(CallTopic.__table__).order_by(CallTopic.id)).all()
    return projects, links, topics


def area_codes(cordis_id):
    project = db.session.scalar(sa.select(Project).where(Project.cordis_id == cordis_id))
    db.session.refresh(project)
    return [area.code for area in project.areas]


# --- acceptance 1: the real H2020 sample ---------------------------------------------------------


@needs_cordis
def test_the_h2020_sample_gives_its_137_projects_with_dates_amounts_and_programme(app_context):
    summary = services.import_file(str(CORDIS / "h2020-project-sample.csv"))

    assert summary == {"kind": "projects", "created": 137, "updated": 0, "unchanged": 0, "skipped": 0}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Project)) == 137
    dorothy = db.session.scalar(sa.select(Project).where(Project.cordis_id == "101034345"))
    assert (dorothy.acronym, dorothy.programme, dorothy.status, dorothy.source) == ("DOROTHY", "H2020", "SIGNED", "cordis")
    # 01.09.21;31.08.26 (dd.mm.yy), 5517000;2758500
    assert (dorothy.start_date, dorothy.end_date) == (date(2021, 9, 1), date(2026, 8, 31))
    assert (dorothy.total_cost, dorothy.eu_contribution) == (Decimal("5517000.00"), Decimal("2758500.00"))
    assert dorothy.funding_scheme == "MSCA-COFUND-FP" and dorothy.rcn == "235801"
    # 3492082.5 with a decimal point
    decimal = db.session.scalar(sa.select(Project).where(Project.rcn == "236312"))
    assert decimal.total_cost == Decimal("3492082.50") and decimal.eu_contribution == Decimal("2444457.75")


@needs_cordis
def test_importing_the_h2020_sample_again_reports_137_unchanged_and_changes_nothing(app_context):
    path = str(CORDIS / "h2020-project-sample.csv")
    services.import_file(path)
    before = snapshot()

    summary = services.import_file(path)

    assert summary == {"kind": "projects", "created": 0, "updated": 0, "unchanged": 137, "skipped": 0}
    db.session.expire_all()
    assert snapshot() == before


def test_a_changed_row_is_updated_in_place_never_duplicated(app_context, tmp_path):
    services.import_file(write(tmp_path, "a.csv", HEADER_HE + he_row("101000001", "ALPHA", "HORIZON-CL3-2021-FCT-01-01")))
    first_id = db.session.scalar(sa.select(Project.id))

    summary = services.import_file(
        write(
            tmp_path,
            "b.csv",
            HEADER_HE
            + he_row("101000001", "ALPHA2", "HORIZON-CL3-2021-FCT-01-01")
            + he_row("101000002", "BETA", "HORIZON-CL3-2021-BM-01-01"),
        )
    )

    assert summary == {"kind": "projects", "created": 1, "updated": 1, "unchanged": 0, "skipped": 0}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Project)) == 2
    db.session.expire_all()
    assert db.session.get(Project, first_id).acronym == "ALPHA2"


# --- acceptance 2: topics and legal basis after the projects; manual areas survive -----------------


def test_topics_after_the_projects_classify_cluster_3_projects_by_topic_code(app_context, tmp_path):
    # Projects whose own topics column is empty (as in files resaved through a spreadsheet).
    projects = HEADER_HE + he_row("101000011", "FCTPROJ", "") + he_row("101000012", "CSPROJ", "")
    services.import_file(write(tmp_path, "p.csv", projects))
    assert area_codes("101000011") == [] and area_codes("101000012") == []
    topics = (
        '"projectID";"topic";"title"\n'
        '"101000011";"HORIZON-CL3-2021-FCT-01-03";"Disinformation and fake news"\n'
        '"101000012";"HORIZON-CL3-2025-02-CS-01";"Cyber resilience"\n'
        '"999999999";"HORIZON-CL3-2021-BM-01-01";"A project not in the explorer"\n'
    )

    summary = services.import_file(write(tmp_path, "topics.csv", topics))

    assert summary == {"kind": "topics", "created": 0, "updated": 2, "unchanged": 0, "skipped": 1}
    assert area_codes("101000011") == ["FCT"] and area_codes("101000012") == ["CS"]
    project = db.session.scalar(sa.select(Project).where(Project.cordis_id == "101000011"))
    assert (project.call_topic, project.topic_title) == ("HORIZON-CL3-2021-FCT-01-03", "Disinformation and fake news")
    # Again: nothing to do.
    assert services.import_file(write(tmp_path, "topics.csv", topics))["unchanged"] == 2


@needs_cordis
def test_the_real_horizon_europe_topics_and_legal_basis_classify_imported_projects_into_the_six_areas(app_context, tmp_path):
    # Six real Cluster 3 projects of the topics file, one per area, imported first without their topic.
    found = {}
    with open(CORDIS / "horizon-europe-topics.csv", encoding="utf-8") as handle:
        for line in handle:
            parts = line.strip().strip('"').split('";"')
            if len(parts) == 3 and parts[1].startswith("HORIZON-CL3-"):
                area = parts[1].split("-")[3]
                found.setdefault(area, parts[0])
    assert set(found) == {"FCT", "BM", "INFRA", "CS", "DRS", "SSRI"}
    real = {cordis_id: area for area, cordis_id in found.items()}
    services.import_file(write(tmp_path, "p.csv", HEADER_HE + "".join(he_row(cordis_id, f"P{cordis_id}", "") for cordis_id in real)))

    topics = services.import_file(str(CORDIS / "horizon-europe-topics.csv"))
    legal = services.import_file(str(CORDIS / "horizon-europe-legalBasis.csv"))

    assert (topics["updated"], topics["skipped"]) == (6, 12165 - 6)
    assert legal["skipped"] > 10000 and legal["updated"] + legal["unchanged"] == 6
    for cordis_id, area in real.items():
        assert area_codes(cordis_id) == [area]
    project = db.session.scalar(sa.select(Project).where(Project.cordis_id == next(iter(real))))
    assert project.legal_basis.startswith("HORIZON.2.3") and project.legal_basis_title


def test_an_editors_correction_of_the_areas_survives_every_re_import(app_context, tmp_path, editor):
    from app.auth.models import User

    path = write(tmp_path, "p.csv", HEADER_HE + he_row("101000021", "GAMMA", "HORIZON-CL3-2021-FCT-01-01"))
    services.import_file(path)
    assert area_codes("101000021") == ["FCT"]
    project = db.session.scalar(sa.select(Project).where(Project.cordis_id == "101000021"))

    services.correct_areas(project, ["BM", "CS"], db.session.get(User, editor.id))
    services.import_file(path)
    services.import_file(write(tmp_path, "t.csv", '"projectID";"topic";"title"\n"101000021";"HORIZON-CL3-2022-DRS-01-02";"x"\n'))

    assert area_codes("101000021") == ["BM", "CS"]
    db.session.expire_all()
    assert db.session.get(Project, project.id).areas_manual is True


def test_only_editors_may_correct_areas(app_context, tmp_path, contributor):
    from app.auth.models import User
    from app.service_errors import Forbidden

    services.import_file(write(tmp_path, "p.csv", HEADER_HE + he_row("101000022", "DELTA", "HORIZON-CL3-2021-FCT-01-01")))
    project = db.session.scalar(sa.select(Project).where(Project.cordis_id == "101000022"))

    with pytest.raises(Forbidden):
        services.correct_areas(project, ["BM"], db.session.get(User, contributor.id))
    assert area_codes("101000022") == ["FCT"]


# --- acceptance 3: a Horizon Europe file in the raw variant --------------------------------------

STRAY = '"The so-called "last mile" of detection; tackled with "novel" sensors\nover two lines, ""quoted"" properly too"'


def test_a_horizon_europe_file_with_decimal_commas_iso_dates_grant_doi_and_a_stray_quote_imports_whole(app_context, tmp_path, client):
    text = (
        HEADER_HE
        + he_row("101000031", "SAFEMILE", "HORIZON-CL3-2021-BM-01-02", objective=STRAY)
        + he_row("101000032", "NEXT", "HORIZON-CL3-2022-DRS-01-01")
    )

    summary = services.import_file(write(tmp_path, "he.csv", text))

    assert summary["created"] == 2
    project = db.session.scalar(sa.select(Project).where(Project.cordis_id == "101000031"))
    assert project.objective == (
        'The so-called "last mile" of detection; tackled with "novel" sensors\nover two lines, "quoted" properly too'
    )
    assert (project.total_cost, project.eu_contribution) == (Decimal("2494217.50"), Decimal("1999999.75"))
    assert (project.start_date, project.end_date, project.grant_doi) == (date(2022, 10, 1), date(2025, 9, 30), "10.3030/101000031")
    assert project.content_updated_at.replace(tzinfo=UTC) == datetime(2022, 9, 1, 10, 11, 12, tzinfo=UTC)
    assert [area.code for area in project.areas] == ["BM"]
    assert db.session.scalar(sa.select(Project.acronym).where(Project.cordis_id == "101000032")) == "NEXT"

    answer = client.get(f"/api/v1/projects/{project.id}")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["eu_contribution"] == 1999999.75 and body["total_cost"] == 2494217.5


def test_a_latin_1_file_is_read_as_latin_1(app_context, tmp_path):
    text = HEADER_HE + he_row("101000041", "CAFÉ", "HORIZON-CL3-2021-FCT-01-01", objective="Sécurité des réseaux")

    services.import_file(write(tmp_path, "latin.csv", text, encoding="latin-1"))

    project = db.session.scalar(sa.select(Project).where(Project.cordis_id == "101000041"))
    assert (project.acronym, project.objective) == ("CAFÉ", "Sécurité des réseaux")


def test_a_utf8_file_with_a_bom_and_columns_in_another_order_is_read_by_column_name(app_context, tmp_path):
    text = "\ufeffacronym;id;frameworkProgramme;title;startDate;endDate;ecMaxContribution\nOMEGA;101000051;HORIZON;Omega;2023-01-01;2024-01-01;1.234.567,5\n"

    services.import_file(write(tmp_path, "bom.csv", text))

    project = db.session.scalar(sa.select(Project).where(Project.cordis_id == "101000051"))
    assert (project.acronym, project.programme, project.eu_contribution) == ("OMEGA", "HORIZON", Decimal("1234567.50"))


# --- acceptance 4: one bad row refuses the whole file -------------------------------------------------


@pytest.mark.parametrize(
    ("bad_row", "reason"),
    [
        (he_row("101000063", "BADDATE", "HORIZON-CL3-2021-FCT-01-01", start="2022-02-30"), "is not a date that exists"),
        (he_row("101000063", "BACKWARDS", "HORIZON-CL3-2021-FCT-01-01", start="2025-01-01", end="2024-01-01"), "is before startDate"),
        (he_row("101000063", "NOTMONEY", "HORIZON-CL3-2021-FCT-01-01", total="lots"), "is not an amount of money"),
        (he_row("101000063", "FP7", "HORIZON-CL3-2021-FCT-01-01").replace(";HORIZON;", ";FP7;"), "is not a programme"),
        ("101000063;SHORT;SIGNED;only a few fields\n", "fields where the header names 20"),
        ('101000063;OPEN;SIGNED;"never closed;2022-01-01\n', "a quoted field is never closed"),
    ],
)
def test_a_file_with_one_bad_row_is_refused_whole_and_names_the_row(app_context, tmp_path, bad_row, reason):
    services.import_file(write(tmp_path, "first.csv", HEADER_HE + he_row("101000061", "KEEP", "HORIZON-CL3-2021-FCT-01-01")))
    before = snapshot()
    rows = [he_row("101000061", "CHANGED", "HORIZON-CL3-2021-BM-01-01")] + [
        he_row(f"10100007{n}", f"NEW{n}", "HORIZON-CL3-2021-CS-01-01") for n in range(3)
    ]
    text = HEADER_HE + "".join(rows) + bad_row + he_row("101000064", "AFTER", "HORIZON-CL3-2021-FCT-01-01")

    with pytest.raises(services.ImportRefused) as refused:
        services.import_file(write(tmp_path, "bad.csv", text))

    assert refused.value.row == 6
    assert refused.value.message.startswith("Row 6 (line 6): ") and reason in refused.value.message
    db.session.expire_all()
    assert snapshot() == before


def test_a_bad_row_after_a_full_batch_still_changes_nothing(app_context, tmp_path, monkeypatch):
    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    text = (
        HEADER_HE
        + "".join(he_row(f"10100008{n}", f"B{n}", "HORIZON-CL3-2021-CS-01-01") for n in range(5))
        + he_row("101000090", "BAD", "HORIZON-CL3-2021-CS-01-01", end="2022-13-01")
    )

    with pytest.raises(services.ImportRefused, match="Row 7"):
        services.import_file(write(tmp_path, "bad.csv", text))

    assert db.session.scalar(sa.select(sa.func.count()).select_from(Project)) == 0


def test_a_project_named_twice_in_one_file_is_refused(app_context, tmp_path):
    text = HEADER_HE + he_row("101000091", "ONE", "HORIZON-CL3-2021-CS-01-01") + he_row("101000091", "TWO", "HORIZON-CL3-2021-CS-01-01")

    with pytest.raises(services.ImportRefused, match=r"Row 3 .*also on row 2"):
        services.import_file(write(tmp_path, "twice.csv", text))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Project)) == 0


def test_a_file_of_no_known_kind_is_refused(app_context, tmp_path):
    with pytest.raises(services.ImportRefused, match="Not a CORDIS file"):
        services.import_file(write(tmp_path, "other.csv", "name,email\nx,y\n"))


# --- classification of H2020 by legal basis -------------------------------------------------------


def test_h2020_projects_are_classified_by_their_secure_societies_sub_programme(app_context, tmp_path):
    header = "id;acronym;status;title;startDate;endDate;totalCost;ecMaxContribution;legalBasis;topics;frameworkProgramme;objective\n"
    rows = (
        '700001;CRIME;CLOSED;Crime;01.05.16;30.04.19;100;100;"H2020-EU.3.7.1.;H2020-EU.3.7.8.";SEC-12-FCT-2016-2017;H2020;x\n'
        "700002;GRID;CLOSED;Grid;01.05.16;30.04.19;100;100;H2020-EU.3.7.2.;X;H2020;x\n"
        "700003;MSCA;CLOSED;Fellow;01.05.16;30.04.19;100;100;H2020-EU.1.3.;MSCA-IF-2015;H2020;x\n"
        "700004;DIGI;CLOSED;Digital;01.05.16;30.04.19;100;100;;SU-DS04-2018-2020;H2020;x\n"
    )

    services.import_file(write(tmp_path, "h2020.csv", header + rows))

    assert area_codes("700001") == ["FCT", "SSRI"]
    assert area_codes("700002") == ["INFRA"]
    assert area_codes("700003") == []
    assert area_codes("700004") == ["CS"]


# --- call topics ----------------------------------------------------------------------------------------


@needs_cordis
def test_the_2025_cluster_3_call_topics_import_with_their_areas(app_context):
    summary = services.import_file(str(CORDIS / "cluster3-calls-2025.csv"))

    assert summary == {"kind": "call_topics", "created": 24, "updated": 0, "unchanged": 0, "skipped": 0}
    topic = db.session.scalar(sa.select(CallTopic).where(CallTopic.code == "HORIZON-CL3-2025-01-FCT-01"))
    assert topic.area.code == "FCT" and topic.opens == date(2025, 6, 12) and topic.work_programme_year == 2025
    assert topic.description.startswith("Expected Outcome:")
    assert services.import_file(str(CORDIS / "cluster3-calls-2025.csv"))["unchanged"] == 24


def test_open_call_topics_are_those_whose_deadline_has_not_passed(app_context, tmp_path):
    text = (
        "\ufeffidentifier,title,start_date,deadline,description\n"
        "HORIZON-CL3-2025-01-BM-01,Open one,2025-06-12T00:00:00,2026-11-12T17:00:00,x\n"
        "HORIZON-CL3-2025-01-BM-02,Closed one,2025-06-12T00:00:00,2025-11-12T17:00:00,x\n"
        "HORIZON-CL3-2025-01-BM-03,No deadline given,2025-06-12T00:00:00,,x\n"
        "HORIZON-CL5-2025-01-D3-01,Not cluster 3,2025-06-12T00:00:00,,x\n"
    )
    summary = services.import_file(write(tmp_path, "calls.csv", text))
    from app.community.services import area_by_code

    topics = services.open_call_topics(area_by_code("BM"), today=date(2026, 1, 1))

    assert summary["created"] == 3 and summary["skipped"] == 1
    assert [topic.code for topic in topics] == ["HORIZON-CL3-2025-01-BM-01", "HORIZON-CL3-2025-01-BM-03"]
