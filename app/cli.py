"""Command line: `flask --app wsgi seed | users create | demo | serve | outbox flush | jobs worker | reviews remind |
reports retry-builds | projects import`. Every command lives here, not in view modules; each calls its feature's services."""

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from rq import Worker
from rq.serializers import JSONSerializer

from app.auth import services as auth_services
from app.auth.models import ROLES
from app.community import services as community_services
from app.demo import load_demo
from app.i18n import gettext as _
from app.jobs import queue, redis_connection
from app.mail import services as mail_services
from app.projects import services as project_services
from app.projects.importer import CALL_TOPICS, LEGAL_BASIS, PROJECTS, TOPICS
from app.reports import services as report_services
from app.reviews.jobs import send_review_reminders
from app.service_errors import ServiceError
from app.sweep import start_sweeping, sweep_once

users_cli = AppGroup("users", help="Manage user accounts.")
outbox_cli = AppGroup("outbox", help="The e-mail outbox.")
jobs_cli = AppGroup("jobs", help="Background job workers.")
reviews_cli = AppGroup("reviews", help="Reviews.")
reports_cli = AppGroup("reports", help="Reports.")
projects_cli = AppGroup("projects", help="The project explorer.")


# Plain click commands get no app context from app.cli (only AppGroup commands
# do), so seed and demo ask for one: they also work from app.test_cli_runner().
@click.command("seed")
@with_appcontext
def seed_command():
    """Seed thematic areas and reference data (idempotent)."""
    created = community_services.seed_thematic_areas()
    click.echo(_("Thematic areas: %(created)d created, %(total)d in all.", created=created, total=len(community_services.thematic_areas())))


@users_cli.command("create")
@click.argument("email")
@click.option("--role", "roles", multiple=True, type=click.Choice(list(ROLES)), required=True, help="Repeat for several roles.")
@click.option("--password", required=True, help="At least PASSWORD_MIN_LENGTH characters.")
@click.option("--name", default="", help="Display name (defaults to the e-mail's local part).")
@click.option("--area", "areas", multiple=True, help="Thematic area code, e.g. BM; repeat for several.")
@click.option("--network", "network", default="", help="Network name; created if it does not exist.")
@click.option("--organisation", default="", help="The user's organisation.")
def create_user_command(email, roles, password, name, areas, network, organisation):
    """Create an active user with the given roles."""
    try:
        user = auth_services.create_user(
            email,
            password,
            list(roles),
            name=name,
            organisation=organisation,
            area_codes=areas,
            network_names=[network] if network else [],
        )
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    click.echo(_("Created %(email)s (%(roles)s), id %(id)d.", email=user.email, roles=", ".join(user.roles), id=user.id))


@click.command("demo")
@with_appcontext
def demo_command():
    """Load a demo data set (idempotent) and print the logins."""
    logins = load_demo()
    click.echo(_("Demo data loaded. Sign in with:"))
    for email, password, roles in logins:
        click.echo(f"  {email:<40} {password:<20} {', '.join(roles)}")


@outbox_cli.command("flush")
def flush_command():
    """Send every pending e-mail now (needs SMTP, not Redis; the workers' sweep does this on its own)."""
    if not mail_services.mail_configured():
        raise click.ClickException(_("MAIL_SERVER is not set: e-mails stay in the outbox (see /admin/outbox)."))
    sent, failed, _held = mail_services.flush_outbox()
    click.echo(_("Outbox: %(sent)d sent, %(failed)d failed.", sent=sent, failed=failed))
    if failed:
        raise SystemExit(1)


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Sweep once, then stop when the queue is empty.")
def worker_command(burst):
    """Run an RQ worker for this app's queue (with the retry scheduler and the sweep)."""
    # Inside: `app` imports this module while it builds the app (app/__init__.py, create_app).
    from app import create_app

    if redis_connection() is None:
        raise click.ClickException(_("REDIS_URL is not set: jobs run in-process, no worker is needed."))
    # The sweep has an app (and database engine) of its own: the work horses
    # forked for each job must never inherit a connection it is using.
    sweep_app = create_app(dict(current_app.config))
    if burst:
        sweep_once(sweep_app)
    else:
        start_sweeping(sweep_app)
    worker = Worker([queue()], connection=redis_connection(), serializer=JSONSerializer)
    worker.work(burst=burst, with_scheduler=True)


@reviews_cli.command("remind")
def remind_command():
    """E-mail reviewers whose reviews are overdue (at most once a day each); for cron."""
    click.echo(f"Reminders sent: {send_review_reminders()}.")


@reports_cli.command("retry-builds")
def retry_builds_command():
    """Enqueue again the report builds still waiting (e.g. asked for while Redis was down)."""
    click.echo(_("Report builds queued again: %(count)d", count=report_services.retry_queued_builds()))


# Projects first, so topics and legal-basis files given on the same line find the projects they complete.
IMPORT_ORDER = (PROJECTS, TOPICS, LEGAL_BASIS, CALL_TOPICS)


@projects_cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def import_projects_command(files):
    """Import CORDIS CSV files (project.csv, topics.csv, legalBasis.csv, call topics); each is refused whole on a bad row."""
    kinds = {}
    for path in files:
        try:
            kinds[path] = project_services.detect_kind(path)
        except ServiceError as error:
            raise click.ClickException(f"{path}: {error.message}") from None
    for path in sorted(files, key=lambda path: IMPORT_ORDER.index(kinds[path])):
        try:
            summary = project_services.import_file(path)
        except ServiceError as error:
            raise click.ClickException(_("%(file)s refused, nothing changed: %(reason)s", file=path, reason=error.message)) from None
        click.echo(f"{path}: {project_services.summary_text(summary)}")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@with_appcontext
def serve_command(host, port):
    """Serve on this machine (scripts/run). Without Redis no worker sweeps, so this process does, in a thread."""
    from werkzeug.serving import run_simple

    from app import create_app

    app = current_app._get_current_object()
    if redis_connection() is None:
        # What waits for time alone (a workshop call that opens) is done here, as a worker would.
        start_sweeping(create_app(dict(app.config)))
    run_simple(host, port, app, threaded=True)


def register(app):
    for command in (seed_command, users_cli, demo_command, outbox_cli, jobs_cli, reviews_cli, reports_cli, projects_cli, serve_command):
        app.cli.add_command(command)
