from arhub.views.empty import EmptySectionView


class RemindersView(EmptySectionView):
    heading = "Reminders"
    lede = "Polite reminders, at a decent hour, exactly once."
    points = (
        "A friendly note before the due date, then follow-ups that stay courteous.",
        "Email and SMS in the customer's own working hours and time zone.",
        "Paused automatically for disputes, plans and promises.",
    )
    action_label = "Back to the dashboard"
    action_url = "dashboard"
