app_name = "assurance"

# Each area's URLs are listed here, beside its views: findings and corrective
# actions, internal audits, management reviews, an organisation's own lifecycle
# records.
urlpatterns: list = []
