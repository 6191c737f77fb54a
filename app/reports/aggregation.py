"""What helps the Commission write a section: counts, the capability-gap ranking, the gap-to-solution matrix.

Everything here takes lists of contributions and returns plain data (dicts
and lists, JSON-ready), so the editor's pages, the API and the published
document show the same numbers.

"The same gap". Two capability-gap contributions describe the same gap when
  (a) their titles have the same keywords: lower-cased, accents removed,
      punctuation dropped, words of fewer than three letters and common
      English stop words left out, order ignored ("Night-time drone
      detection" = "Detection of drones at night-time" would NOT match, as
      "drone" and "drones" differ; "Detecting drones at night" = "Night:
      detecting drones" does); or
  (b) one accepted state-of-the-art solution (a technology contribution)
      names both in its "capability gaps it addresses" AND their titles
      share at least one keyword (a solution may well answer two different
      gaps; the shared word says they are one need put differently).
Sameness is transitive (a cluster).

"Independent networks". A cluster counts the distinct source networks of
its contributions, never the contributions: five gaps from one network count
one. A contribution with no network counts as its author's organisation (or,
without one, its author), since that is the independent voice behind it.
"""

import re
import unicodedata
from collections import Counter, defaultdict

from markupsafe import escape

from app.contributions.types import PRIORITIES, TYPES
from app.i18n import lazy_gettext as _l
from app.reports.access import feeds_reports

PRIORITY_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1}
STOP_WORDS = frozenset(
    """
    the and for with from into onto over under about across after before between during without within
    of at by in on to or an a is are be been being as its it this that these those their there
    not no nor but than then so such can could should would may might must will shall
    new more most less least very via per lack lacking need needs needed
    """.split()
)


# --- counts --------------------------------------------------------------------------


def member_state(contribution):
    """The member state a contribution speaks for: its network's country, else its author's ('' if neither says)."""
    network = contribution.network
    if network is not None and network.country:
        return network.country
    author = contribution.author
    return (author.country or "") if author is not None else ""


def _counted(pairs):
    """[(key, label)] -> [{"key", "label", "count"}], most first, then by label."""
    counts = Counter(pairs)
    return [
        {"key": key, "label": label, "count": count}
        for (key, label), count in sorted(counts.items(), key=lambda item: (-item[1], str(item[0][1]).casefold()))
    ]


def counts_by_network(contributions):
    return _counted(
        (contribution.network.id, contribution.network.name) if contribution.network else (None, "") for contribution in contributions
    )


def counts_by_member_state(contributions, country_name=None):
    country_name = country_name or (lambda code: code)
    return _counted((code, country_name(code) if code else "") for code in map(member_state, contributions))


def counts_by_project(contributions):
    """Each contribution counts once for each project it names; contributions without a project are not counted."""
    return _counted((project.id, project.acronym) for contribution in contributions for project in contribution.projects)


def counts_by_type(contributions):
    return _counted((contribution.type, str(TYPES[contribution.type].name)) for contribution in contributions)


def section_summary(contributions, country_name=None):
    contributions = list(contributions)
    return {
        "total": len(contributions),
        "by_network": counts_by_network(contributions),
        "by_member_state": counts_by_member_state(contributions, country_name),
        "by_project": counts_by_project(contributions),
    }


# --- the same gap, and who raised it --------------------------------------------------------


def title_keywords(title):
    """The words that make a gap's title, as a set: see the module's definition of "the same gap"."""
    text = unicodedata.normalize("NFKD", title or "")
    text = "".join(char for char in text if not unicodedata.combining(char)).casefold()
    words = re.findall(r"[a-z0-9]+", text)
    return frozenset(word for word in words if len(word) >= 3 and word not in STOP_WORDS)


def independent_source(contribution):
    """The key of the independent voice behind a contribution: its network, else the author's organisation, else the author."""
    if contribution.network_id:
        return ("network", contribution.network_id)
    author = contribution.author
    organisation = (author.organisation or "").strip().casefold() if author is not None else ""
    if organisation:
        return ("organisation", organisation)
    return ("author", contribution.author_id)


