"""Celery tasks for send work on invoices (thin: take ids, call a service)."""
