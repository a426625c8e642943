"""People shared across teams: who may see, edit and erase what of a person whose affiliations
span accounts that not every user can see (docs/people-across-teams.md says the same for readers).

A ``Person`` holds the identity (title, name, e-mail, phone, preferred language, the consent
flags); an ``Affiliation`` holds what one account knows of them (position, function, DMU role,
influence, stance, reports-to). The identity is shared by every account the person is affiliated
with, so changing it changes it for teams the editor may not even know about: the next survey
invitation of another team would go to whatever e-mail was typed.

The rule:

- **Identity** (title, first and last name, e-mail, phone, preferred language) may be edited only
  by someone who sees *every* account the person is, or was, affiliated with, or by an
  administrator. Anyone else who may edit one of the person's affiliations edits that
  affiliation only; the identity is shown read-only, with a note that other accounts share it.
  One exception: anyone who sees an affiliation may switch "do not contact" *on* (never off): a
  person's wish not to be contacted must not wait for a colleague of another team.
- **Erasure** (irreversible, everywhere) is for administrators and for managers who see every
  account the person is affiliated with. A manager who sees only some may *remove* the person's
  affiliations at the accounts they see; the person and their other affiliations stay.
- **Typing an e-mail** when adding a stakeholder reveals nothing the user may not see. If the
  e-mail belongs to a person the user can already see (an affiliation, past or present, at a
  visible account), that person is reused and their history follows them. If it belongs to a
  person with no affiliation visible to the user, the form is refused with a neutral message
  that names nobody, and asks for an administrator, who sees both sides and can link them.

Why refuse rather than link silently: a link would put the stored person (their name, phone,
and from then on their survey history) on the user's DMU page, which is exactly the name the
e-mail should not reveal; and a second, unlinked person with the same e-mail would lose the
original's opt-out and do-not-contact flags, which consent law does not allow. The refusal does
tell the user that the address is known somewhere, and no more: not whose it is, nor where.
"""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.selectors import accounts_visible_to
from kam.models import User
from stakeholders.models import Affiliation, Person

IDENTITY_FIELDS = ("title", "first_name", "last_name", "email", "phone", "preferred_language")


def affiliations_hidden_from(user: User, person: Person) -> QuerySet[Affiliation]:
    """The person's affiliations (past and present) at accounts ``user`` cannot see."""
    return Affiliation.objects.filter(person=person).exclude(account__in=accounts_visible_to(user))


def sees_every_affiliation(user: User, person: Person) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_administrator:
        return True
    return not affiliations_hidden_from(user, person).exists()


def can_edit_identity(user: User, person: Person) -> bool:
    """Identity fields: administrators, and users who see every account of the person."""
    return sees_every_affiliation(user, person)


def can_erase_everywhere(user: User, person: Person) -> bool:
    """Erasure: administrators, and managers who see every account of the person."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_administrator:
        return True
    return user.is_manager and person.affiliations.exists() and sees_every_affiliation(user, person)


def can_remove_visible_affiliations(user: User, person: Person) -> bool:
    """A manager who sees only some of the person's accounts may take them off those."""
    if not user.is_authenticated or not user.is_active or not user.is_manager:
        return False
    return Affiliation.objects.filter(person=person, account__in=accounts_visible_to(user)).exists()


def person_by_email_for(user: User, email: str) -> tuple[Person | None, bool]:
    """The person known by ``email`` (not erased), and whether ``user`` may see them.

    ``(None, True)`` when nobody has the address; ``(person, True)`` when the user may reuse
    them; ``(None, False)`` when someone has it whom the user may not see: the caller refuses
    neutrally and gets no person to name by mistake."""
    if not email:
        return None, True
    existing = Person.objects.filter(email__iexact=email, erased_at__isnull=True).order_by("pk").first()
    if existing is None:
        return None, True
    if (
        user.is_administrator
        or Affiliation.objects.filter(person=existing, account__in=accounts_visible_to(user)).exists()
    ):
        return existing, True
    return None, False
