from allauth.account import views as account_views
from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView, TemplateView

from assessments.views.stylesheets import chart_css

# The admin site logs in through allauth's login, so that its rate limits and
# MFA apply there too: /admin/ is no side door.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="relationships:list"), name="home"),
    # The names the app (LOGIN_URL, templates, tests) uses, on allauth's views.
    path("accounts/login/", account_views.login, name="login"),
    path("accounts/logout/", account_views.logout, name="logout"),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("relationships.urls")),
    path("", include("assessments.urls")),
    path("principles/", include("principles.urls")),
    path("assurance/", include("assurance.urls")),
    path("admin/", admin.site.urls),
    # Styles made from code (the risk bands of relationships/risks.py, pygal's
    # chart styles), linked by pages that may not carry inline styles.
    path(
        "css/risk-bands.css",
        TemplateView.as_view(
            template_name="relationships/partials/risk_band_styles.html",
            content_type="text/css; charset=utf-8",
        ),
        name="risk_band_styles",
    ),
    path("css/charts.css", chart_css, name="chart_styles"),
]
