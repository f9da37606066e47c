"""Starting a relationship, inviting partners, a partner's own seats, leaving."""

import copy
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from relationships.access import (
    organisations_known_to,
    organisations_that_may_lead,
    partner_invitation_get_for_lead,
    partner_invitation_get_to_answer,
    partner_invitations_for_lead,
    partnership_get_for_exit,
    partnership_get_for_managing,
    partnerships_exitable_by,
    partnerships_managed_by,
    relationship_get_for_leading,
    relationship_get_for_user,
    user_can_edit_relationship,
    user_leads_relationship,
)
from relationships.choices import PartnerRole
from relationships.concurrency import StaleEdit, stale_notice
from relationships.forms.partners import (
    NewPartnerForm,
    PartnerInvitationForm,
    PartnershipExitForm,
    PartnershipForm,
    RelationshipCreateForm,
    TeamSeatEditForm,
    TeamSeatForm,
)
from relationships.models import Partnership, Relationship
from relationships.services import partners as partner_services
from relationships.services.partners import InvitationError
from relationships.services.relationships import relationship_create


def _partners_url(relationship: Relationship) -> str:
    return reverse("relationships:partners", args=[relationship.reference])


def _add_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
@require_http_methods(["GET", "POST"])
def relationship_start(request: HttpRequest) -> HttpResponse:
    leads = organisations_that_may_lead(request.user)
    if not leads.exists():
        raise PermissionDenied(
            "Only a relationship manager or an organisation admin starts a "
            "relationship."
        )
    form = RelationshipCreateForm(request.POST or None, leads=leads)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            relationship = relationship_create(
                title=data["title"],
                reference=data["reference"],
                kind=data["kind"],
                description=data["description"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                lead=data["lead"],
                user=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Relationship started. Invite its partners next.")
            return redirect(_partners_url(relationship))
    return render(request, "relationships/relationship_create.html", {"form": form})


@login_required
def relationship_partners(request: HttpRequest, reference: str) -> HttpResponse:
    relationship = relationship_get_for_user(user=request.user, reference=reference)
    partnerships = list(
        relationship.partnerships.select_related(
            "organisation", "relationship_manager", "senior_executive"
        )
    )
    seats = defaultdict(list)
    for seat in relationship.jmt_members.select_related("user"):
        seats[seat.partnership_id].append(seat)
    managed = set(
        partnerships_managed_by(
            user=request.user, relationship=relationship
        ).values_list("pk", flat=True)
    )
    exitable = set(
        partnerships_exitable_by(
            user=request.user, relationship=relationship
        ).values_list("pk", flat=True)
    )
    leads = user_leads_relationship(user=request.user, relationship=relationship)
    rows = [
        {
            "partnership": partnership,
            "seats": seats[partnership.pk],
            "can_manage": partnership.pk in managed,
            "can_exit": partnership.pk in exitable
            and partnership.role != PartnerRole.LEAD
            and not partnership.has_exited,
        }
        for partnership in partnerships
    ]
    return render(
        request,
        "relationships/partner_list.html",
        {
            "relationship": relationship,
            "rows": rows,
            "invitations": partner_invitations_for_lead(
                user=request.user, relationship=relationship
            ),
            "can_invite": leads
            and user_can_edit_relationship(
                user=request.user, relationship=relationship
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def partner_invite(request: HttpRequest, reference: str) -> HttpResponse:
    relationship = relationship_get_for_leading(user=request.user, reference=reference)
    form = PartnerInvitationForm(
        request.POST or None,
        relationship=relationship,
        known_organisations=organisations_known_to(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation = partner_services.partner_invitation_create(
                relationship=relationship,
                invited_by=request.user,
                organisation=data["organisation"],
                email=data["email"],
                contact_name=data["contact_name"],
                organisation_name=data["organisation_name"],
                message=data["message"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if data["organisation"] is None and invitation.organisation_id:
                messages.success(
                    request,
                    f"{data['email']} belongs to {invitation.organisation}, which "
                    "uses Partnerplan already: the invitation went to its admins.",
                )
            else:
                messages.success(
                    request, f"Invitation sent to {invitation.invitee_name}."
                )
            return redirect(_partners_url(relationship))
    return render(
        request,
        "relationships/partner_invite.html",
        {"relationship": relationship, "form": form},
    )


def _confirm(
    request: HttpRequest, *, relationship: Relationship | None, **context: Any
) -> HttpResponse:
    return render(
        request,
        "relationships/partner_confirm.html",
        {"relationship": relationship, **context},
    )


@login_required
@require_http_methods(["GET", "POST"])
def partner_invitation_resend(
    request: HttpRequest, reference: str, pk: int
) -> HttpResponse:
    invitation = partner_invitation_get_for_lead(
        user=request.user, reference=reference, pk=pk
    )
    relationship = invitation.relationship
    if request.method == "GET":
        return _confirm(
            request,
            relationship=relationship,
            heading=f"Send the invitation to {invitation.invitee_name} again?",
            text="A new link replaces the old one, which stops working.",
            button="Send again",
            cancel_url=_partners_url(relationship),
        )
    try:
        partner_services.partner_invitation_resend(
            invitation=invitation, user=request.user
        )
    except InvitationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"Invitation sent again to {invitation.invitee_name}."
        )
    return redirect(_partners_url(relationship))


@login_required
@require_http_methods(["GET", "POST"])
def partner_invitation_revoke(
    request: HttpRequest, reference: str, pk: int
) -> HttpResponse:
    invitation = partner_invitation_get_for_lead(
        user=request.user, reference=reference, pk=pk
    )
    relationship = invitation.relationship
    if request.method == "GET":
        return _confirm(
            request,
            relationship=relationship,
            heading=f"Revoke the invitation to {invitation.invitee_name}?",
            text="Its link stops working and it can no longer be accepted.",
            button="Revoke",
            danger=True,
            cancel_url=_partners_url(relationship),
        )
    try:
        partner_services.partner_invitation_revoke(
            invitation=invitation, user=request.user
        )
    except InvitationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Invitation to {invitation.invitee_name} revoked.")
    return redirect(_partners_url(relationship))


@login_required
@require_http_methods(["GET", "POST"])
def partner_invitation_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """An organisation on the site accepts or declines joining a relationship."""
    invitation = partner_invitation_get_to_answer(user=request.user, pk=pk)
    if request.method == "GET":
        return _confirm(
            request,
            relationship=None,
            invitation=invitation,
            heading=f"Join “{invitation.relationship.title}”?",
            text=f"{invitation.organisation} is invited to take part as a partner.",
            button="Accept",
            decline=True,
            cancel_url=reverse("relationships:list"),
        )
    try:
        if request.POST.get("answer") == "decline":
            partner_services.partner_invitation_decline(
                invitation=invitation, user=request.user
            )
            messages.success(request, "Invitation declined.")
            return redirect("relationships:list")
        partner_services.partner_invitation_accept(
            invitation=invitation, user=request.user
        )
    except (InvitationError, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("relationships:list")
    messages.success(
        request, f"{invitation.organisation} now takes part: seat your people."
    )
    return redirect(_partners_url(invitation.relationship))


@require_http_methods(["GET", "POST"])
def partner_invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The single-use link of a new organisation's invitation."""
    try:
        invitation = partner_services.partner_invitation_by_token(token)
    except InvitationError as error:
        return render(
            request,
            "relationships/partner_invitation_accept.html",
            {"problem": str(error)},
            status=410,
        )
    if request.user.is_authenticated:
        return render(
            request,
            "relationships/partner_invitation_accept.html",
            {
                "invitation": invitation,
                "problem": f"You are logged in as {request.user.get_username()}. "
                "This invitation creates a new account and organisation: log out "
                "first, then open the link again.",
            },
        )
    form = NewPartnerForm(
        request.POST or None,
        initial={"organisation_name": invitation.organisation_name},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            partnership = partner_services.partner_invitation_accept_new(
                token=token,
                first_name=data["first_name"],
                last_name=data["last_name"],
                password=data["password"],
                organisation_name=data["organisation_name"],
                kind=data["kind"],
                msme_size=data["msme_size"],
            )
        except InvitationError as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(
                        field if field in form.fields else None,
                        errors,
                    )
            else:
                form.add_error("password", error)
        else:
            # The link proved the address, as for an organisation invitation:
            # the person is logged in and lands on the relationship they joined.
            login(
                request,
                partnership.relationship_manager,
                backend="django.contrib.auth.backends.ModelBackend",
            )
            messages.success(
                request,
                f"Welcome to Partnerplan: {partnership.organisation} takes part in "
                f"“{partnership.relationship}”. Next, seat your people on its "
                "joint management team.",
            )
            return redirect(
                "relationships:partners", reference=invitation.relationship.reference
            )
    return render(
        request,
        "relationships/partner_invitation_accept.html",
        {"invitation": invitation, "form": form},
    )


def _seat_page(
    request: HttpRequest,
    partnership: Partnership,
    *,
    form: PartnershipForm,
    seat_form: TeamSeatForm,
    status: int = 200,
    **context: Any,
) -> HttpResponse:
    return render(
        request,
        "relationships/partnership_form.html",
        {
            "relationship": partnership.relationship,
            "partnership": partnership,
            "form": form,
            "seat_form": seat_form,
            "seats": partnership.jmt_members.select_related("user"),
            **context,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def partnership_edit(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    partnership = partnership_get_for_managing(
        user=request.user, reference=reference, pk=pk
    )
    stored = copy.copy(partnership)
    form = PartnershipForm(request.POST or None, instance=partnership)
    seat_form = TeamSeatForm(partnership=stored)
    if request.method == "POST" and form.is_valid():
        try:
            partner_services.partnership_update(
                partnership=partnership,
                changes=form.record_changes(),
                expected_revision=form.expected_revision,
                user=request.user,
            )
        except StaleEdit as stale:
            notice = stale_notice(
                stale,
                noun="partner",
                fields=form.stale_refused(stale),
                reload_url=request.path,
            )
            return _seat_page(
                request,
                stored,
                form=form,
                seat_form=seat_form,
                stale=notice,
                status=409,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"{partnership.organisation}'s people saved.")
            return redirect(request.path)
    return _seat_page(request, stored, form=form, seat_form=seat_form)


@login_required
@require_http_methods(["GET", "POST"])
def team_seat_add(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    partnership = partnership_get_for_managing(
        user=request.user, reference=reference, pk=pk
    )
    seat_form = TeamSeatForm(request.POST or None, partnership=partnership)
    if request.method == "GET":
        return _seat_page(
            request,
            partnership,
            form=PartnershipForm(instance=partnership),
            seat_form=seat_form,
        )
    if seat_form.is_valid():
        data = seat_form.cleaned_data
        try:
            partner_services.team_seat_add(
                partnership=partnership,
                seat_holder=data["user"],
                role_title=data["role_title"],
                is_leadership=data["is_leadership"],
                user=request.user,
            )
        except ValidationError as error:
            _add_errors(seat_form, error)
        else:
            messages.success(request, f"{data['user'].get_full_name()} seated.")
            return redirect(
                "relationships:partnership_edit", reference=reference, pk=pk
            )
    return _seat_page(
        request,
        partnership,
        form=PartnershipForm(instance=partnership),
        seat_form=seat_form,
        status=400,
    )


def _seat_of(partnership: Partnership, seat_pk: int) -> Any:
    return get_object_or_404(partnership.jmt_members.select_related("user"), pk=seat_pk)


@login_required
@require_http_methods(["GET", "POST"])
def team_seat_edit(
    request: HttpRequest, reference: str, pk: int, seat_pk: int
) -> HttpResponse:
    partnership = partnership_get_for_managing(
        user=request.user, reference=reference, pk=pk
    )
    seat = _seat_of(partnership, seat_pk)
    stored = copy.copy(seat)
    form = TeamSeatEditForm(request.POST or None, instance=seat)
    context: dict[str, Any] = {
        "relationship": partnership.relationship,
        "partnership": partnership,
        "seat": stored,
        "form": form,
    }
    if request.method == "POST" and form.is_valid():
        try:
            partner_services.team_seat_update(
                seat=seat,
                role_title=form.cleaned_data["role_title"],
                is_leadership=form.cleaned_data["is_leadership"],
                expected_revision=form.expected_revision,
                user=request.user,
            )
        except StaleEdit as stale:
            context["stale"] = stale_notice(
                stale,
                noun="team seat",
                fields=form.stale_refused(stale),
                reload_url=request.path,
            )
            return render(
                request, "relationships/team_seat_form.html", context, status=409
            )
        messages.success(request, "Seat saved.")
        return redirect("relationships:partnership_edit", reference=reference, pk=pk)
    return render(request, "relationships/team_seat_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def team_seat_remove(
    request: HttpRequest, reference: str, pk: int, seat_pk: int
) -> HttpResponse:
    partnership = partnership_get_for_managing(
        user=request.user, reference=reference, pk=pk
    )
    seat = _seat_of(partnership, seat_pk)
    back = reverse("relationships:partnership_edit", args=[reference, pk])
    if request.method == "GET":
        return _confirm(
            request,
            relationship=partnership.relationship,
            heading=f"Remove {seat.user.get_full_name()} from the team?",
            text="The seat's history stays on the History page.",
            button="Remove",
            danger=True,
            cancel_url=back,
        )
    partner_services.team_seat_remove(seat=seat, user=request.user)
    messages.success(request, "Seat removed.")
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def partnership_exit(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    partnership = partnership_get_for_exit(
        user=request.user, reference=reference, pk=pk
    )
    form = PartnershipExitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            partner_services.partnership_exit(
                partnership=partnership,
                reason=form.cleaned_data["exit_reason"],
                user=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"{partnership.organisation} has left.")
            return redirect(_partners_url(partnership.relationship))
    return render(
        request,
        "relationships/partnership_exit.html",
        {
            "relationship": partnership.relationship,
            "partnership": partnership,
            "form": form,
        },
    )
