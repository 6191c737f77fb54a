"""Counting for the Commission: by network, member state and project; gaps ranked by independent networks; the gap-to-solution matrix."""

import sqlalchemy as sa

from app.extensions import db
from app.reports import aggregation
from tests.reports.support import make_contribution, make_network


def _load(app, ids):
    from app.contributions.models import Contribution

    return db.session.scalars(sa.select(Contribution).where(Contribution.id.in_(ids)).order_by(Contribution.id)).all()


def test_five_gaps_from_one_network_rank_below_one_gap_raised_by_three_networks(app):
    one = make_network(app, "Lone Network", "IT")
    three = [make_network(app, f"Network {name}", country) for name, country in (("A", "BE"), ("B", "NL"), ("C", "AT"))]
    # Five contributions of one network about one gap (worded differently, same keywords) ...
    lone = [
        make_contribution(app, title, network_id=one)
        for title in (
            "Detecting drones at night",
            "Night: detecting drones",
            "Detecting drones, at night",
            "detecting DRONES at night!",
            "At night, detecting drones",
        )
    ]
    # ... and one gap raised once by each of three networks.
    shared = [make_contribution(app, "Sharing watch-lists across borders", network_id=network) for network in three]

    with app.app_context():
        ranking = aggregation.gap_ranking(_load(app, lone + shared))
    assert [(entry["title"], entry["network_count"], entry["contribution_count"]) for entry in ranking] == [
        ("Sharing watch-lists across borders", 3, 3),
        ("Detecting drones at night", 1, 5),
    ]
    assert ranking[0]["networks"] == ["Network A", "Network B", "Network C"]


def test_five_different_gaps_from_one_network_each_rank_below_the_gap_three_networks_raise(app):
    one = make_network(app, "Lone Network", "IT")
    lone = [
        make_contribution(app, f"Distinct gap number {word}", network_id=one) for word in ("alpha", "beta", "gamma", "delta", "epsilon")
    ]
    shared = [make_contribution(app, "Sharing watch-lists", network_id=make_network(app, f"Net {n}")) for n in range(3)]
    with app.app_context():
        ranking = aggregation.gap_ranking(_load(app, lone + shared))
    assert ranking[0]["title"] == "Sharing watch-lists" and ranking[0]["network_count"] == 3
    assert all(entry["network_count"] == 1 for entry in ranking[1:]) and len(ranking) == 6


def test_gaps_answered_by_the_same_solution_are_the_same_gap_and_priority_breaks_ties(app):
    first = make_contribution(app, "Tracking small boats at sea", network_id=make_network(app, "Coast Net"), fields={"priority": "medium"})
    second = make_contribution(app, "Surveillance of small boats", network_id=make_network(app, "Sea Net"), fields={"priority": "critical"})
    lonely = make_contribution(app, "Forged documents at checkpoints", network_id=make_network(app, "Doc Net"), fields={"priority": "low"})
    other = make_contribution(app, "Biometric corridors", network_id=make_network(app, "Bio Net"), fields={"priority": "high"})
    # The radar answers both boat gaps (one need, put two ways) and the checkpoint gap, which shares no word with them.
    solution = make_contribution(app, "Coastal radar", type="technology", addresses=(first, second, lonely))
    with app.app_context():
        gaps = _load(app, [first, second, lonely, other])
        ranking = aggregation.gap_ranking(gaps)
        assert [(entry["title"], entry["network_count"], entry["priority"]) for entry in ranking] == [
            ("Surveillance of small boats", 2, "critical"),
            ("Biometric corridors", 1, "high"),
            ("Forged documents at checkpoints", 1, "low"),
        ]
        by_priority = aggregation.gap_ranking(gaps, by="priority")
        assert [entry["priority"] for entry in by_priority] == ["critical", "high", "low"]

        matrix = aggregation.gap_solution_matrix(gaps, _load(app, [solution]))
        assert sorted(matrix["links"]) == [[first, solution], [second, solution], [lonely, solution]]
        assert matrix["unaddressed"] == [other]
        picture = aggregation.matrix_svg(matrix, "Gaps and solutions", "A test")
        assert picture.startswith("<svg") and 'role="img"' in picture and "<title" in picture
        # Solutions show as codes (S1), explained beside the picture; gaps by code and title.
        assert "S1" in picture and "Tracking small boats at sea" in picture


def test_counts_by_network_member_state_and_project(app):
    from app.projects.models import Project

    belgian = make_network(app, "Belgian Net", "BE")
    polish = make_network(app, "Polish Net", "PL")
    ids = [make_contribution(app, f"Gap {n}", network_id=network) for n, network in enumerate((belgian, belgian, polish))]
    no_network = make_contribution(app, "Gap without network")
    with app.app_context():
        project = Project(acronym="ROXANNE", title="Real time network, text, and speaker analytics", programme="H2020")
        db.session.add(project)
        contributions = _load(app, [*ids, no_network])
        contributions[0].projects = [project]
        contributions[2].projects = [project]
        db.session.commit()
        summary = aggregation.section_summary(_load(app, [*ids, no_network]))
    assert summary["total"] == 4
    assert [(row["label"], row["count"]) for row in summary["by_network"]] == [("Belgian Net", 2), ("", 1), ("Polish Net", 1)]
    # The contribution without a network speaks for its author's country, which the factory leaves empty.
    assert [(row["key"], row["count"]) for row in summary["by_member_state"]] == [("BE", 2), ("", 1), ("PL", 1)]
    assert [(row["label"], row["count"]) for row in summary["by_project"]] == [("ROXANNE", 2)]


def test_title_keywords_ignore_case_accents_punctuation_order_and_stop_words():
    assert aggregation.title_keywords("Détection of drones, at NIGHT!") == aggregation.title_keywords("night drones detection")
    assert aggregation.title_keywords("Detecting drones") != aggregation.title_keywords("Detecting drone")
