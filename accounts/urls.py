from django.urls import include, path

from accounts import views

app_name = "accounts"

organisation_urls = [
    path("security/", views.organisation_security, name="organisation_security"),
]

urlpatterns = [
    path("organisations/<slug:slug>/", include(organisation_urls)),
]
