"""Forms of the registers. Each takes the relationship, so that owners, partners
and risks on offer are only those of that relationship."""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.core.exceptions import ValidationError

from config.forms import ModelForm
from relationships.access import (
    AnyUser,
    default_privacy,
    relationship_owner_candidates,
    viewer_audience,
    visible_records,
)
from relationships.choices import Visibility
from relationships.forms import DATE_WIDGET
from relationships.forms.concurrency import RevisionFormMixin
from relationships.models import Action, Objective, Partnership, Relationship, Risk
from relationships.selectors.registers import IMPACT_LABELS, LIKELIHOOD_LABELS
from relationships.services.registers import REVISION_REASON_MAX_LENGTH

# Long enough for real notes; short enough that a pasted document is refused.
LONG_TEXT_MAX_LENGTH = 5000


def _long_text(label: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=LONG_TEXT_MAX_LENGTH,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


def _scale_field(label: str, labels: dict[int, str], help_text: str) -> Any:
    return forms.TypedChoiceField(
        label=label,
        coerce=int,
        choices=[("", "Choose…")]
        + [(value, f"{value} – {name}") for value, name in labels.items()],
        help_text=help_text,
        error_messages={
            "invalid_choice": f"Choose the {label.lower()}, from 1 to 5.",
            "required": f"Choose the {label.lower()}, from 1 to 5.",
        },
    )


PRIVACY_LABELS = {"visibility": "Who sees it", "shared_with": "Also shared with"}
PRIVACY_HELP = {
    "visibility": (
        "Joint: every partner sees it. Private: only the people of its own "
        "partner, and of the partners ticked below. A joint or common entry is "
        "always seen by every partner."
    ),
    "shared_with": (
        "For a private entry: the partners that may read it too (they cannot "
        "change it). In a programme with several suppliers, the lead partner is "
        "ticked by default and other suppliers never see it unless ticked here."
    ),
}


class RegisterForm(RevisionFormMixin, ModelForm):
    """Shared set-up: the relationship scopes the choices; crispy lays out the
    fields in rows, and the template adds the form tag and its buttons."""

    submit_label = "Save"
    partner_field_name = ""
    layout_rows: tuple[tuple[str, ...], ...] = ()

    def __init__(
        self,
        *args: Any,
        relationship: Relationship,
        user: AnyUser | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.relationship = relationship
        self.user = user
        partner_field = self.fields.get(self.partner_field_name)
        if partner_field is not None:
            partner_field.queryset = relationship.partnerships.select_related(
                "organisation"
            )
            partner_field.label_from_instance = lambda partnership: (
                partnership.organisation.name
            )
        if "shared_with" in self.fields:
            self._set_up_privacy()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.render_hidden_fields = True  # the revision
        self.helper.layout = Layout(
            *(
                Row(*(Column(name, css_class="col-md") for name in row))
                if len(row) > 1
                else row[0]
                for row in self.layout_rows
                if all(name in self.fields for name in row)
            )
        )

    def _set_up_privacy(self) -> None:
        shared_with = self.fields["shared_with"]
        shared_with.queryset = self.relationship.partnerships.select_related(
            "organisation"
        )
        shared_with.label_from_instance = lambda partnership: (
            partnership.organisation.name
        )
        shared_with.widget = forms.CheckboxSelectMultiple()
        shared_with.widget.choices = shared_with.choices
        if self.instance.pk is None:
            # In a programme of several partners a new entry starts as its
            # author's partner's own, private as that partner's records are by
            # default (a supplier's shared with the lead): never "joint owner,
            # private", which cannot be.
            owner = self._author_partnership()
            if owner is not None:
                self.initial.setdefault(self.partner_field_name, owner.pk)
            visibility, leads = default_privacy(
                relationship=self.relationship, owner=owner
            )
            self.initial.setdefault("visibility", visibility)
            self.initial.setdefault("shared_with", [lead.pk for lead in leads])
        else:
            self.initial["shared_with"] = [
                partnership.pk for partnership in self.instance.shared_with.all()
            ]
        if self.is_bound and "visibility" not in self.data:
            # A post without the privacy fields (an older page, a script) keeps
            # what the form started from: the record's own, or the default.
            data = self.data.copy()
            data["visibility"] = self.initial.get(
                "visibility", self.instance.visibility
            )
            data.setlist(
                "shared_with",
                [str(pk) for pk in self.initial.get("shared_with", [])],
            )
            self.data = data

    def _author_partnership(self) -> Partnership | None:
        """The author's partner when a new entry's owner should default to it: in
        a relationship of more than two partners, for an author of exactly one."""
        partner_field = self.fields.get(self.partner_field_name)
        if self.user is None or partner_field is None:
            return None
        partnerships = list(partner_field.queryset)
        if len(partnerships) <= 2:
            return None
        audience = viewer_audience(user=self.user, relationship=self.relationship)
        own = [
            partnership for partnership in partnerships if partnership.pk in audience
        ]
        return own[0] if len(own) == 1 else None

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        if "shared_with" not in self.fields:
            return cleaned_data
        if not cleaned_data.get(self.partner_field_name):
            # A common entry belongs to no one partner: it is always joint.
            cleaned_data["visibility"] = Visibility.JOINT
            cleaned_data["shared_with"] = []
        return cleaned_data


class ObjectiveForm(RegisterForm):
    partner_field_name = "owner"
    submit_label = "Save objective"
    layout_rows = (
        ("title",),
        ("description",),
        ("owner", "horizon"),
        ("visibility", "shared_with"),
        ("milestone_date", "status"),
        ("kpi_name", "kpi_unit"),
        ("kpi_target", "kpi_actual"),
        ("reason",),
    )

    description = _long_text("Description")

    class Meta:
        model = Objective
        fields = [
            "owner",
            "title",
            "description",
            "horizon",
            "milestone_date",
            "status",
            "kpi_name",
            "kpi_unit",
            "kpi_target",
            "kpi_actual",
            "visibility",
            "shared_with",
        ]
        labels = {
            "owner": "Whose objective",
            "milestone_date": "Milestone date",
            **PRIVACY_LABELS,
        }
        help_texts = {
            **PRIVACY_HELP,
            "owner": (
                "A common objective is shared by all partners; otherwise pick the "
                "partner whose own objective this is."
            ),
            "horizon": "Short: within a year; medium: one to three; long: beyond.",
            "milestone_date": "When the next milestone towards it is due.",
            "kpi_name": "How progress is measured, e.g. 'joint publications'.",
            "kpi_target": "The value that counts as achieved.",
            "kpi_actual": "The value reached so far.",
        }
        widgets = {"milestone_date": DATE_WIDGET}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].empty_label = "Common objective (all partners)"

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        has_values = any(
            cleaned_data.get(name) is not None for name in ("kpi_target", "kpi_actual")
        )
        if has_values and not cleaned_data.get("kpi_name"):
            self.add_error("kpi_name", "Name the KPI that these values measure.")
        return cleaned_data


class ObjectiveRevisionForm(ObjectiveForm):
    """Editing an agreed objective is a revision: it needs a reason."""

    submit_label = "Save revision"
    stale_excluded_fields = ("reason",)

    reason = forms.CharField(
        label="Reason for the revision",
        max_length=REVISION_REASON_MAX_LENGTH,
        help_text=(
            "Why the partners are changing this objective. Kept in the revision "
            "history with your name and the date."
        ),
        error_messages={"required": "Say why the objective is being revised."},
    )

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        if not self.errors and not self.objective_changes():
            raise ValidationError("Nothing was changed, so there is nothing to revise.")
        return cleaned_data

    def objective_changes(self) -> dict[str, Any]:
        return self.record_changes()


class RiskForm(RegisterForm):
    partner_field_name = "owner_partnership"
    submit_label = "Save risk"
    layout_rows = (
        ("title",),
        ("description",),
        ("owner_partnership", "status"),
        ("visibility", "shared_with"),
        ("likelihood", "impact"),
        ("mitigation",),
        ("owner", "review_date"),
    )

    description = _long_text("Description")
    mitigation = _long_text(
        "Mitigation", "What the partners do to make it less likely or less harmful."
    )
    likelihood = _scale_field(
        "Likelihood", LIKELIHOOD_LABELS, "How likely it is to happen."
    )
    impact = _scale_field("Impact", IMPACT_LABELS, "How much harm it would do.")

    class Meta:
        model = Risk
        fields = [
            "owner_partnership",
            "title",
            "description",
            "likelihood",
            "impact",
            "mitigation",
            "owner",
            "review_date",
            "status",
            "visibility",
            "shared_with",
        ]
        field_classes = {"owner": OwnerChoiceField}
        labels = {
            "owner_partnership": "Whose risk",
            "owner": "Risk owner",
            **PRIVACY_LABELS,
        }
        help_texts = {
            **PRIVACY_HELP,
            "owner_partnership": (
                "A joint risk affects the relationship as a whole; otherwise pick "
                "the partner it affects."
            ),
            "owner": "A working member of one of the partner organisations.",
            "review_date": "When the partners look at it again.",
        }
        widgets = {"review_date": DATE_WIDGET}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_partnership"].empty_label = "Joint risk (all partners)"
        self.fields["owner"].queryset = relationship_owner_candidates(
            relationship=self.relationship
        )
        self.fields["owner"].empty_label = "Nobody named yet"


class ActionForm(RegisterForm):
    """Takes the user too: only risks the user may see can be linked."""

    partner_field_name = "owner_partnership"
    submit_label = "Save action"
    layout_rows = (
        ("title",),
        ("description",),
        ("owner_partnership",),
        ("visibility", "shared_with"),
        ("owner", "due_date", "status"),
        ("source", "principle_key", "risk"),
    )

    description = _long_text("Description")

    class Meta:
        model = Action
        fields = [
            "owner_partnership",
            "visibility",
            "shared_with",
            "title",
            "description",
            "owner",
            "due_date",
            "status",
            "source",
            "principle_key",
            "risk",
        ]
        field_classes = {"owner": OwnerChoiceField}
        labels = {
            "owner_partnership": "Whose action",
            "risk": "Risk it answers",
            "principle_key": "Principle",
            **PRIVACY_LABELS,
        }
        help_texts = {
            **PRIVACY_HELP,
            "owner_partnership": (
                "A joint action is the relationship's as a whole; otherwise pick "
                "the partner whose own action this is."
            ),
            "owner": "A working member of one of the partner organisations.",
            "principle_key": "The principle this action improves, if any.",
            "risk": "A risk of this relationship that the action reduces, if any.",
            "status": "Marking it done records when; reopening clears that.",
        }
        widgets = {"due_date": DATE_WIDGET}

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["owner"].queryset = relationship_owner_candidates(
            relationship=self.relationship
        )
        self.fields["owner"].empty_label = "Nobody named yet"
        self.fields["owner_partnership"].empty_label = "Joint action (all partners)"
        self.fields["risk"].queryset = self.relationship.risks.filter(
            visible_records(user, Risk)
        ).order_by("title")
        self.fields["risk"].empty_label = "No linked risk"
        if self.instance.risk_id is not None and not self.fields[
            "risk"
        ].queryset.filter(pk=self.instance.risk_id):
            # Another partner's private risk: kept as it is, never named here.
            hidden_risk = forms.ModelChoiceField(
                queryset=Risk.objects.filter(pk=self.instance.risk_id),
                label="Risk it answers",
                empty_label=None,
                disabled=True,
                required=False,
                help_text="Only its partner sees this risk or changes the link.",
            )
            hidden_risk.label_from_instance = lambda risk: (
                "A private risk of another partner"
            )
            self.fields["risk"] = hidden_risk
        self.fields["principle_key"].choices = [
            ("", "No particular principle"),
            *self.fields["principle_key"].choices[1:],
        ]
