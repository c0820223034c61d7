"""Signing in, "me" (the signed-in person) and the people directory.

The person's own actions (``/api/me/actions/``) are the plan's: ``actions.apis.MyActionsApi``.
"""

from typing import Any, NoReturn

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import people_directory
from accounts.serializers import (
    DirectoryPersonSerializer,
    MeSerializer,
    PeopleSearchSerializer,
    TokenLoginSerializer,
    TokenSerializer,
)
from accounts.throttles import LoginAccountThrottle, LoginAddressThrottle, sign_in_wait_message


class TokenLoginApi(APIView):
    """``POST {"email", "password"}`` answers ``{"token"}``; wrong details answer 400.

    Guessing is limited per email address and per network address (accounts.throttles):
    over the limit the answer is 429 with Retry-After, and the limit lifts by itself.
    """

    # No session here: a login form must not need a CSRF token.
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginAccountThrottle, LoginAddressThrottle]

    def throttled(self, request: Request, wait: float | None) -> NoReturn:
        seconds = max(1, int(-(-(wait or 1) // 1)))
        refused = Throttled(detail=sign_in_wait_message(seconds))
        # For Retry-After, without DRF's second sentence on the detail.
        refused.wait = seconds  # type: ignore[attr-defined]
        raise refused

    @extend_schema(request=TokenLoginSerializer, responses={200: TokenSerializer})
    def post(self, request: Request) -> Response:
        serializer = TokenLoginSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token, _ = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key}, status=status.HTTP_200_OK)


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
