"""A believable demo data set: networks from several member states, users of every role, and the
CORDIS samples in the project explorer when they are beside the repository (../shared/data/cordis)."""

from pathlib import Path

from flask import current_app

from app.auth import services as auth_services
from app.community import services as community_services
from app.projects import services as project_services
from app.unit_of_work import transactional

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
    load_cordis_samples()
    return logins


def load_cordis_samples():
    """Import the CORDIS samples that are there (idempotent: a second run finds them unchanged); the summaries."""
    folder = cordis_sample_folder()
    return [project_services.import_file(str(folder / name)) for name in CORDIS_SAMPLES if (folder / name).is_file()]
