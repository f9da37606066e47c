from django.urls import include, path

from accounts.views import external, security, sso
from accounts.views import organisations as views

app_name = "accounts"

organisation_urls = [
    path("", views.organisation_profile, name="organisation_profile"),
    path("people/", views.organisation_people_view, name="organisation_people"),
    path(
        "people/<int:pk>/role/",
        views.organisation_member_role,
        name="organisation_member_role",
    ),
    path(
        "people/<int:user_id>/deactivate/",
        views.organisation_member_deactivate,
        name="organisation_member_deactivate",
    ),
    path(
        "people/<int:user_id>/reactivate/",
        views.organisation_member_reactivate,
        name="organisation_member_reactivate",
    ),
    path(
        "invitations/",
        views.organisation_invitations_view,
        name="organisation_invitations",
    ),
    path(
        "invitations/<int:pk>/resend/",
        views.organisation_invitation_resend_view,
        name="organisation_invitation_resend",
    ),
    path(
        "invitations/<int:pk>/revoke/",
        views.organisation_invitation_revoke_view,
        name="organisation_invitation_revoke",
    ),
    path("access/", views.organisation_access_view, name="organisation_access"),
    path(
        "external-access/",
        external.organisation_external_view,
        name="organisation_external",
    ),
    path(
        "external-access/<int:pk>/revoke/",
        external.organisation_external_revoke,
        name="organisation_external_revoke",
    ),
    path(
        "external-access/<int:pk>/log/",
        external.organisation_external_log,
        name="organisation_external_log",
    ),
    path("sign-on/", sso.organisation_sso, name="organisation_sso"),
    path("security/", security.organisation_security, name="organisation_security"),
]

urlpatterns = [
    path("accounts/sso/", sso.sso_start, name="sso_start"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path(
        "external-access/<str:token>/",
        external.external_grant_accept_view,
        name="external_grant_accept",
    ),
    path("organisation/", views.organisation_home, name="organisation_home"),
    path("organisations/<slug:slug>/", include(organisation_urls)),
]
