"""Settings the benchmarks run the app with: the development settings plus a bare view."""

from arhub.settings.dev import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
WSGI_APPLICATION = "bench.wsgi.application"
# Forced off whatever the environment says: with DEBUG on Django keeps every query in memory and
# the figures would describe a server nobody runs in production.
DEBUG = False
