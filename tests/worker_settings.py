"""Settings for the real Celery workers some tests start: the test settings, except that
mail goes where ``EMAIL_URL`` says, so a test can count what a worker sent.

``mosovo.settings.test`` keeps mail in memory (locmem), which another process cannot
read; ``EMAIL_URL=filemail:////absolute/folder`` (django-environ: four slashes for an
absolute path) writes each message to a file there instead.
"""

from mosovo.settings.test import *  # noqa: F403
from mosovo.settings.test import env

_email = env.email_url("EMAIL_URL", default="memorymail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_FILE_PATH = _email.get("EMAIL_FILE_PATH") or None
