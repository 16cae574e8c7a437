"""The app as `make serve` (gunicorn) loads it: never with the in-process scheduler — the
one scheduler is `flask --app app tracker scheduler` (`make scheduler`) — and without the
commands and migrations, which only the `flask` command line needs."""
from tracker import create_app

app = create_app({"scheduler": {"enabled": False}}, web_only=True)
