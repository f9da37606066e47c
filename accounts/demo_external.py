"""The demo's external auditor: a certification body's auditor with read-only
access, granted by Calder's admin, to the Calder supplier programme (so the demo
shows that a grantee reads Calder's own records and never a supplier's)."""

from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.models import ExternalAccessGrant
from accounts.tokens import invitation_token_new
from relationships.models import Organisation, Relationship

DEMO_EXTERNAL_USERNAME = "erin.audit"
DEMO_EXTERNAL_EMAIL = "erin.audit@northcert.example.org"
DEMO_EXTERNAL_ORGANISATION = "calder-engineering"
DEMO_EXTERNAL_RELATIONSHIP = "lmsme-calder-suppliers"
DEMO_EXTERNAL_GRANTED_BY = "claire.calder"
DEMO_EXTERNAL_DAYS = 180


def demo_external_auditor_load(*, password: str, result: Any) -> None:
    """Create the external auditor's account and accepted grant if missing; never
    change existing rows. `result` (relationships.demo.DemoLoadResult) counts
    what was created."""
    user_model = get_user_model()
    user = user_model.objects.filter(username=DEMO_EXTERNAL_USERNAME).first()
    if user is None:
        user = user_model.objects.create(
            username=DEMO_EXTERNAL_USERNAME,
            first_name="Erin",
            last_name="Audit",
            email=DEMO_EXTERNAL_EMAIL,
            password=make_password(password),
        )
        result.add(model=user_model)
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        result.add(model=EmailAddress)
    if ExternalAccessGrant.objects.filter(accepted_by=user).exists():
        return
    organisation = Organisation.objects.get(slug=DEMO_EXTERNAL_ORGANISATION)
    relationship = Relationship.objects.get(reference=DEMO_EXTERNAL_RELATIONSHIP)
    granted_by = user_model.objects.get(username=DEMO_EXTERNAL_GRANTED_BY)
    now = timezone.now()
    grant = ExternalAccessGrant(
        organisation=organisation,
        name="Erin Audit (NorthCert certification)",
        email=DEMO_EXTERNAL_EMAIL,
        token_digest=invitation_token_new()[1],
        invited_by=granted_by,
        sent_at=now,
        send_count=1,
        accepted_at=now,
        accepted_by=user,
        ends_on=timezone.localdate() + timedelta(days=DEMO_EXTERNAL_DAYS),
    )
    grant.full_clean()
    grant.save()
    grant.relationships.set([relationship])
    result.add(model=ExternalAccessGrant)
