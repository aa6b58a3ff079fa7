from arhub.views.empty import EmptySectionView


class DisputesView(EmptySectionView):
    heading = "Disputes"
    lede = "When a customer questions an invoice."
    points = (
        "Their reason, the lines concerned, their message and attachments.",
        "Reminders for a disputed invoice pause until you resolve it.",
        "Reply, adjust with a credit note, or explain, and keep the whole thread.",
    )
    action_label = "Back to the dashboard"
    action_url = "dashboard"
