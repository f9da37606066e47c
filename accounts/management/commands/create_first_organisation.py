"""The first run in production: create the first organisation and invite its
admin by e-mail, without a shell step anybody must know (no createsuperuser)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts.models import OrganisationInvitation
from accounts.services import (
    organisation_invitation_create,
    organisation_invitation_resend,
)
from relationships.access import memberships_active
from relationships.choices import MembershipRole, MsmeSize, OrganisationKind
from relationships.models import Organisation
from relationships.services.organisations import organisation_create


class Command(BaseCommand):
    help = (
        "Create the first organisation and e-mail an invitation to its admin; the "
        "invitation link is printed too. Run once; a second run for the same "
        "organisation or address is refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="The organisation's name.")
        parser.add_argument("--kind", required=True, choices=OrganisationKind.values)
        parser.add_argument(
            "--msme-size",
            default="",
            choices=["", *MsmeSize.values],
            help="Only for --kind msme, which needs it.",
        )
        parser.add_argument("--country", default="")
        parser.add_argument("--website", default="")
        parser.add_argument(
            "--admin-email", required=True, help="Who becomes its first admin."
        )
        parser.add_argument(
            "--resend",
            action="store_true",
            help=(
                "Send the first admin's invitation again with a new link (it "
                "expired or was lost), while the organisation has no admin yet."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["name"].strip()
        email = options["admin_email"].strip().lower()
        if options["resend"]:
            self._resend(name=name, email=email)
            return
        if Organisation.objects.filter(name__iexact=name).exists():
            raise CommandError(
                f"An organisation named “{name}” exists already: the first run was "
                "done. Its admins invite people from its Invitations page; if its "
                "first admin never accepted, add --resend to send the link again."
            )
        earlier = (
            OrganisationInvitation.objects.filter(email__iexact=email)
            .select_related("organisation")
            .first()
        )
        if earlier is not None:
            raise CommandError(
                f"{email} was already invited to {earlier.organisation} "
                f"({earlier.state}): one person belongs to one organisation. Add "
                "--resend to send that invitation again, or choose another admin."
            )
        try:
            with transaction.atomic():
                organisation = organisation_create(
                    name=name,
                    kind=options["kind"],
                    msme_size=options["msme_size"],
                    country=options["country"],
                    website=options["website"],
                    admin=None,
                )
                invitation, link = organisation_invitation_create(
                    organisation=organisation,
                    email=email,
                    role=MembershipRole.ORG_ADMIN,
                    invited_by=None,
                )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            f"Created {organisation} and e-mailed an invitation to {invitation.email} "
            f"to become its admin (valid until {invitation.expires_at:%d %B %Y}).\n"
            f"Invitation link: {link}"
        )

    def _resend(self, *, name: str, email: str) -> None:
        organisation = Organisation.objects.filter(name__iexact=name).first()
        if organisation is None:
            raise CommandError(f"There is no organisation named “{name}”.")
        if (
            memberships_active()
            .filter(organisation=organisation, role=MembershipRole.ORG_ADMIN)
            .exists()
        ):
            raise CommandError(
                f"{organisation} has an admin already: its admins resend invitations "
                "from its Invitations page."
            )
        invitation = (
            OrganisationInvitation.objects.filter(
                organisation=organisation, email__iexact=email
            )
            .order_by("-created_at")
            .first()
        )
        if invitation is None:
            raise CommandError(f"{email} was never invited to {organisation}.")
        try:
            invitation, link = organisation_invitation_resend(
                invitation=invitation, user=None
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            f"Sent the invitation to {invitation.email} again; the earlier link no "
            f"longer works.\nInvitation link: {link}"
        )
