"""The workspace: signed-in pages for owners, leads, board members and administrators.

Every object page is found through the API's visibility selectors: a page for something the
person may not read is a 404. No personal data in any address: objects go by their ids.
"""

from django.urls import URLPattern, URLResolver, path

from workspace.views import (
    actions,
    home,
    password_reset,
    plans,
    recommendations,
    second_factor,
    settings,
    sign_in,
)

app_name = "workspace"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", home.home, name="home"),
    path("sign-in/", sign_in.SignInView.as_view(), name="sign-in"),
    path("sign-out/", sign_in.sign_out, name="sign-out"),
    # The second factor for staff (accounts.middleware sends them here).
    path("sign-in/second-factor/", second_factor.code_page, name="second-factor"),
    path("sign-in/second-factor/set-up/", second_factor.set_up, name="second-factor-set-up"),
    path(
        "workspace/settings/second-factor/",
        second_factor.settings_page,
        name="second-factor-settings",
    ),
    path(
        "workspace/settings/second-factor/recovery-codes/",
        second_factor.recovery_codes,
        name="second-factor-recovery-codes",
    ),
    path("password-reset/", password_reset.password_reset_request, name="password-reset"),
    path("password-reset/sent/", password_reset.password_reset_sent, name="password-reset-sent"),
    path("password-reset/done/", password_reset.password_reset_done, name="password-reset-done"),
    path(
        f"password-reset/<uidb64>/{password_reset.NEW_PASSWORD}/",
        password_reset.password_reset_new,
        name="password-reset-new",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        password_reset.password_reset_link,
        name="password-reset-link",
    ),
    path("published-plans/", home.public_plans, name="public-plans"),
    path("workspace/plans/", plans.plan_list, name="plans"),
    path("workspace/plans/<int:pk>/", plans.plan_detail, name="plan"),
    path("workspace/plans/<int:pk>/actions.xlsx", plans.plan_xlsx, name="plan-xlsx"),
    path("workspace/digests/<int:pk>/", plans.digest_detail, name="digest"),
    path("workspace/digests/<int:pk>/actions.xlsx", plans.digest_xlsx, name="digest-xlsx"),
    path(
        "workspace/recommendations/<int:pk>/",
        recommendations.recommendation_detail,
        name="recommendation",
    ),
    path(
        "workspace/measures/<int:pk>/readings/",
        recommendations.reading_create,
        name="reading-create",
    ),
    path(
        "workspace/milestones/<int:pk>/achieved/",
        recommendations.milestone_achieved,
        name="milestone-achieved",
    ),
    path("workspace/actions/<int:pk>/", actions.action_detail, name="action"),
    path("workspace/settings/", settings.settings_page, name="settings"),
    path("workspace/settings/api-tokens/new/", settings.api_token_create_view, name="token-create"),
    path(
        "workspace/settings/api-tokens/<int:pk>/revoke/",
        settings.api_token_revoke_view,
        name="token-revoke",
    ),
]
