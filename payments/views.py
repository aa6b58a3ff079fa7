from arhub.views.empty import EmptySectionView


class PlansView(EmptySectionView):
    heading = "Plans"
    lede = "For customers who can't pay in full today."
    points = (
        "Promises to pay by a date, and payment plans built on what is still owed.",
        "Requests from customers wait here for your approval, unless your rules approve them.",
        "Reminders follow the plan instead of the original due dates.",
    )
    action_label = "Back to the dashboard"
    action_url = "dashboard"
