"""The pay page routes (/pay/<token>/): public, the token is the credential."""

from django.urls import URLPattern, URLResolver, path

from payments import pay_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("pay/<str:token>/", pay_views.pay_page, name="pay_page"),
    path("pay/<str:token>/pdf/", pay_views.pay_page_pdf, name="pay_page_pdf"),
]
