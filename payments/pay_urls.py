"""The customer's public pages: the pay page and the statement portal.

``/pay/<token>/`` and ``/statement/<token>/`` only trade the link's token for a pay session and
redirect; the pages themselves live under ``/pay/v/<key>/`` and ``/statement/v/<key>/``, whose
key means something only in that browser's session (``payments.pay_sessions``).
"""

from django.urls import URLPattern, URLResolver, path

from payments import (
    checkout_views,
    pay_dispute_views,
    pay_plan,
    pay_promise,
    pay_views,
    statement_views,
)

urlpatterns: list[URLPattern | URLResolver] = [
    path("pay/v/<str:key>/", pay_views.pay_view, name="pay_view"),
    path("pay/v/<str:key>/pdf/", pay_views.pay_page_pdf, name="pay_page_pdf"),
    path("pay/v/<str:key>/statement/", pay_views.pay_statement, name="pay_statement"),
    path("pay/v/<str:key>/promise/", pay_promise.pay_promise, name="pay_promise"),
    path("pay/v/<str:key>/plan/", pay_plan.pay_plan, name="pay_plan"),
    path("pay/v/<str:key>/plan/accept/", pay_plan.pay_plan_accept, name="pay_plan_accept"),
    path("pay/v/<str:key>/dispute/", pay_dispute_views.pay_dispute_new, name="pay_dispute_new"),
    path(
        "pay/v/<str:key>/dispute/<int:pk>/reply/",
        pay_dispute_views.pay_dispute_reply,
        name="pay_dispute_reply",
    ),
    path(
        "pay/v/<str:key>/dispute/<int:pk>/withdraw/",
        pay_dispute_views.pay_dispute_withdraw,
        name="pay_dispute_withdraw",
    ),
    path("pay/checkout/<int:pk>/return/", checkout_views.checkout_return, name="checkout_return"),
    path("pay/checkout/<int:pk>/cancel/", checkout_views.checkout_cancel, name="checkout_cancel"),
    path("pay/<str:token>/", pay_views.pay_page, name="pay_page"),
    path("statement/v/<str:key>/", statement_views.statement_view, name="statement_view"),
    path("statement/v/<str:key>/pdf/", statement_views.statement_pdf, name="statement_pdf"),
    path(
        "statement/v/<str:key>/invoices/<int:pk>/pdf/",
        statement_views.statement_invoice_pdf,
        name="statement_invoice_pdf",
    ),
    path("statement/<str:token>/", statement_views.statement_page, name="statement_page"),
]
