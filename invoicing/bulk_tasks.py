"""Celery tasks for bulk work on invoices (thin: take ids, call a service)."""
