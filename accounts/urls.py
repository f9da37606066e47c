from django.urls import path

from accounts.views import sso

app_name = "accounts"

urlpatterns = [
    path("accounts/sso/", sso.sso_start, name="sso_start"),
    path(
        "organisations/<slug:slug>/sign-on/",
        sso.organisation_sso,
        name="organisation_sso",
    ),
]
