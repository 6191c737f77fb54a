"""The API's blueprint, apart from app/api/__init__.py so the modules that add routes to it do not import the package that imports them."""

from flask import Blueprint

bp = Blueprint("api", __name__)
