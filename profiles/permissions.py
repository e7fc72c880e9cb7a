"""What a person may do with an establishment's space: one rule, from their role.

`allowed_actions` is asked by the views (refuse), the forms (which fields are
editable) and the templates (what is shown), so that the three never
disagree. Reading at all is the visibility rule (profiles.models.visibility);
this says what a reader may also write.
"""

from enum import StrEnum

from .models import Establishment, Membership


class Action(StrEnum):
    READ = "read"
    ANSWER = "answer"  # the answers of the steps
    COMMENT_ESTABLISHMENT = "comment_establishment"
    COMMENT_REPRESENTATIVES = "comment_representatives"
    COMMENT_CAISSE = "comment_caisse"
    MARK_SEEN = "mark_seen"  # "Etape vue par CSE / CHSCT / DP"
    ADD_DOCUMENT = "add_document"
    DELETE_DOCUMENT = "delete_document"
    EDIT_PROFILE = "edit_profile"
    INVITE_REPRESENTATIVES = "invite_representatives"
    EXPORT = "export"


BY_ROLE = {
    Membership.Role.ESTABLISHMENT: frozenset(
        {
            Action.READ,
            Action.ANSWER,
            Action.COMMENT_ESTABLISHMENT,
            Action.ADD_DOCUMENT,
            Action.DELETE_DOCUMENT,
            Action.EDIT_PROFILE,
            Action.INVITE_REPRESENTATIVES,
            Action.EXPORT,
        }
    ),
    Membership.Role.REPRESENTATIVE: frozenset(
        {Action.READ, Action.COMMENT_REPRESENTATIVES, Action.MARK_SEEN, Action.EXPORT}
    ),
}
NOTHING = frozenset()


def allowed_actions(user, establishment, membership=None) -> frozenset:
    """What `user` may do with `establishment`'s space (nothing when it is not theirs).

    `membership` is the request's (request.membership), saving a query; a
    member acts through their active membership, the caisse (a préventeur of
    its caisse, the national team) reads and writes its own voice.
    """
    if establishment is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if membership is None or membership.establishment_id != establishment.pk:
        membership = (
            Membership.objects.active().filter(user=user, establishment=establishment).first()
        )
    if membership is not None:
        return BY_ROLE.get(membership.role, NOTHING) if membership.is_active else NOTHING
    if user.is_staff and Establishment.objects.visible_to(user).filter(pk=establishment.pk).exists():
        actions = {Action.READ, Action.EXPORT}
        if user.has_perm("parcours.add_comment"):
            actions.add(Action.COMMENT_CAISSE)
        return frozenset(actions)
    return NOTHING


def voice_action(voice) -> Action:
    """The action that writes a voice of the comments ("establishment", "representatives", "caisse")."""
    return Action(f"comment_{voice}")
