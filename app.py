"""The WSGI entry point: ``gunicorn app:server`` (see Procfile and gunicorn.conf.py)."""

from dashboard.app import create_app

app = create_app(__name__)
server = app.server
