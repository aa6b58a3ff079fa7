from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, URLResolver, include, path
from django.views.decorators.csrf import csrf_exempt


def bare(request: HttpRequest) -> JsonResponse:
    """The floor for any view: the full middleware stack and a JSON body, but no auth, no DB."""
    return JsonResponse({"ok": True})


@csrf_exempt
def bare_body(request: HttpRequest) -> JsonResponse:
    """The floor for a webhook: the same, reading the request body and nothing more."""
    return JsonResponse({"received": len(request.body)})


urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/bare/", bare, name="bench_bare"),
    path("bench/bare-body/", bare_body, name="bench_bare_body"),
    path("", include("arhub.urls")),
]
