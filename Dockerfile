# syntax=docker/dockerfile:1

FROM python:3.11-slim-bookworm AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

# With only pyproject.toml present no package is found, so this installs just the runtime
# dependencies (not the `dev` extra) in a layer that is rebuilt only when pyproject.toml changes.
# The code itself runs from /app in the final stage: templates/ live outside the packages.
WORKDIR /src
COPY pyproject.toml .
RUN pip install --no-cache-dir .


FROM python:3.11-slim-bookworm

# WeasyPrint loads Pango, HarfBuzz and fontconfig at run time; DejaVu gives invoices a font.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --system --create-home --uid 10001 --user-group arhub

COPY --from=build /opt/venv /opt/venv

# WEB_CONCURRENCY is gunicorn's worker count; 3 suits a 1-2 CPU container, raise it with the CPUs.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=arhub.settings.production \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/media \
    WEB_CONCURRENCY=3

WORKDIR /app
COPY . .

# Production settings refuse to load without these; collectstatic touches neither the database
# nor Redis, so placeholders do, and they stay out of the image's environment.
RUN SECRET_KEY=collectstatic-only \
    ENCRYPTION_KEYS=collectstatic-only \
    DATABASE_URL=postgresql://collectstatic@localhost/collectstatic \
    REDIS_URL=redis://localhost:6379/0 \
    SITE_URL=http://localhost \
    DEFAULT_FROM_EMAIL=collectstatic@localhost \
    ALLOWED_HOSTS=localhost \
    EMAIL_BACKEND=django.core.mail.backends.dummy.EmailBackend \
    python manage.py collectstatic --noinput \
    && mkdir -p "$MEDIA_ROOT" \
    && chown arhub:arhub "$MEDIA_ROOT"

USER arhub
EXPOSE 8000

# /dev/shm keeps gunicorn's worker heartbeat files off the container's overlay filesystem.
CMD ["gunicorn", "arhub.wsgi:application", "--bind", "0.0.0.0:8000", "--worker-tmp-dir", "/dev/shm", "--access-logfile", "-"]
