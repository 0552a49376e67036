"""Placeholder: replaced by the ops blueprint."""

from flask import Blueprint

bp = Blueprint("ops", __name__)
