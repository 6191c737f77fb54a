"""The reviews blueprint: the editor's desk (views.py) and the reviewer's pages (reviewer_views.py) both join it."""

from flask import Blueprint

bp = Blueprint("reviews", __name__)  # its command (reviews remind) is in app/cli.py
