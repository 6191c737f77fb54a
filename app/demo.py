"""A believable demo data set: networks from several member states, users of every role, and the
CORDIS samples in the project explorer when they are beside the repository (../shared/data/cordis)."""

from datetime import timedelta
from pathlib import Path

from flask import current_app

from app.auth import services as auth_services
from app.community import services as community_services
from app.projects import services as project_services
from app.timeutil import utcnow
from app.unit_of_work import transactional
from app.workshops import services as workshop_services

DEMO_PASSWORD = "ceris-demo-2026"  # noqa: S105 - the published password of the demo accounts

# In import order: the projects first, then what completes and classifies them, then the call topics.
CORDIS_SAMPLES = ("h2020-project-sample.csv", "horizon-europe-topics.csv", "horizon-europe-legalBasis.csv", "cluster3-calls-2025.csv")


def cordis_sample_folder():
    """CORDIS_SAMPLE_FOLDER, else shared/data/cordis beside the repository."""
    configured = current_app.config.get("CORDIS_SAMPLE_FOLDER")
    return Path(configured) if configured else Path(current_app.root_path).resolve().parent.parent / "shared" / "data" / "cordis"


DEMO_NETWORKS = [
    ("ENLETS - European Network of Law Enforcement Technology Services", "practitioners", ""),
    ("eNOTICE - European Network of CBRN Training Centres", "practitioners", "BE"),
    ("Communauté des utilisateurs France", "community_of_users", "FR"),
    ("Sicherheitsforschung Netzwerk Deutschland", "community_of_users", "DE"),
    ("Baltic Sea Region Security Forum", "regional_forum", "EE"),
    ("Red Española de Resiliencia de Infraestructuras", "knowledge_network", "ES"),
    ("Polska Sieć Ochrony Granic", "practitioners", "PL"),
    ("ROXANNE consortium", "project_consortium", "CZ"),
]

# email, name, organisation, roles, areas, network index
DEMO_USERS = [
    ("admin@ceris.example.eu", "Ana Admin", "European Commission, DG HOME", ["admin"], [], None),
    ("editor@ceris.example.eu", "Eva Editor", "European Commission, DG HOME", ["editor"], ["BM", "FCT", "CS"], None),
    ("editor.drs@ceris.example.eu", "Dimitris Papadopoulos", "European Commission, DG ECHO", ["editor"], ["DRS", "INFRA", "SSRI"], None),
    ("reviewer@ceris.example.eu", "Rui Reviewer", "INESC TEC", ["reviewer"], ["BM", "CS"], 5),
    ("reviewer.fct@ceris.example.eu", "Katarzyna Nowak", "Polish Border Guard", ["reviewer"], ["BM", "FCT"], 6),
    ("reviewer.drs@ceris.example.eu", "Liis Tamm", "Estonian Rescue Board", ["reviewer"], ["DRS", "INFRA"], 4),
    ("contributor@ceris.example.eu", "Claire Contributor", "Gendarmerie nationale", ["contributor"], [], 2),
    ("contributor.de@ceris.example.eu", "Jonas Becker", "Bundespolizei", ["contributor"], [], 3),
    ("contributor.cz@ceris.example.eu", "Petr Dvořák", "Police of the Czech Republic", ["contributor"], [], 7),
    ("contributor.be@ceris.example.eu", "Sofie Peeters", "Belgian Civil Protection", ["contributor", "reviewer"], ["DRS"], 1),
]


@transactional
def load_demo():
    """Create what is missing, in one unit of work; returns [(email, password, roles)]."""
    community_services.seed_thematic_areas()
    networks = []
    for name, kind, country in DEMO_NETWORKS:
        network = community_services.find_network_by_name(name)
        if network is None:
            network = community_services.save_network(None, name, kind, country, "", "")
        networks.append(network)

    logins = []
    for email, name, organisation, roles, areas, network_index in DEMO_USERS:
        if auth_services.find_user_by_email(email) is None:
            user = auth_services.create_user(email, DEMO_PASSWORD, roles, name=name, organisation=organisation, area_codes=areas)
            if network_index is not None:
                user.networks = [networks[network_index]]
        logins.append((email, DEMO_PASSWORD, roles))
    load_demo_workshops()
    load_cordis_samples()
    return logins


def load_demo_workshops():
    """Two workshops chaired by the demo editor: one whose call for inputs is open now, one held with its outcome published."""
    chair = auth_services.find_user_by_email("editor@ceris.example.eu")
    hour = utcnow().replace(minute=0, second=0, microsecond=0)
    day = timedelta(days=1)
    demo = [
        {
            "title": "Drones over the green border: what practitioners need",
            "areas": ["BM", "FCT"],
            "description": "<p>Border guards, police and industry on detecting and countering small drones at land borders.</p>",
            "time_zone": "Europe/Warsaw",
            "starts_at": hour + 21 * day,
            "ends_at": hour + 21 * day + timedelta(hours=7),
            "place": "Warsaw, Frontex headquarters",
            "online_url": "https://webcast.ec.europa.eu/",
            "capacity": 60,
            "call_opens_at": hour - 7 * day,
            "call_closes_at": hour + 14 * day,
            "call_types": ["capability_gap", "technology"],
        },
        {
            "title": "Cyber resilience of hospitals: lessons from recent incidents",
            "areas": ["CS", "INFRA"],
            "description": "<p>What hospitals hit by ransomware learnt, and what EU-funded projects offer them.</p>",
            "time_zone": "Europe/Brussels",
            "starts_at": hour - 40 * day,
            "ends_at": hour - 40 * day + timedelta(hours=6),
            "place": "",
            "online_url": "https://webcast.ec.europa.eu/",
            "call_opens_at": hour - 80 * day,
            "call_closes_at": hour - 45 * day,
            "call_types": ["outcome", "trend"],
            "outcome": "<p>Segmented networks and rehearsed downtime procedures made the difference; see the accepted inputs.</p>",
        },
    ]
    for values in demo:
        if chair is None or workshop_services.find_workshop_by_title(values["title"]) is not None:
            continue
        outcome = values.pop("outcome", None)
        workshop = workshop_services.create_workshop(chair, values)
        if outcome:
            workshop.outcome_summary = outcome
            workshop.outcome_published_at = hour - 30 * day


def load_cordis_samples():
    """Import the CORDIS samples that are there (idempotent: a second run finds them unchanged); the summaries."""
    folder = cordis_sample_folder()
    return [project_services.import_file(str(folder / name)) for name in CORDIS_SAMPLES if (folder / name).is_file()]
