"""Forms of the reports pages: which period to report on, re-issuing a report,
and the schedule."""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from assessments.choices import ReportDistribution
from assessments.models import AssessmentSchedule
from assessments.selectors.reports import ReportPeriod
from config.forms import Form, ModelForm
from relationships.forms.concurrency import RevisionFormMixin


class ReportRequestForm(Form):
    """Pick one of the relationship's finished periods (final joint assessment)."""

    period = forms.ChoiceField(
        label="Period",
        help_text=(
            "Only periods whose joint assessment is final can be reported on. The "
            "report shows the relationship as it stood at the period's end, with "
            "the plan version then in force."
        ),
        error_messages={
            "invalid_choice": (
                "Choose one of the listed periods: a report needs the period's "
                "joint assessment to be final."
            ),
            "required": "Choose the period to report on.",
        },
    )
    distribution = forms.ChoiceField(
        label="Meant for",
        choices=ReportDistribution.choices,
        initial=ReportDistribution.PARTNERS_AND_AUDITORS,
        required=False,
        help_text="Printed as a restriction marking on every page of the report.",
    )

    def __init__(
        self, *args: Any, periods: list[ReportPeriod], action: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.periods_by_value = {period.value: period for period in periods}
        self.fields["period"].choices = [
            (period.value, period.label) for period in periods
        ]
        if periods and not self.is_bound:
            self.initial.setdefault("period", periods[0].value)
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.add_input(Submit("generate", "Generate report"))

    def clean_period(self) -> ReportPeriod:
        return self.periods_by_value[self.cleaned_data["period"]]

    def clean_distribution(self) -> str:
        return (
            self.cleaned_data["distribution"]
            or ReportDistribution.PARTNERS_AND_AUDITORS
        )


class ReportReissueForm(Form):
    """Why a report is re-issued (printed in the new issue), and for whom."""

    reason = forms.CharField(
        label="Reason for the re-issue",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=(
            "Printed in the new issue, e.g. “Evidence for principle 4 was missing "
            "from the joint assessment”."
        ),
        error_messages={
            "required": (
                "Say why the report is re-issued: the reason is printed in the "
                "new issue."
            )
        },
    )
    distribution = forms.ChoiceField(
        label="Meant for",
        choices=ReportDistribution.choices,
        help_text="Printed as a restriction marking on every page of the new issue.",
    )

    def __init__(self, *args: Any, action: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.add_input(Submit("reissue", "Re-issue the report"))


class AssessmentScheduleForm(RevisionFormMixin, ModelForm):
    """How often the relationship is assessed, and how long partners have."""

    revision_on_create = True  # two first saves must not both win

    class Meta:
        model = AssessmentSchedule
        fields = ["cadence", "grace_days", "active"]
        labels = {
            "cadence": "Assess every",
            "grace_days": "Days to complete after a period ends",
            "active": "Open assessments and send reminders automatically",
        }
        help_texts = {
            "cadence": (
                "Periods follow the calendar: months, quarters (January, April, July, "
                "October), half-years or years."
            ),
            "grace_days": (
                "Relationship managers are reminded when a period ends, and once "
                "more when this many days have passed without the assessments."
            ),
        }

    def __init__(self, *args: Any, action: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grace_days"].min_value = 1
        self.fields["grace_days"].max_value = 365
        self.fields["grace_days"].widget.attrs.update({"min": 1, "max": 365})
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.add_input(Submit("save", "Save schedule"))

    def clean_grace_days(self) -> int:
        grace_days = self.cleaned_data["grace_days"]
        if not 1 <= grace_days <= 365:
            raise forms.ValidationError("Give between 1 and 365 days.")
        return grace_days
