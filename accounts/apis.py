"""Signing in and "me": the signed-in person and their own actions."""

from typing import Any, NoReturn

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.serializers import TokenLoginSerializer, TokenSerializer
from accounts.throttles import LoginAccountThrottle, LoginAddressThrottle, sign_in_wait_message
from actions import selectors
from actions.apis import ACTION_ORDERING
from actions.filters import ActionFilter
from actions.models import Action
from actions.serializers import ActionSerializer, MeSerializer


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


class MyActionsApi(generics.ListAPIView):
    """Your actions, as owner or supporting owner, with the filters of ``/api/actions/``."""

    serializer_class = ActionSerializer
    filterset_class = ActionFilter
    ordering_fields = ACTION_ORDERING

    def get_queryset(self) -> QuerySet[Action]:
        return selectors.actions_of(self.request.user)
