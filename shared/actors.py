"""Who acts: a role, an organisation and a region. Plain domain types (no web
framework, no token format), so deciders and the access policy can name them; the
adapter that reads them from a signed token is ``shared.auth``."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from shared.errors import Forbidden


class Role(StrEnum):
    public = "public"
    intake_officer = "intake_officer"
    agency_staff = "agency_staff"
    legal_office = "legal_office"
    discipline_liaison = "discipline_liaison"
    auditor = "auditor"
    admin = "admin"


ROLE_LABELS_ZH: dict[Role, str] = {
    Role.public: "公众",
    Role.intake_officer: "受理人员",
    Role.agency_staff: "执法机关人员",
    Role.legal_office: "政府法制办",
    Role.discipline_liaison: "纪检监察联络员",
    Role.auditor: "审计人员",
    Role.admin: "系统管理员",
}


class Actor(BaseModel):
    """The person acting: role, organisation (office or agency id) and region code."""

    model_config = ConfigDict(frozen=True)

    subject: str
    role: Role
    organisation: str
    region_code: str

    def as_extension(self) -> str:
        """The CloudEvents ``actor`` attribute: role and organisation, never a name."""
        return f"{self.role.value}:{self.organisation}:{self.region_code}"

    def require(self, *roles: Role) -> None:
        if self.role not in roles:
            wanted_zh = "、".join(ROLE_LABELS_ZH[r] for r in roles)
            wanted_en = ", ".join(r.value for r in roles)
            raise Forbidden(
                f"此操作需要以下角色之一：{wanted_zh}",
                f"this action needs one of the roles: {wanted_en}",
                code="role_not_allowed",
            )
