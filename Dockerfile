# The production image for web, worker and beat (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# WeasyPrint needs Pango; fonts for the PDFs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 mosovo
WORKDIR /srv/mosovo
COPY pyproject.toml README.md ./
COPY mosovo ./mosovo
COPY caseload ./caseload
COPY arms ./arms
COPY visits ./visits
COPY supervision ./supervision
RUN pip install --no-cache-dir .
COPY manage.py ./
COPY templates ./templates
COPY static ./static
RUN DJANGO_SETTINGS_MODULE=mosovo.settings.local python manage.py collectstatic --no-input -v 0
USER mosovo
EXPOSE 8000
