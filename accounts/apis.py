"""Signing in (API tokens), "me" (the signed-in person) and the people directory.

The person's own actions (``/api/me/actions/``) are the plan's: ``actions.apis.MyActionsApi``.
"""

from typing import Any, NoReturn

from django.db.models import QuerySet
from django.http import HttpRequest
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied, Throttled, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from accounts.models import ApiToken, SignInEvent, User
from accounts.second_factor import second_factor_required
from accounts.selectors import people_directory
from accounts.serializers import (
    ApiTokenSerializer,
    DirectoryPersonSerializer,
    MeSerializer,
    PeopleSearchSerializer,
    TokenLoginSerializer,
    TokenSerializer,
)
from accounts.sign_in_records import record_sign_in
from accounts.throttles import LoginAccountThrottle, LoginAddressThrottle, sign_in_wait_message
from accounts.tokens import REVOKED_BY_OWNER, create_token, revoke_token, tokens_of

SECOND_FACTOR_NEEDED = (
    "Administrators cannot get an API token with a password alone. Sign in to the workspace "
    "with your second factor and create one on your settings page."
)
NOT_A_TOKEN = (
    "This request was not signed in with an API token, so there is none to revoke. Send the "
    'token to revoke as "Authorization: Token <token>", or revoke tokens on your settings page.'
)


# The project's error body (config.schema adds it to every schema).
ERROR_DETAIL = {"$ref": "#/components/schemas/ErrorDetail"}
RETRY_AFTER = OpenApiParameter(
    name="Retry-After",
    type=OpenApiTypes.INT,
    location=OpenApiParameter.HEADER,
    response=[429],
    description="Seconds to wait before trying again.",
)


@extend_schema_view(
    post=extend_schema(
        request=TokenLoginSerializer,
        parameters=[RETRY_AFTER],
        responses={
            200: TokenSerializer,
            403: OpenApiResponse(
                ERROR_DETAIL,
                description="An administrator must create tokens on their settings page, "
                "signed in with their second factor.",
            ),
            429: OpenApiResponse(
                ERROR_DETAIL, description="Too many attempts: wait the seconds in Retry-After."
            ),
        },
        description="A new token, each time: the secret is in this answer only. It works "
        "until it expires or is revoked.",
    ),
    delete=extend_schema(
        request=None,
        responses={204: None},
        description="Revoke the token this request is signed in with: it stops working now.",
    ),
)
class TokenApi(APIView):
    """``POST {"email", "password", "name"?}`` makes a token; ``DELETE`` revokes the one used.

    Guessing passwords is limited per email address and per network address
    (accounts.throttles): over the limit the answer is 429 with Retry-After, and the limit
    lifts by itself.
    """

    _method = ""

    def initialize_request(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Request:
        # Which authenticators apply depends on the method, which DRF asks before it sets
        # self.request (and drf-spectacular calls this with a request of its own).
        self._method = request.method or ""
        return super().initialize_request(request, *args, **kwargs)

    def _is_sign_in(self) -> bool:
        return self._method == "POST"

    def get_authenticators(self) -> list[Any]:
        # No session for the password form: a login must not need a CSRF token.
        return [] if self._is_sign_in() else super().get_authenticators()

    def get_permissions(self) -> list[Any]:
        return [AllowAny()] if self._is_sign_in() else list(super().get_permissions())

    def get_throttles(self) -> list[Any]:
        # Only guessing passwords is limited (its 429 is documented on the POST above).
        return [LoginAccountThrottle(), LoginAddressThrottle()] if self._is_sign_in() else []

    def throttled(self, request: Request, wait: float | None) -> NoReturn:
        seconds = max(1, int(-(-(wait or 1) // 1)))
        refused = Throttled(detail=sign_in_wait_message(seconds))
        # For Retry-After, without DRF's second sentence on the detail.
        refused.wait = seconds  # type: ignore[attr-defined]
        raise refused

    def post(self, request: Request) -> Response:
        serializer = TokenLoginSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        person: User = serializer.validated_data["user"]
        if second_factor_required(person):
            raise PermissionDenied(SECOND_FACTOR_NEEDED)
        token, secret = create_token(user=person, name=serializer.validated_data.get("name", ""))
        record_sign_in(
            SignInEvent.TOKEN_CREATED,
            method="api token",
            request=request,
            user=person,
            detail=token.name,
        )
        answer = {"token": secret, "name": token.name, "expires": token.expires}
        # 200, not 201, as before tokens had names: programs written then check for it.
        return Response(TokenSerializer(answer).data, status=status.HTTP_200_OK)

    def delete(self, request: Request) -> Response:
        token = request.auth
        if not isinstance(token, ApiToken):
            raise ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [NOT_A_TOKEN]})
        revoke_token(token, reason=REVOKED_BY_OWNER)
        record_sign_in(
            SignInEvent.TOKEN_REVOKED,
            method="api token",
            request=request,
            user=request.user,  # type: ignore[arg-type]
            detail=token.name,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    get=extend_schema(
        description="Your API tokens, newest first, without their secrets (which are not "
        "kept): the ones that work, and the ones that expired or were revoked.",
    )
)
class MyTokensApi(generics.ListAPIView):
    serializer_class = ApiTokenSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[ApiToken]:
        return tokens_of(self.request.user)  # type: ignore[arg-type]


class MeApi(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)


SEARCH = OpenApiParameter(
    name="search",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.QUERY,
    required=False,
    description="Words to find in the name, organisation or job title (every word must "
    "match, in any case). Administrators' searches match email addresses too.",
)


@extend_schema_view(
    get=extend_schema(
        parameters=[SEARCH],
        description="Everyone who can sign in, by name: organisation and job title for "
        "everyone signed in; the email address only for administrators, the person and "
        "the people they work with (null otherwise). Administrators also see people "
        "who can no longer sign in.",
    )
)
class PeopleApi(generics.ListAPIView):
    """The people directory, by name (docs/api.md, "People")."""

    serializer_class = DirectoryPersonSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Any]:
        query = PeopleSearchSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        search = query.validated_data.get("search", "")
        return people_directory(viewer=self.request.user, search=search)
