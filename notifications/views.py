from django.http import HttpRequest, HttpResponse, HttpResponseNotFound


def update_link(request: HttpRequest, token: str) -> HttpResponse:
    return HttpResponseNotFound()


def preferences_link(request: HttpRequest, token: str) -> HttpResponse:
    return HttpResponseNotFound()
