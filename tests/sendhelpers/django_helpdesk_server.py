"""A real django-helpdesk (from PyPI) on 127.0.0.1 with SQLite, for the helpdesk tests.

Run as a child process: ``python django_helpdesk_server.py FOLDER BODY_LIMIT``. It migrates a
fresh database in FOLDER, creates a staff account ``support``/``PASSWORD`` and one queue, starts
Django's threaded WSGI server on a free port and prints one JSON line
``{"url": ..., "queue": ...}``. It serves until killed.

``BODY_LIMIT`` (bytes, 0: none) refuses larger requests with 413 before Django reads them, as
the web server in front of a real helpdesk does (nginx's ``client_max_body_size``): with one file
per follow-up that is the helpdesk's per-file limit.

``HelpdeskProcess`` starts it and reads the tickets back through Django's ORM in a second child
(``inspect``), so tests see what the helpdesk really stored.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PASSWORD = "Helpdesk-Test-2026!"
USER = "support"


def configure(folder: Path, body_limit: int = 0) -> None:
    import django
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        TIME_ZONE="UTC",
        USE_TZ=True,
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3",
                               "NAME": str(folder / "helpdesk.sqlite3"),
                               "OPTIONS": {"timeout": 30}}},
        INSTALLED_APPS=(
            "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
            "django.contrib.humanize", "django.contrib.messages", "django.contrib.sessions",
            "django.contrib.sites", "django.contrib.staticfiles", "rest_framework", "helpdesk",
        ),
        MIDDLEWARE=[
            "sendhelpers.django_helpdesk_server.BodyLimit",
            "django.middleware.security.SecurityMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
        ],
        ROOT_URLCONF="sendhelpers.django_helpdesk_server",
        TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
                    "OPTIONS": {"context_processors": [
                        "django.contrib.auth.context_processors.auth",
                        "django.template.context_processors.request",
                        "django.contrib.messages.context_processors.messages"]}}],
        STATIC_URL="/static/",
        MEDIA_ROOT=str(folder / "media"),
        SITE_ID=1,
        SECRET_KEY="report-capture-tests-only-" + "x" * 32,
        HELPDESK_TEAMS_MODEL="auth.User",
        HELPDESK_TEAMS_MIGRATION_DEPENDENCIES=[],
        HELPDESK_KBITEM_TEAM_GETTER=lambda _: None,
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        DEFAULT_FROM_EMAIL="helpdesk@example.invalid",
        REST_FRAMEWORK={"DEFAULT_AUTHENTICATION_CLASSES": [
            "rest_framework.authentication.BasicAuthentication"]},
        BODY_LIMIT=body_limit,
        DATA_UPLOAD_MAX_MEMORY_SIZE=None,
        LOGGING_CONFIG=None,
    )
    django.setup()


class BodyLimit:
    """413 for a request body over the limit, before Django reads it (a proxy's limit)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.http import HttpResponse

        limit = settings.BODY_LIMIT
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if limit and length > limit:
            request.META["wsgi.input"].read(length)  # drain, as a proxy would, then refuse
            return HttpResponse("<html><body><h1>413 Request Entity Too Large</h1></body></html>",
                                status=413, content_type="text/html")
        return self.get_response(request)


def _urlpatterns():
    from django.urls import include, path

    return [path("", include("helpdesk.urls"))]


def __getattr__(name: str):
    if name == "urlpatterns":  # ROOT_URLCONF is this module
        return _urlpatterns()
    raise AttributeError(name)


def serve(folder: Path, body_limit: int) -> None:
    configure(folder, body_limit)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application
    from helpdesk.models import Queue

    call_command("migrate", verbosity=0, interactive=False)
    user = get_user_model().objects.create_superuser(USER, "support@example.invalid", PASSWORD)
    queue = Queue.objects.create(title="2nd Level", slug="second-level", allow_public_submission=False)

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), Quiet, allow_reuse_address=False)
    server.daemon_threads = True
    server.set_app(get_wsgi_application())
    port = server.server_address[1]
    print(json.dumps({"url": f"http://127.0.0.1:{port}/", "queue": queue.id, "user": user.username}),
          flush=True)
    server.serve_forever(poll_interval=0.1)


def inspect(folder: Path) -> None:
    """Print every ticket with its attachments (as the helpdesk stored them) as JSON."""
    configure(folder)
    import hashlib

    from helpdesk.models import FollowUpAttachment, Ticket

    tickets = []
    for ticket in Ticket.objects.order_by("id"):
        files = []
        for attachment in FollowUpAttachment.objects.filter(followup__ticket=ticket).order_by("id"):
            with attachment.file.open("rb") as handle:
                data = handle.read()
            files.append({"name": attachment.filename, "size": len(data),
                          "sha256": hashlib.sha256(data).hexdigest()})
        tickets.append({"id": ticket.id, "title": ticket.title, "description": ticket.description,
                        "priority": ticket.priority, "queue": ticket.queue_id,
                        "submitter_email": ticket.submitter_email, "files": files})
    print(json.dumps(tickets))


class HelpdeskProcess:
    """``with HelpdeskProcess(tmp_path) as helpdesk:`` — ``helpdesk.url``, ``helpdesk.tickets()``."""

    def __init__(self, folder: Path, body_limit: int = 0) -> None:
        self.folder = Path(folder)
        self.body_limit = body_limit
        self.process: subprocess.Popen | None = None

    def _env(self) -> dict:
        env = dict(os.environ)
        here = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = here + os.pathsep + env.get("PYTHONPATH", "")
        return env

    def __enter__(self) -> HelpdeskProcess:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, __file__, "serve", str(self.folder), str(self.body_limit)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self._env())
        line = self.process.stdout.readline()
        if not line:
            error = self.process.stderr.read()
            self.process.wait(10)
            raise RuntimeError(f"django-helpdesk did not start: {error[-2000:]}")
        info = json.loads(line)
        self.url, self.queue, self.user = info["url"], info["queue"], info["user"]
        self.password = PASSWORD
        return self

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process.stdout.close()
            self.process.stderr.close()

    def tickets(self) -> list[dict]:
        result = subprocess.run([sys.executable, __file__, "inspect", str(self.folder)],
                                capture_output=True, text=True, env=self._env(), timeout=120)
        if result.returncode != 0:
            raise RuntimeError(result.stderr[-2000:])
        return json.loads(result.stdout)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    command, folder = sys.argv[1], Path(sys.argv[2])
    if command == "serve":
        serve(folder, int(sys.argv[3]) if len(sys.argv) > 3 else 0)
    else:
        inspect(folder)
