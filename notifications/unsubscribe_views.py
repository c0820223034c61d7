"""The unsubscribe link of reminder emails: a page to confirm on, and RFC 8058's one click.

A GET shows the page and changes nothing: mail scanners and link previews follow links, and
must not unsubscribe anyone. A POST with ``List-Unsubscribe=One-Click`` (the body a mail
program sends, and the page's button sends the same) switches the person's reminders off and
answers 200 with no redirect. No cookie is asked for or set, so no CSRF token either (a mail
program has none): the signed link is what lets the request in, and all it can do is switch
reminders off.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.models import User
from accounts.throttles import bad_link_wait, link_post_wait
from notifications.links import LinkError, preferences_url
from notifications.preferences import preference_for
from notifications.unsubscribe import (
    ONE_CLICK,
    read_unsubscribe_token,
    reminders_are_off,
    reminders_switch_off,
)

_ADVICE = (
    "Nothing has been changed. Use the link at the bottom of your latest reminder email to "
    "choose which reminders you get."
)


def _problem(
    request: HttpRequest, *, status: int, title: str, message: str, advice: str = _ADVICE
) -> HttpResponse:
    context = {"title": title, "message": message, "advice": advice}
    return render(request, "notifications/link_problem.html", context, status=status)


def _please_wait(request: HttpRequest, wait: int) -> HttpResponse:
    response = _problem(
        request,
        status=429,
        title="Please wait a moment",
        message="This link has been used too many times in a short while, so it is paused.",
        advice=f"Nothing has been changed. Wait {wait} second{'' if wait == 1 else 's'}, then "
        "try again.",
    )
    response["Retry-After"] = str(wait)
    return response


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe_link(request: HttpRequest, token: str) -> HttpResponse:
    posted = request.method == "POST"
    if posted and (wait := link_post_wait(request, token)) is not None:
        return _please_wait(request, wait)
    try:
        user_id = read_unsubscribe_token(token)
    except LinkError as error:
        if posted and (wait := bad_link_wait(request, token)) is not None:
            return _please_wait(request, wait)
        # A forged or mistyped link is an address we never gave out.
        return _problem(request, status=404, title="This link does not work", message=error.message)
    person = User.objects.filter(pk=user_id).first()
    if person is None:
        return _problem(
            request,
            status=404,
            title="This link does not work",
            message="The account this link was for no longer exists.",
        )
    if not person.is_active:
        return _problem(
            request,
            status=403,
            title="Your account has been closed",
            message="People whose account is closed get no reminders, so there is nothing to stop.",
            advice="Nothing has been changed.",
        )
    context = {"person": person, "preferences_url": preferences_url(user_id=person.pk)}
    if not posted:
        context["already_off"] = reminders_are_off(preference_for(user=person))
        return render(request, "notifications/unsubscribe_form.html", context)
    if request.POST.get(ONE_CLICK[0]) != ONE_CLICK[1]:
        return _problem(
            request,
            status=400,
            title="Your reminders have not been changed",
            message="The request did not say what to do.",
            advice="Nothing has been changed. Open the link again and use the button on the page.",
        )
    reminders_switch_off(user=person)
    return render(request, "notifications/unsubscribe_done.html", context)
