"""The app as `make serve` (gunicorn) loads it: never with the in-process scheduler — the
one scheduler is `flask --app app tracker scheduler` (`make scheduler`)."""
from tracker import create_app

app = create_app({"scheduler": {"enabled": False}})
