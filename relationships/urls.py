from django.urls import path

from relationships.views import relationships as relationship_views

app_name = "relationships"

# Mounted at the site root: one relationship's pages live under
# relationships/<reference>/, registers across relationships at the top level.
urlpatterns = [
    path(
        "relationships/", relationship_views.RelationshipListView.as_view(), name="list"
    ),
    path(
        "relationships/<slug:reference>/",
        relationship_views.RelationshipDetailView.as_view(),
        name="detail",
    ),
    path(
        "relationships/<slug:reference>/edit/",
        relationship_views.relationship_edit,
        name="edit",
    ),
]

# --- plan editor: versions, sections, sign-off, diff, history ---
urlpatterns += []
# --- end plan editor ---

# --- registers: objectives, risks, actions ---
urlpatterns += []
# --- end registers ---

# --- lifecycle: stages, checklist, evidence, documents ---
urlpatterns += []
# --- end lifecycle ---
