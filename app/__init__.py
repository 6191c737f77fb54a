"""CERIS Exchange: the application factory."""

import contextlib
import os

from flask import Flask

from app.extensions import babel, csrf, db, limiter, login_manager, migrate


class ConfigurationError(RuntimeError):
    """A setting production needs is missing; the message names it."""


def create_app(config=None, instance_path=None):
    """Build the app. `config` is a settings class, a dict of overrides, or None (environment)."""
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    from config import Config

    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)

    os.makedirs(app.instance_path, exist_ok=True)
    _settle_secret_and_public_url(app)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "ceris.sqlite")
    app.config["SQLALCHEMY_DATABASE_URI"] = _psycopg3_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # pool_pre_ping is pointless for a file database.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {}

    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        # The client address and scheme as the trusted proxies saw them (rate
        # limits count real clients). Never X-Forwarded-Host: links come from
        # PUBLIC_BASE_URL only.
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0)

    _init_extensions(app)
    from app import converters

    converters.register(app)  # before the blueprints: their routes use <id:...>
    _register_blueprints(app)

    from app import cli, errors, security, templating

    errors.register(app)
    security.register(app)
    templating.register(app)
    cli.register(app)

    from app.workflow import load_workflows

    # A broken workflow file stops the app here, with a message naming the problem.
    load_workflows(app)
    return app


def is_production(config):
    """Production is any database server (DATABASE_URL other than SQLite); the embedded default is SQLite."""
    url = config.get("SQLALCHEMY_DATABASE_URI") or ""
    return bool(url) and not url.startswith("sqlite")


def _settle_secret_and_public_url(app):
    production = is_production(app.config)
    for setting in ("SECRET_KEY", "PUBLIC_BASE_URL"):
        if production and not app.config.get(setting):
            raise ConfigurationError(
                f"{setting} is not set. With a DATABASE_URL (production) set {setting} in the environment "
                "of every process (see README, Production)."
            )
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(app.instance_path)
    if not app.config.get("PUBLIC_BASE_URL"):
        # The embedded default serves on 127.0.0.1 (scripts/run); never the request's Host.
        app.config["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{int(app.config.get('PORT') or 5000)}"
    app.config["PUBLIC_BASE_URL"] = app.config["PUBLIC_BASE_URL"].rstrip("/")
    from urllib.parse import urlsplit

    base = urlsplit(app.config["PUBLIC_BASE_URL"])
    if base.scheme not in ("http", "https") or not base.netloc:
        raise ConfigurationError(f"PUBLIC_BASE_URL must be an http(s) address such as https://ceris.example.eu, not {base.geturl()!r}.")


def _instance_secret_key(instance_path):
    """The embedded default's key, made once and kept in the instance folder (readable by its owner only).

    Written to a temporary file and then hard-linked into place, which fails if
    another process got there first: every process ends up reading the same key.
    """
    import secrets
    import tempfile

    path = os.path.join(instance_path, "secret_key")
    if not os.path.exists(path):
        descriptor, temporary = tempfile.mkstemp(dir=instance_path, prefix=".secret_key-")  # mode 0600
        try:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_hex(32))
                handle.flush()
                os.fsync(handle.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    with open(path) as handle:
        key = handle.read().strip()
    if len(key) < 32:
        raise ConfigurationError(f"{path} does not hold a usable secret key: remove it to make a new one, or set SECRET_KEY.")
    return key


def _psycopg3_url(url):
    # Plain postgresql:// URLs would pick psycopg2; this project uses psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _init_extensions(app):
    from app.i18n import select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    login_manager.init_app(app)

    from app.auth import services as auth_services

    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"
    login_manager.user_loader(auth_services.load_user_from_session)

    from app.i18n import lazy_gettext as _l

    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        _sqlite_pragmas(app)


def _sqlite_pragmas(app):
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


def _register_blueprints(app):
    from app.admin.views import bp as admin_bp
    from app.api import bp as api_bp
    from app.auth.views import bp as auth_bp
    from app.contributions.views import bp as contributions_bp
    from app.main.views import bp as main_bp
    from app.notifications.views import bp as notifications_bp
    from app.projects.views import bp as projects_bp
    from app.reports.views import bp as reports_bp
    from app.reviews.views import bp as reviews_bp
    from app.subscriptions.views import bp as subscriptions_bp
    from app.workshops.views import bp as workshops_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(contributions_bp)
    app.register_blueprint(reviews_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(subscriptions_bp)
    app.register_blueprint(projects_bp)
    app.register_blueprint(workshops_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    # The API authenticates with bearer tokens, never cookies, so CSRF does not apply.
    csrf.exempt(api_bp)


# Every model module, so Alembic and create_all see the whole schema.
from app.auth import models as _auth_models  # noqa: E402,F401
from app.background import models as _background_models  # noqa: E402,F401
from app.community import models as _community_models  # noqa: E402,F401
from app.contributions import models as _contribution_models  # noqa: E402,F401
from app.mail import models as _mail_models  # noqa: E402,F401
from app.notifications import models as _notification_models  # noqa: E402,F401
from app.projects import models as _project_models  # noqa: E402,F401
from app.reports import models as _report_models  # noqa: E402,F401
from app.reviews import models as _review_models  # noqa: E402,F401
from app.subscriptions import models as _subscription_models  # noqa: E402,F401
from app.workflow import models as _workflow_models  # noqa: E402,F401
from app.workshops import models as _workshop_models  # noqa: E402,F401
