"""Project search: words over acronym, title and objective; facets whose counts match what choosing them gives."""

import re
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.projects import explorer
from app.projects.explorer import FACETS, Filters
from app.projects.models import Project
from tests.factories import ProjectFactory


@pytest.fixture
def projects(app_context):
    """A small varied set: every facet has several values, some projects none (unknown)."""
    made = [
        ProjectFactory(
            acronym="SAFEPOST",
            title="Reuse and development of Security Knowledge assets",
            objective="Postal security screening of parcels with novel scanners.",
            programme="H2020",
            status="CLOSED",
            start_date=date(2012, 5, 1),
            funding_scheme="CP",
            coordinator_country="NO",
            eu_contribution=Decimal("9000000"),
            area_codes=["BM"],
        ),
        ProjectFactory(
            acronym="ROBORDER",
            title="Autonomous swarm of heterogeneous robots for border surveillance",
            objective="Unmanned platforms detect drones and smugglers at the green border.",
            programme="H2020",
            status="CLOSED",
            start_date=date(2017, 5, 1),
            funding_scheme="RIA",
            coordinator_country="EL",
            eu_contribution=Decimal("7999315"),
            area_codes=["BM", "FCT"],
        ),
        ProjectFactory(
            acronym="CYCLOPES",
            title="Fighting cybercrime with practitioners",
            objective="A network of law enforcement agencies against cybercrime.",
            programme="H2020",
            status="SIGNED",
            start_date=date(2021, 6, 1),
            funding_scheme="CSA",
            coordinator_country="DE",
            eu_contribution=Decimal("3500000"),
            area_codes=["FCT", "CS"],
        ),
        ProjectFactory(
            acronym="FLOODGUARD",
            title="Early warning for floods",
            objective="Crowd-sourced flood early warning for civil protection.",
            programme="HORIZON",
            status="SIGNED",
            start_date=date(2023, 1, 1),
            funding_scheme="HORIZON-RIA",
            coordinator_country="IT",
            eu_contribution=Decimal("4000000"),
            area_codes=["DRS"],
        ),
        ProjectFactory(
            acronym="NATPORT",
            title="National port security training",
            objective="Training of port staff.",
            programme="ISF",
            status="",
            start_date=None,
            end_date=None,
            funding_scheme="",
            coordinator_country="",
            eu_contribution=None,
            cordis_id=None,
            source="manual",
            area_codes=[],
        ),
    ]
    return [project.id for project in made]


def acronyms(result):
    return [project.acronym for project in result.items]


def test_a_word_of_the_objective_finds_the_project(projects):
    assert acronyms(explorer.search(Filters(q="smugglers"))) == ["ROBORDER"]


def test_the_acronym_finds_the_project_whatever_the_case(projects):
    assert acronyms(explorer.search(Filters(q="safepost"))) == ["SAFEPOST"]


def test_words_are_prefixes_and_all_are_required(projects):
    assert acronyms(explorer.search(Filters(q="cyber practitioners"))) == ["CYCLOPES"]
    assert explorer.search(Filters(q="cyber floods")).total == 0


def test_a_word_in_the_title_ranks_before_the_same_word_in_the_objective(app_context):
    ProjectFactory(acronym="OBJ", title="Something else", objective="A border story.", start_date=date(2024, 1, 1))
    ProjectFactory(acronym="TIT", title="Border technologies", objective="Nothing here.", start_date=date(2015, 1, 1))
    assert acronyms(explorer.search(Filters(q="border"), sort="relevance")) == ["TIT", "OBJ"]


def test_punctuation_alone_is_no_search(projects):
    assert explorer.search(Filters(q="&|!:*()'\"")).total == len(projects)


def test_a_changed_title_is_searchable_and_the_old_one_is_not(projects):
    project = db.session.get(Project, projects[0])
    project.title = "Quantum radar"
    db.session.commit()
    assert acronyms(explorer.search(Filters(q="quantum"))) == ["SAFEPOST"]
    assert explorer.search(Filters(q="Knowledge")).total == 0


def test_a_deleted_project_is_no_longer_found(projects):
    db.session.delete(db.session.get(Project, projects[1]))
    db.session.commit()
    assert explorer.search(Filters(q="smugglers")).total == 0


def test_bulk_inserted_projects_are_searchable(app_context):
    # Imports insert in batches past the ORM: the index must follow without an ORM hook.
    db.session.execute(
        sa.insert(Project),
        [
            {"acronym": f"BULK{n}", "title": "Bulk inserted", "objective": "Seismic resilience", "programme": "H2020", "source": "cordis"}
            for n in range(3)
        ],
    )
    db.session.commit()
    assert explorer.search(Filters(q="seismic")).total == 3


# --- facets: each count is what choosing that value gives ----------------------------------


def facet_counts(result, facet):
    return {value.value: value.count for value in result.facets[facet]}


@pytest.mark.parametrize("facet", FACETS)
@pytest.mark.parametrize("words", ["", "border"])
def test_each_facet_count_equals_the_results_when_it_is_chosen(projects, facet, words):
    base = explorer.search(Filters(q=words))
    counts = facet_counts(base, facet)
    assert counts, f"no values for {facet}"
    for value, count in counts.items():
        chosen = explorer.search(Filters(q=words, **{facet: [value]}))
        assert chosen.total == count, (facet, value)


