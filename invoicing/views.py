from arhub.views.empty import EmptySectionView


class CustomersView(EmptySectionView):
    heading = "Customers"
    lede = "Everyone you bill, in one directory."
    points = (
        "Contacts, preferred channels, time zone and language for each customer.",
        "A timeline of every invoice, payment, promise and message, newest first.",
        "Import from QuickBooks or Xero CSV exports, with a preview before anything is saved.",
    )
    action_label = "Add your business details first"
    action_url = "settings"


class InvoicesView(EmptySectionView):
    heading = "Invoices"
    lede = "Clear, itemized invoices that get paid."
    points = (
        "Each line with its tax, the total, the due date and the terms in a plain sentence.",
        "A PDF and a pay link that works on a phone.",
        "Credit notes for corrections, and recurring invoices for regular work.",
    )
    action_label = "Add your business details (they print on every invoice)"
    action_url = "settings"
