"""The pay page routes (/pay/<token>/): public, the token is the credential."""

from django.urls import URLPattern, URLResolver, path

from payments import checkout_views, pay_views, statement_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("pay/<str:token>/", pay_views.pay_page, name="pay_page"),
    path("pay/<str:token>/pdf/", pay_views.pay_page_pdf, name="pay_page_pdf"),
    path("pay/checkout/<int:pk>/return/", checkout_views.checkout_return, name="checkout_return"),
    path("statement/<str:token>/", statement_views.statement_page, name="statement_page"),
    path("pay/checkout/<int:pk>/cancel/", checkout_views.checkout_cancel, name="checkout_cancel"),
]