def _source_label(contribution):
    if contribution.network is not None:
        return contribution.network.name
    author = contribution.author
    return (author.organisation or author.display_name) if author is not None else ""


def gap_clusters(gaps, solutions=None):
    """Group capability gaps that are "the same gap"; returns a list of lists of contributions.

    `solutions`: the technology contributions whose links join gaps; by
    default every accepted solution linked to them.
    """
    gaps = [gap for gap in gaps if gap.type == "capability_gap"]
    parent = {gap.id: gap.id for gap in gaps}

    def find(key):
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def union(first, second):
        root_first, root_second = find(first), find(second)
        if root_first != root_second:
            parent[max(root_first, root_second)] = min(root_first, root_second)

    by_keywords = defaultdict(list)
    for gap in gaps:
        keywords = title_keywords(gap.title)
        if keywords:
            by_keywords[keywords].append(gap.id)
    for ids in by_keywords.values():
        for other in ids[1:]:
            union(ids[0], other)

    gap_ids = set(parent)
    if solutions is None:
        linked = defaultdict(set)
        for gap in gaps:
            for solution in gap.solutions:
                if feeds_reports(solution):
                    linked[solution.id].add(gap.id)
    else:
        linked = {solution.id: {gap.id for gap in solution.addressed_gaps} & gap_ids for solution in solutions}
    keywords_of = {gap.id: title_keywords(gap.title) for gap in gaps}
    for ids in linked.values():
        ids = sorted(ids)
        for index, first in enumerate(ids):
            for second in ids[index + 1 :]:
                if keywords_of[first] & keywords_of[second]:
                    union(first, second)

    clusters = defaultdict(list)
    for gap in gaps:
        clusters[find(gap.id)].append(gap)
    return list(clusters.values())


def priority_of(gap):
    return (gap.fields or {}).get("priority") or ""


def gap_ranking(gaps, solutions=None, by="networks"):
    """Capability gaps ranked: by default by the number of independent networks raising the same gap,
    then by the highest priority given to it, then by how many contributions raise it.
    `by="priority"` puts the priority first.
    """
    priority_labels = dict(PRIORITIES)
    ranking = []
    for cluster in gap_clusters(gaps, solutions):
        cluster.sort(key=lambda gap: (-PRIORITY_RANK.get(priority_of(gap), 0), gap.id))
        sources = {}
        for gap in cluster:
            sources.setdefault(independent_source(gap), _source_label(gap))
        top_priority = priority_of(cluster[0])
        ranking.append(
            {
                "title": cluster[0].title,
                "contribution_ids": [gap.id for gap in cluster],
                "titles": [gap.title for gap in cluster],
                "network_count": len(sources),
                "networks": sorted(sources.values(), key=str.casefold),
                "contribution_count": len(cluster),
                "priority": top_priority,
                "priority_label": str(priority_labels.get(top_priority, "")),
                "priority_rank": PRIORITY_RANK.get(top_priority, 0),
            }
        )
    if by == "priority":
        key = lambda entry: (-entry["priority_rank"], -entry["network_count"], -entry["contribution_count"], entry["title"].casefold())  # noqa: E731
    else:
        key = lambda entry: (-entry["network_count"], -entry["priority_rank"], -entry["contribution_count"], entry["title"].casefold())  # noqa: E731
    ranking.sort(key=key)
    for rank, entry in enumerate(ranking, start=1):
        entry["rank"] = rank
    return ranking


# --- gaps and the solutions that address them ---------------------------------------------------


