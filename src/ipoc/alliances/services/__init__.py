"""Writes for 创新联合体 and 大手拉小手 — each checks who may make it, validates, runs in a transaction and is audited.

Who may manage a consortium (its members, agreement, projects, shared patents, protection decisions, service
records): the staff of the center that organised it, the users of its lead organisation, and administrators.
A member's own users may add their organisation's patents to the shared list. Everyone else only views.

One module per sub-domain (consortia: authority, members, agreement; projects: joint projects, shared patents,
joint protection; smes: 大手拉小手); this package re-exports them, so callers keep
``from ipoc.alliances import services``."""

from ipoc.alliances.services.consortia import (  # noqa: F401
    AGREEMENT_FIELDS,
    ATTACHMENT_SUFFIXES,
    CONSORTIUM_FIELDS,
    MAX_ATTACHMENT_BYTES,
    _actor,
    _center_for,
    _check_upload,
    _choice,
    _lead_role,
    _not_future,
    _text,
    active_member,
    agreement_attach,
    agreement_save,
    clean_money,
    consortium_create,
    consortium_update,
    may_contribute,
    may_manage,
    may_record_for_members,
    member_add,
    member_leave,
    require_manager,
    today,
)
from ipoc.alliances.services.projects import (  # noqa: F401
    PROJECT_FIELDS,
    _check_project,
    _held_by_member,
    _members_on,
    clean_shares,
    joint_patent_add,
    milestone_add,
    milestone_done,
    project_create,
    project_update,
    protection_create,
    protection_update,
    shared_patent_add,
    shared_patent_withdraw,
)
from ipoc.alliances.services.smes import (  # noqa: F401
    sme_service_create,
)
