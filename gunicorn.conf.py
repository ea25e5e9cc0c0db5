"""gunicorn settings (used by the Procfile and scripts/serve).

Binds ``0.0.0.0:$PORT`` (default 8050) with ``WEB_CONCURRENCY`` workers (default 2). Every worker must
share one SECRET_KEY (it signs sessions and background-job handles): when the environment has none,
one is made here, in the master process, before the workers are forked.
"""

import os
import secrets

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8050')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# One thread per worker: local background jobs are forked from the worker, and a fork taken while
# another thread of the worker held the job store's SQLite lock left the job waiting (seen ~1 in 3
# runs with 2 threads). Scale with WEB_CONCURRENCY instead.
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
# Access logs would carry dataset tokens in query strings; log the method, path and status only.
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
# The error log writes whole URIs on a worker timeout or a failed request: query strings and tokens out.
logger_class = "dashboard.logs.RedactingLogger"
# gunicorn 27 puts every instance's control socket at $HOME/.gunicorn/gunicorn.ctl: a second instance on the
# host replaces the first's, and stopping one deletes it. Off, unless GUNICORN_CONTROL_SOCKET names a
# path for this instance alone.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True

# One OpenMP/BLAS thread per worker: several workers each using every core slow each other down.
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

if not os.environ.get("SECRET_KEY"):
    os.environ["SECRET_KEY"] = secrets.token_hex(32)
