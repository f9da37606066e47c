from django.urls import path  # noqa: F401  (used by the blocks below)

app_name = "assessments"

# Mounted at the site root, like relationships.urls.
urlpatterns = []

# --- assessments: self and joint ratings ---
urlpatterns += []
# --- end assessments ---

# --- reports: PDF reports, schedules, subscriptions ---
urlpatterns += []
# --- end reports ---
