from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, URLResolver, include, path


def bare(request: HttpRequest) -> JsonResponse:
    """The floor for any view: the full middleware stack and a JSON body, but no auth, no DB."""
    return JsonResponse({"ok": True})


urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/bare/", bare, name="bench_bare"),
    path("", include("arhub.urls")),
]
