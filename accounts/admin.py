from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.forms.sso import domains_parse
from accounts.models import IdentityProvider
from accounts.services import (
    identity_provider_delete,
    identity_provider_errors,
    identity_provider_save,
    sso_domain_normalise,
)
from config.forms import ModelForm


class IdentityProviderAdminForm(ModelForm):
    domains_text = forms.CharField(
        label="E-mail domains",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One a line; a domain belongs to one organisation only.",
    )

    class Meta:
        model = IdentityProvider
        fields = [
            "organisation",
            "protocol",
            "name",
            "server_url",
            "client_id",
            "client_secret",
            "enabled",
            "new_member_role",
        ]
        widgets = {"client_secret": forms.PasswordInput(render_value=True)}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["domains_text"].initial = "\n".join(self.instance.domain_names)

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        organisation = cleaned_data.get("organisation") or (
            self.instance.organisation if self.instance.pk else None
        )
        if organisation is not None and cleaned_data.get("server_url"):
            domains = [
                sso_domain_normalise(domain)
                for domain in domains_parse(cleaned_data.get("domains_text", ""))
            ]
            errors = identity_provider_errors(
                organisation=organisation,
                server_url=cleaned_data["server_url"],
                domains=domains,
            )
            for field, messages in errors.items():
                for message in messages:
                    self.add_error(
                        "domains_text" if field == "domains" else field, message
                    )
        return cleaned_data


@admin.register(IdentityProvider)
class IdentityProviderAdmin(admin.ModelAdmin):
    form = IdentityProviderAdminForm
    list_display = ["name", "organisation", "protocol", "enabled", "new_member_role"]
    list_filter = ["enabled", "protocol"]
    search_fields = ["name", "organisation__name", "domains__domain"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: IdentityProvider | None = None
    ) -> list[str]:
        # The allauth provider id is the organisation's; move it by deleting.
        return ["organisation"] if obj is not None else []

    def save_model(
        self,
        request: HttpRequest,
        obj: IdentityProvider,
        form: IdentityProviderAdminForm,
        change: bool,
    ) -> None:
        saved = identity_provider_save(
            organisation=obj.organisation,
            protocol=form.cleaned_data["protocol"],
            name=form.cleaned_data["name"],
            server_url=form.cleaned_data["server_url"],
            client_id=form.cleaned_data["client_id"],
            client_secret=form.cleaned_data["client_secret"],
            domains=domains_parse(form.cleaned_data["domains_text"]),
            enabled=form.cleaned_data["enabled"],
            new_member_role=form.cleaned_data["new_member_role"],
        )
        obj.pk = saved.pk
        obj.refresh_from_db()

    def delete_model(self, request: HttpRequest, obj: IdentityProvider) -> None:
        identity_provider_delete(identity_provider=obj)

    def delete_queryset(
        self, request: HttpRequest, queryset: QuerySet[IdentityProvider]
    ) -> None:
        for identity_provider in queryset:
            identity_provider_delete(identity_provider=identity_provider)
