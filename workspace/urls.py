"""The workspace: signed-in pages for owners, leads, board members and administrators.

Every object page is found through the API's visibility selectors: a page for something the
person may not read is a 404. No personal data in any address: objects go by their ids.
"""

from django.urls import URLPattern, URLResolver, path

from workspace.views import actions, home, plans, recommendations, settings, sign_in

app_name = "workspace"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", home.home, name="home"),
    path("sign-in/", sign_in.SignInView.as_view(), name="sign-in"),
    path("sign-out/", sign_in.sign_out, name="sign-out"),
    path("published-plans/", home.public_plans, name="public-plans"),
    path("workspace/plans/", plans.plan_list, name="plans"),
    path("workspace/plans/<int:pk>/", plans.plan_detail, name="plan"),
    path("workspace/plans/<int:pk>/actions.xlsx", plans.plan_xlsx, name="plan-xlsx"),
    path("workspace/digests/<int:pk>/", plans.digest_detail, name="digest"),
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
    path("workspace/settings/api-token/revoke/", settings.revoke_api_token, name="revoke-token"),
]
