"""Reading a customer CSV: our own template, a QuickBooks Online customer export or a Xero
contacts export, told apart by their column names.

Bytes in, normalised rows and per-row errors out; nothing here writes. Each row goes through the
same validation the customer services apply (``invoicing.services``), so a row that passes here
is a row ``customer_create`` / ``customer_update`` accept. Matching rows to existing customers
and writing them is :mod:`invoicing.import_services`' job.

Where the layouts come from (column names as those products write them):

* QuickBooks Online: the *Customer Contact List* report exported to CSV (a few title lines, then
  ``Customer, Phone Numbers, Email, Full Name, Billing Address, ...``) and the customer list
  exported from Sales > Customers and saved as CSV (``Customer``/``Name``, ``Company``,
  ``Phone``, ``Email``, ``Terms``, ``Credit Limit``, ...).
* Xero: the contacts export / import template (``*ContactName, AccountNumber, EmailAddress,
  FirstName, LastName, POAttentionTo, ..., PhoneNumber, MobileNumber, ..., DueDateSalesDay,
  DueDateSalesTerm, ...``); Xero marks required columns with ``*``.
"""

from __future__ import annotations

from invoicing.importing.arhub_layout import TEMPLATE_COLUMNS, TEMPLATE_HELP
from invoicing.importing.cells import parse_amount
from invoicing.importing.files import (
    LAYOUT_BY_FORMAT,
    MAX_FILE_BYTES,
    MAX_ROWS,
    ImportFileError,
    customer_csv_parse,
)
from invoicing.importing.rows import CONTACT_FIELDS
from invoicing.services import CUSTOMER_FIELDS

# What the import services, views, tests and benchmark use; the rest stays inside the package.
__all__ = [
    "CONTACT_FIELDS",
    "CUSTOMER_FIELDS",
    "LAYOUT_BY_FORMAT",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "TEMPLATE_COLUMNS",
    "TEMPLATE_HELP",
    "ImportFileError",
    "customer_csv_parse",
    "parse_amount",
]
