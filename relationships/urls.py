from django.urls import path

from relationships import views

app_name = "relationships"

urlpatterns = [
    path("", views.RelationshipListView.as_view(), name="list"),
    path("<slug:reference>/", views.RelationshipDetailView.as_view(), name="detail"),
    path("<slug:reference>/edit/", views.relationship_edit, name="edit"),
]