def gap_solution_matrix(gaps, solutions):
    """Rows: the gaps; columns: the solutions among `solutions` addressing at least one of them.

    {"gaps": [{"id", "code", "title", "priority"}], "solutions": [{"id", "code", "title", "trl"}],
     "links": [[gap_id, solution_id]], "unaddressed": [gap ids no solution addresses]}
    """
    gaps = sorted(
        (gap for gap in gaps if gap.type == "capability_gap"),
        key=lambda gap: (-PRIORITY_RANK.get(priority_of(gap), 0), gap.title.casefold(), gap.id),
    )
    gap_ids = {gap.id for gap in gaps}
    links = []
    columns = []
    for solution in sorted((s for s in solutions if s.type == "technology"), key=lambda s: (s.title.casefold(), s.id)):
        addressed = sorted(gap.id for gap in solution.addressed_gaps if gap.id in gap_ids)
        if addressed:
            columns.append(solution)
            links.extend([gap_id, solution.id] for gap_id in addressed)
    addressed_ids = {gap_id for gap_id, _solution in links}
    return {
        "gaps": [
            {"id": gap.id, "code": f"G{index}", "title": gap.title, "priority": priority_of(gap)} for index, gap in enumerate(gaps, start=1)
        ],
        "solutions": [
            {"id": solution.id, "code": f"S{index}", "title": solution.title, "trl": (solution.fields or {}).get("trl")}
            for index, solution in enumerate(columns, start=1)
        ],
        "links": links,
        "unaddressed": [gap.id for gap in gaps if gap.id not in addressed_ids],
    }


def matrix_svg(matrix, title, description="", element_id="gap-solution-matrix"):
    """The matrix as an SVG picture (inline markup): gaps down, solutions across, TRL in each addressed cell.

    The picture has a title and description for screen readers; pages show
    the same matrix as a table beside it.
    """
    gaps, solutions = matrix["gaps"], matrix["solutions"]
    linked = {(gap_id, solution_id) for gap_id, solution_id in matrix["links"]}
    cell, label_width, header = 34, 330, 34
    width = label_width + cell * max(len(solutions), 1) + 10
    height = header + cell * max(len(gaps), 1) + 10
    title_id, desc_id = f"{element_id}-title", f"{element_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{escape(element_id)}" class="matrix-picture" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="DejaVu Sans, Arial, sans-serif" font-size="12">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    for column, solution in enumerate(solutions):
        x = label_width + column * cell + cell / 2
        parts.append(
            f'<text x="{x:.0f}" y="{header - 10}" text-anchor="middle" font-weight="bold" fill="#002266">{escape(solution["code"])}</text>'
        )
    for row, gap in enumerate(gaps):
        y = header + row * cell
        label = gap["title"] if len(gap["title"]) <= 44 else gap["title"][:43] + "…"
        parts.append(
            f'<text x="4" y="{y + cell / 2 + 4:.0f}" fill="#1d1d1b"><tspan font-weight="bold">{escape(gap["code"])}</tspan> {escape(label)}</text>'
        )
        for column, solution in enumerate(solutions):
            x = label_width + column * cell
            addressed = (gap["id"], solution["id"]) in linked
            fill = "#003399" if addressed else "#f3f5f9"
            parts.append(
                f'<rect x="{x + 2}" y="{y + 2}" width="{cell - 4}" height="{cell - 4}" fill="{fill}" stroke="#767676" stroke-width="1"/>'
            )
            if addressed and solution["trl"]:
                parts.append(
                    f'<text x="{x + cell / 2:.0f}" y="{y + cell / 2 + 4:.0f}" text-anchor="middle" fill="#ffffff" font-weight="bold">{escape(str(solution["trl"]))}</text>'
                )
    parts.append("</svg>")
    return "".join(parts)


def with_picture(data):
    """Add the matrix picture (SVG markup) to a document's data; the JSON export leaves it out, the pages draw it."""
    matrix = data["analysis"]["gap_solution_matrix"]
    data["analysis"]["matrix_svg"] = (
        matrix_svg(
            matrix,
            str(_l("Capability gaps and the solutions addressing them")),
            str(
                _l(
                    "Rows are capability gaps (G), columns are solutions (S); a filled square means the solution addresses the gap, with its technology readiness level."
                )
            ),
            element_id=f"matrix-v{data['report']['version']}",
        )
        if matrix["gaps"] and matrix["solutions"]
        else ""
    )
    return data
