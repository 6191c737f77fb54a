"""The project explorer over the API (public): search with facets, and one project with the accepted contributions citing it."""

from app.api import shapes
from app.api.blueprint import bp
from app.api.schema import read_query
from app.api.views import answer
from app.projects import explorer


def _money(value):
    return None if value is None else float(value)


def project_summary_json(project):
    return {
        "id": project.id,
        "acronym": project.acronym,
        "title": project.title,
        "programme": project.programme,
        "status": project.status,
        "start_date": project.start_date,
        "end_date": project.end_date,
        "total_cost": _money(project.total_cost),
        "eu_contribution": _money(project.eu_contribution),
        "funding_scheme": project.funding_scheme,
        "coordinator": project.coordinator,
        "coordinator_country": project.coordinator_country,
        "thematic_areas": [area.code for area in project.areas],
        "source": project.source,
        "cordis_id": project.cordis_id,
        "cordis_url": explorer.cordis_url(project),
    }


def project_json(project):
    return {
        **project_summary_json(project),
        "objective": project.objective,
        "call_topic": project.call_topic,
        "topic_title": project.topic_title,
        "legal_basis": project.legal_basis,
        "legal_basis_title": project.legal_basis_title,
        "framework_programme": project.framework_programme,
        "grant_doi": project.grant_doi,
        "areas_manual": project.areas_manual,
        "contributions": [
            {"id": item.id, "type": item.type, "title": item.title, "thematic_areas": item.area_codes}
            for item in explorer.accepted_contributions(project)
        ],
    }


@bp.get("/projects")
def list_projects():
    query = read_query(shapes.ProjectQuery)
    filters = explorer.clean_filters({"q": query.q or "", **{facet: getattr(query, facet) or [] for facet in explorer.FACETS}})
    result = explorer.search(filters, sort=query.sort, page=query.page, per_page=query.per_page)
    facets = {
        facet: [{"value": value.value, "label": str(value.label), "count": value.count, "selected": value.selected} for value in values]
        for facet, values in result.facets.items()
    }
    return answer(
        shapes.ProjectSearchPage,
        {
            "items": [project_summary_json(project) for project in result.items],
            "page": query.page,
            "per_page": result.per_page,
            "total": result.total,
            "sort": result.sort,
            "facets": facets,
        },
    )


@bp.get("/projects/<id:project_id>")
def get_project(project_id):
    return answer(shapes.Project, project_json(explorer.get_project(project_id)))
