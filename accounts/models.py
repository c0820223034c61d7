"""People: everyone who owns, leads, governs or administers a plan signs in with their email."""

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> "User":
        # Emails are matched case-insensitively: "Jo.Bloggs@council" is the same person.
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("email address", unique=True)
    name = models.CharField(max_length=150)
    organisation = models.CharField(max_length=150, blank=True)
    job_title = models.CharField(max_length=150, blank=True)
    is_staff = models.BooleanField(
        "plan administrator",
        default=False,
        help_text="Administrators can use the admin site and see and change every plan.",
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        ordering = ["name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email

    @property
    def role_description(self) -> str:
        """Job title and organisation, for places where a name must not appear."""
        parts = [p for p in (self.job_title, self.organisation) if p]
        return ", ".join(parts) or "Officer"


class ApiToken(models.Model):
    """A named credential for the API that ends: after its expiry, or when it is revoked.

    Only a digest of the secret is kept, so a copy of the database signs no one in; the first
    characters are kept to tell a person's tokens apart in lists.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    key_digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created = models.DateTimeField(default=timezone.now)
    expires = models.DateTimeField()
    last_used = models.DateTimeField(null=True, blank=True)
    revoked = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class SignInEvent(models.TextChoices):
    SIGNED_IN = "signed_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    SECOND_FACTOR_FAILED = "second_factor_failed", "Second factor failed"
    SSO_REFUSED = "sso_refused", "Single sign-on refused"
    TOKEN_CREATED = "token_created", "API token created"
    TOKEN_REVOKED = "token_revoked", "API token revoked"
    SIGNED_OUT = "signed_out", "Signed out"


class SignInRecord(models.Model):
    """One sign-in, failed sign-in, refusal or token change, for administrators to read."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    event = models.CharField(max_length=30, choices=SignInEvent.choices)
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="sign_in_records"
    )
    # What was typed or asserted, for attempts that match no one.
    email = models.CharField(max_length=254, blank=True)
    # "password", "sso:<provider>", "api token", "second factor", ...
    method = models.CharField(max_length=60)
    address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = "sign-in record"

    def __str__(self) -> str:
        return f"{self.get_event_display()}: {self.email or self.user_id} ({self.method})"


class SsoOnlyOrganisation(models.Model):
    """People of this organisation sign in only through single sign-on: passwords are refused."""

    organisation = models.CharField(
        max_length=150,
        help_text="As written on people's records (compared without regard to case).",
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation"]
        verbose_name = "organisation that must use single sign-on"
        constraints = [
            models.UniqueConstraint(Lower("organisation"), name="sso_only_organisation_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.organisation
