from django.urls import include, path

from assurance.views import organisation_records as organisation_record_views
from assurance.views import reviews as review_views

app_name = "assurance"

# Each area's URLs are listed here, beside its views: findings and corrective
# actions, internal audits, management reviews, an organisation's own lifecycle
# records.
review_organisation_urls = [
    path("reviews/", review_views.organisation_reviews, name="organisation_reviews"),
    path("reviews/new/", review_views.review_create, name="review_create"),
    path(
        "lifecycle/",
        organisation_record_views.organisation_records,
        name="organisation_records",
    ),
    path(
        "lifecycle/<slug:stage>/",
        organisation_record_views.organisation_record_edit,
        name="organisation_record_edit",
    ),
]
review_urls = [
    path("", review_views.review_detail, name="review_detail"),
    path("edit/", review_views.review_edit, name="review_edit"),
    path(
        "actions/new/", review_views.review_action_create, name="review_action_create"
    ),
]

urlpatterns: list = [
    path("mine/", review_views.my_assurance, name="my_assurance"),
    path("organisations/<slug:slug>/", include(review_organisation_urls)),
    path("reviews/<int:pk>/", include(review_urls)),
    path(
        "reviews/<int:review_pk>/actions/<int:pk>/",
        review_views.review_action_edit,
        name="review_action_edit",
    ),
    path(
        "relationships/<slug:reference>/reviews/",
        review_views.relationship_reviews,
        name="relationship_reviews",
    ),
]
