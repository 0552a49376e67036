"""Placeholder: replaced by the public blueprint."""

from flask import Blueprint

bp = Blueprint("public", __name__)
