"""The Celery application. The beat schedule lives here, in code, so it is reviewed like code."""

from datetime import timedelta

from celery import Celery

from arhub.env import env_int

# DJANGO_SETTINGS_MODULE is not defaulted here: this module is imported with the arhub package,
# and a default set in os.environ would leak into every process started from one that merely
# imported arhub (the test runner would then run on development settings).
app = Celery("arhub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Messaging is a package inside the core app, which autodiscovery (one tasks module per app)
# does not look into.
app.autodiscover_tasks(["arhub.messaging"])

app.conf.beat_schedule = {
    "purge-expired-invitations": {
        "task": "arhub.tasks.invitations_purge_expired",
        "schedule": timedelta(hours=6),
    },
    # Messages whose send task was lost or gave up during a provider outage go out again.
    "requeue-stale-messages": {
        "task": "arhub.messaging.tasks.messages_requeue_stale",
        "schedule": timedelta(minutes=5),
    },
    # Confirmed customer imports whose task never reached a worker (broker down) run again.
    "requeue-stale-customer-imports": {
        "task": "invoicing.tasks.customer_imports_requeue_stale",
        "schedule": timedelta(minutes=10),
    },
    # Zips of invoice PDFs whose task never arrived, or whose worker died, run again.
    "requeue-stale-invoice-zips": {
        "task": "invoicing.bulk_tasks.invoice_zips_requeue_stale",
        "schedule": timedelta(minutes=10),
    },
    "purge-expired-invoice-zips": {
        "task": "invoicing.bulk_tasks.invoice_zips_purge_expired",
        "schedule": timedelta(hours=6),
    },
    # Recurring invoices whose next period has come in their organization's calendar.
    "issue-recurring-invoices": {
        "task": "invoicing.recurring_tasks.recurring_invoices_sweep",
        "schedule": timedelta(minutes=15),
    },
    # Stripe events stored but not applied 5 minutes on (their task was lost) are queued again.
    "requeue-stale-stripe-events": {
        "task": "payments.tasks.stripe_events_requeue_stale",
        "schedule": timedelta(minutes=5),
    },
    # Reminder steps that came due; one sweep at a time (an advisory lock), so a second beat
    # started by mistake does nothing.
    "sweep-reminders": {
        "task": "reminders.tasks.reminders_sweep_task",
        "schedule": timedelta(minutes=env_int("REMINDER_SWEEP_MINUTES", default=5, minimum=1)),
    },
    # Late fees, once per period in each organization's calendar: hourly, so each organization
    # is charged soon after its own midnight; a run that finds nothing new due writes nothing.
    "apply-late-fees": {
        "task": "payments.tasks.late_fees_sweep",
        "schedule": timedelta(hours=1),
    },
    # Promises to pay still unpaid past their grace days are broken (the owner is told and
    # reminders resume); hourly, so each organization's are judged soon after its midnight.
    "sweep-promises": {
        "task": "payments.tasks.promises_sweep_task",
        "schedule": timedelta(hours=1),
    },
    # Payment plans with an instalment unpaid past the grace days are broken (the owner is told
    # and the invoices go back to the normal reminders); hourly, for each organization's midnight.
    "sweep-payment-plans": {
        "task": "payments.tasks.plans_sweep_task",
        "schedule": timedelta(hours=1),
    },
    # Dispute attachments whose transaction rolled back after they were written to disk.
    "remove-orphan-dispute-files": {
        "task": "disputes.tasks.dispute_attachment_orphans_sweep",
        "schedule": timedelta(hours=6),
    },
    # Export files past EXPORT_KEEP_DAYS are deleted (the job stays, marked expired).
    "expire-export-files": {
        "task": "metrics.tasks.export_jobs_expire_task",
        "schedule": timedelta(days=1),
    },
    # Exports whose task never reached a worker (broker down), or whose worker died, run again.
    "requeue-stale-exports": {
        "task": "metrics.tasks.export_jobs_requeue_stale_task",
        "schedule": timedelta(minutes=10),
    },
    # Members' monthly report emails, on their day in each organization's calendar: hourly, so
    # each organization's go out soon after its own midnight; once a month each.
    "run-report-schedules": {
        "task": "metrics.tasks.report_schedules_run_task",
        "schedule": timedelta(hours=1),
    },
}