@pytest.mark.parametrize("facet", FACETS)
def test_facet_counts_apply_the_other_facets_choices_but_not_their_own(projects, facet):
    # Another facet chosen: programme H2020 (or, for programme itself, status CLOSED).
    other = {"programme": ["H2020"]} if facet != "programme" else {"status": ["CLOSED"]}
    own_value = next(iter(facet_counts(explorer.search(Filters(**other)), facet)))
    result = explorer.search(Filters(**other, **{facet: [own_value]}))
    counts = facet_counts(result, facet)
    for value, count in counts.items():
        assert explorer.search(Filters(**other, **{facet: [value]})).total == count, (facet, value)
    # Its own choice does not narrow its counts: the other values stay offered.
    assert len(counts) == len(facet_counts(explorer.search(Filters(**other)), facet))


def test_facet_values_cordis_leaves_empty_are_not_offered(projects):
    result = explorer.search(Filters())
    assert "" not in facet_counts(result, "country")
    assert "" not in facet_counts(result, "funding_scheme")
    assert None not in facet_counts(result, "start_year")


def test_values_of_one_facet_are_alternatives(projects):
    assert explorer.search(Filters(country=["DE", "IT"])).total == 2


def test_a_chosen_value_with_no_results_stays_offered_ticked(projects):
    result = explorer.search(Filters(q="flood", programme=["ISF"]))
    (isf,) = [value for value in result.facets["programme"] if value.value == "ISF"]
    assert isf.selected and isf.count == 0


def test_labels_are_readers_words(projects):
    result = explorer.search(Filters())
    labels = {value.value: value.label for value in result.facets["programme"]}
    assert labels["HORIZON"] == "Horizon Europe"
    countries = {value.value: value.label for value in result.facets["country"]}
    assert countries["EL"] == "Greece"


# --- sorting and pages ------------------------------------------------------------------------


def test_sorted_by_eu_contribution_largest_first_unknown_last(projects):
    assert acronyms(explorer.search(Filters(), sort="largest")) == ["SAFEPOST", "ROBORDER", "FLOODGUARD", "CYCLOPES", "NATPORT"]


def test_sorted_by_start_date(projects):
    assert acronyms(explorer.search(Filters(), sort="oldest"))[:2] == ["SAFEPOST", "ROBORDER"]
    assert acronyms(explorer.search(Filters(), sort="newest"))[0] == "FLOODGUARD"


def test_relevance_without_words_falls_back_to_newest(projects):
    assert explorer.search(Filters(), sort="relevance").sort == "newest"


def test_pages(projects):
    first = explorer.search(Filters(), sort="oldest", page=1, per_page=2)
    second = explorer.search(Filters(), sort="oldest", page=2, per_page=2)
    assert first.total == second.total == 5
    assert not set(acronyms(first)) & set(acronyms(second))
    assert explorer.search(Filters(), page=99, per_page=2).items == []


def test_loose_input_drops_what_names_nothing():
    filters = explorer.clean_filters(
        {"programme": ["h2020", "NOPE"], "start_year": ["2017", "x", "99999"], "country": ["de", "DEU"], "q": ["  drones "]}
    )
    assert filters.programme == ["H2020"]
    assert filters.start_year == [2017]
    assert filters.country == ["DE"]
    assert filters.q == "drones"


# --- speed: queries bounded whatever the data -----------------------------------------------


def test_the_number_of_queries_does_not_grow_with_the_data(app_context, count_queries):
    def queries_for_search():
        with count_queries() as queries:
            result = explorer.search(Filters(q="border", programme=["H2020"], area=["BM"]), per_page=20)
            [project.areas for project in result.items]
        return len(queries)

    ProjectFactory.create_batch(3, area_codes=["BM"])
    few = queries_for_search()
    ProjectFactory.create_batch(30, area_codes=["BM", "FCT"])
    assert queries_for_search() == few
    # Areas, counts with every facet, the page's ids, its projects, their areas.
    assert few <= 5


@pytest.mark.postgres_only
def test_postgresql_uses_the_search_index(projects):
    from app.projects.search import Match

    db.session.execute(sa.text("SET enable_seqscan = off"))
    statement = Match("border").restrict(sa.select(Project.id))
    compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    plan = "\n".join(db.session.scalars(sa.text(f"EXPLAIN {compiled}")))
    db.session.rollback()
    assert "ix_projects_search" in plan


def _plan(statement):
    db.session.execute(sa.text("SET enable_seqscan = off"))
    compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    plan = "\n".join(db.session.scalars(sa.text(f"EXPLAIN {compiled}")))
    db.session.rollback()
    return plan


@pytest.mark.postgres_only
def test_postgresql_ranks_by_the_small_title_index(projects):
    from app.projects.search import Match

    plan = _plan(Match("border").ranked(sa.select(Project.id)))
    # The words over the whole document, and the title matches ranked first over acronym and title alone.
    assert {"ix_projects_search", "ix_projects_search_headline"} <= set(re.findall(r"Index Scan on (\w+)", plan))


@pytest.mark.postgres_only
def test_postgresql_keeps_long_texts_out_of_the_rows(app_context):
    options = db.session.scalar(sa.text("SELECT reloptions FROM pg_class WHERE relname = 'projects'"))
    assert "toast_tuple_target=256" in options
