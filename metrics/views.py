from arhub.views.empty import EmptySectionView


class ReportsView(EmptySectionView):
    heading = "Reports"
    lede = "The numbers you and your accountant need."
    points = (
        "Aging by customer and by invoice, as of any date.",
        "Days sales outstanding, collection effectiveness and payment trends.",
        "Exports as CSV, XLSX and PDF, and QuickBooks and Xero formats.",
    )
    action_label = "Invite your accountant"
    action_url = "team"
