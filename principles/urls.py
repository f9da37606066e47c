from django.urls import path

from principles import views

app_name = "principles"

urlpatterns = [
    path("", views.CatalogueView.as_view(), name="catalogue"),
    path("<slug:key>/", views.PrincipleSetDetailView.as_view(), name="set_detail"),
]
