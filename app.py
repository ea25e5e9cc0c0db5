"""The entry points: ``gunicorn app:server`` (web) and ``celery -A app:celery_app worker`` (background jobs).

The Celery worker imports this module too, so it builds the same Dash app and knows every
background callback (with ``BACKGROUND_JOBS=celery``; see the README).
"""

from dashboard.app import celery_of, create_app

app = create_app(__name__)
server = app.server
celery_app = celery_of(app)  # None unless BACKGROUND_JOBS=celery
