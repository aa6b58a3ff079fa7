"""Settings for a Celery worker that a real-process test starts in a subprocess: the test
settings, except that mail and texts go where that process's environment says (a local SMTP
server, a stand-in for Twilio). The in-memory outboxes of the test settings live in one
process, so a test could never see what a separate worker sent through them."""

from arhub.env import env_str
from arhub.settings.test import *  # noqa: F403
from arhub.settings.test import EMAIL_BACKEND as TEST_EMAIL_BACKEND
from arhub.settings.test import SMS_BACKEND as TEST_SMS_BACKEND

EMAIL_BACKEND = env_str("EMAIL_BACKEND", default=TEST_EMAIL_BACKEND)
SMS_BACKEND = env_str("SMS_BACKEND", default=TEST_SMS_BACKEND)
