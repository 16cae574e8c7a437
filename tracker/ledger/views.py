"""Web views for ledger."""
from flask import Blueprint

bp = Blueprint("ledger", __name__)
