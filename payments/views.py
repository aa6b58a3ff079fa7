from arhub.views.empty import EmptySectionView


class PaymentsView(EmptySectionView):
    heading = "Payments"
    lede = "Every payment, applied to the right invoices."
    points = (
        "Card and bank payments made from the pay link, through your Stripe account.",
        "Cheques and bank transfers you record in a few seconds.",
        "A thank-you and a receipt to the customer for each one.",
    )
    action_label = "Review your business details"
    action_url = "settings"


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
