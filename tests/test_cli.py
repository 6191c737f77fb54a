"""The command line: seed, users create, demo (through Flask's CLI runner, and once through `flask --app wsgi`)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.community.models import Network, ThematicArea
from app.demo import DEMO_PASSWORD, DEMO_USERS
from app.extensions import db
from tests.support import post_form

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def invoke(*args):
        return runner.invoke(args=list(args))

    return invoke


def count(app, model, *where):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def create_args(email, *extra):
    return ["users", "create", email, "--password", "long enough password", *extra]


# --- seed ------------------------------------------------------------------------------


def test_seed_creates_the_six_ceris_areas(app, cli):
    with app.app_context():
        db.session.execute(sa.delete(ThematicArea))
        db.session.commit()
    result = cli("seed")
    assert result.exit_code == 0, result.output
    assert "6 created, 6 in all" in result.output
    with app.app_context():
        codes = db.session.scalars(sa.select(ThematicArea.code).order_by(ThematicArea.position)).all()
    assert codes == ["FCT", "BM", "INFRA", "CS", "DRS", "SSRI"]


def test_seed_twice_still_gives_six_areas(app, cli):
    with app.app_context():
        db.session.execute(sa.delete(ThematicArea))
        db.session.commit()
    assert cli("seed").exit_code == 0
    second = cli("seed")
    assert second.exit_code == 0 and "0 created, 6 in all" in second.output
    assert count(app, ThematicArea) == 6


def test_seed_keeps_edits_to_existing_areas(app, cli):
    with app.app_context():
        area = db.session.scalar(sa.select(ThematicArea).where(ThematicArea.code == "BM"))
        area.name = "Border Management and Security"
        db.session.commit()
    cli("seed")
    with app.app_context():
        assert db.session.scalar(sa.select(ThematicArea.name).where(ThematicArea.code == "BM")) == "Border Management and Security"


def test_seed_through_the_real_flask_command(app_settings):
    """`flask --app wsgi seed` as an operator types it, configured from the environment."""
    env = {**os.environ, **app_settings, "REDIS_URL": "", "RATELIMIT_STORAGE_URI": "memory://"}
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "seed"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "6 in all" in result.stdout


# --- users create ------------------------------------------------------------------------


def test_users_create_gives_both_roles_the_area_the_new_network_and_the_organisation(app, cli):
    result = cli(
        *create_args(
            "Eva.Editor@Example.eu", "--role", "editor", "--role", "reviewer", "--area", "BM", "--network", "New Net", "--organisation", "X"
        )
    )
    assert result.exit_code == 0, result.output
    assert "Created eva.editor@example.eu" in result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "eva.editor@example.eu"))
        assert sorted(user.roles) == ["editor", "reviewer"]
        assert [area.code for area in user.areas] == ["BM"]
        assert [network.name for network in user.networks] == ["New Net"]
        assert user.organisation == "X"
        assert user.active and user.check_password("long enough password")
    assert count(app, Network, Network.name == "New Net") == 1


def test_users_create_joins_an_existing_network_without_making_another(app, cli):
    with app.app_context():
        db.session.add(Network(name="ENLETS", kind="practitioners"))
        db.session.commit()
    assert cli(*create_args("a@example.eu", "--role", "contributor", "--network", "ENLETS")).exit_code == 0
    assert count(app, Network, Network.name == "ENLETS") == 1


def test_created_user_can_sign_in(app, cli):
    cli(*create_args("signin@example.eu", "--role", "contributor"))
    client = app.test_client()
    response = post_form(client, "/login", {"email": "signin@example.eu", "password": "long enough password"}, token_from="/login")
    assert response.status_code == 302


def test_users_create_refuses_a_duplicate_email_clearly(app, cli):
    assert cli(*create_args("twice@example.eu", "--role", "contributor")).exit_code == 0
    result = cli(*create_args("TWICE@example.eu", "--role", "admin"))
    assert result.exit_code != 0
    assert "A user with this e-mail address already exists." in result.output
    assert "Traceback" not in result.output
    assert count(app, User) == 1


def test_users_create_refuses_an_unknown_area_clearly_and_creates_nothing(app, cli):
    result = cli(*create_args("area@example.eu", "--role", "reviewer", "--area", "BM", "--area", "XYZ", "--network", "Not Made"))
    assert result.exit_code != 0
    assert "Unknown thematic area: XYZ" in result.output
    assert count(app, User) == 0
    assert count(app, Network, Network.name == "Not Made") == 0


def test_users_create_refuses_an_unknown_role(app, cli):
    result = cli(*create_args("role@example.eu", "--role", "overlord"))
    assert result.exit_code != 0 and "overlord" in result.output
    assert count(app, User) == 0


def test_users_create_needs_a_role(app, cli):
    result = cli("users", "create", "norole@example.eu", "--password", "long enough password")
    assert result.exit_code != 0 and "--role" in result.output


def test_users_create_refuses_a_short_password(app, cli):
    result = cli("users", "create", "short@example.eu", "--role", "contributor", "--password", "short")
    assert result.exit_code != 0
    assert "at least 10 characters" in result.output
    assert count(app, User) == 0


# --- demo ----------------------------------------------------------------------------------


def test_demo_prints_a_login_for_every_role(cli):
    result = cli("demo")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for role in ("admin", "editor", "reviewer", "contributor"):
        assert any(role in line and DEMO_PASSWORD in line for line in lines), f"no {role} login printed"
    for email, *_rest in DEMO_USERS:
        assert email in result.output


def test_demo_twice_creates_nothing_more(app, cli):
    assert cli("demo").exit_code == 0
    users, networks = count(app, User), count(app, Network)
    second = cli("demo")
    assert second.exit_code == 0
    assert (count(app, User), count(app, Network), count(app, ThematicArea)) == (users, networks, 6)
    assert users == len(DEMO_USERS)
    for role in ("admin", "editor", "reviewer", "contributor"):
        assert role in second.output


def test_demo_logins_work(app, cli):
    cli("demo")
    client = app.test_client()
    for email in ("admin@ceris.example.eu", "reviewer@ceris.example.eu"):
        response = client.post("/api/v1/tokens", json={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 201


# --- where commands live -------------------------------------------------------------------


def test_every_command_lives_with_the_cli_not_in_a_view_module():
    app_dir = ROOT / "app"
    elsewhere = [
        str(path.relative_to(ROOT))
        for path in app_dir.rglob("*.py")
        if path != app_dir / "cli.py" and any(mark in path.read_text() for mark in (".cli.command(", "click.command(", "AppGroup("))
    ]
    assert elsewhere == []


def test_the_moved_commands_are_still_offered(app):
    commands = app.cli.list_commands(None)
    assert {"reviews", "reports"} <= set(commands)
    assert "remind" in app.cli.get_command(None, "reviews").list_commands(None)
    assert "retry-builds" in app.cli.get_command(None, "reports").list_commands(None)
