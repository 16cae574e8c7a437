"""WSGI entry point: `flask --app app …` or any WSGI server pointing at app:app."""
from tracker import create_app

app = create_app()
