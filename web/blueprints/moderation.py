"""Placeholder: replaced by the moderation blueprint."""

from flask import Blueprint

bp = Blueprint("moderation", __name__)
