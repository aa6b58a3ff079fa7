"""Celery tasks for recurring work on invoices (thin: take ids, call a service)."""
