"""Placeholder: replaced by the api blueprint."""

from flask import Blueprint

bp = Blueprint("api", __name__)
