from django.urls import include, path

from accounts.views import sso

app_name = "accounts"

organisation_urls = [
    path("sign-on/", sso.organisation_sso, name="organisation_sso"),
]

urlpatterns = [
    path("accounts/sso/", sso.sso_start, name="sso_start"),
    path("organisations/<slug:slug>/", include(organisation_urls)),
]
