from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship
from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash

from suggestion.core.db import Base
from suggestion.core.db import enum_check
from suggestion.core.time import utcnow


class Role(enum.StrEnum):
    OFFICER = "officer"
    INTEGRITY = "integrity"  # the only staff who see corruption reports
    MANAGER = "manager"
    ADMIN = "admin"
    # The data protection officer: the register of data-subject requests only.
    PRIVACY = "privacy"


ROLE_LABELS = {
    Role.OFFICER: _l("Officer"),
    Role.INTEGRITY: _l("Integrity officer"),
    Role.MANAGER: _l("Manager"),
    Role.ADMIN: _l("Administrator"),
    Role.PRIVACY: _l("Data protection officer"),
}


class Division(Base):
    """A unit of the agency (กอง/สำนัก) that handles cases."""

    __tablename__ = "divisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name_th: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str] = mapped_column(sa.String(200))
    is_active: Mapped[bool] = mapped_column(default=True)

    def name(self, locale: str) -> str:
        return self.name_th if locale == "th" else self.name_en


class User(UserMixin, Base):
    """A staff account. The public never has one: filers hold a code and key."""

    __tablename__ = "users"
    __table_args__ = (sa.CheckConstraint(enum_check("role", Role), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(20))
    division_id: Mapped[int] = mapped_column(sa.ForeignKey("divisions.id"), index=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # The language the person reads the site and their e-mails in: the
    # last one they chose while logged in (Thai until then).
    locale: Mapped[str] = mapped_column(sa.String(5), default="th", server_default="th")
    # Bumped when the password changes, which ends every other session.
    # Set when an administrator sets the password (a new account, a reset):
    # until the person chooses their own, every staff page leads to
    # /staff/password (suggestion.auth.views.guard_staff_session).
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    session_epoch: Mapped[int] = mapped_column(default=1)
    # Two-factor log-in (suggestion.auth.two_factor): the TOTP secret once
    # confirmed, and the last time step used, which is never accepted again.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_enabled_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_epoch}"

    division: Mapped[Division] = relationship()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class RecoveryCode(Base):
    """A one-time code that stands in for the TOTP when the phone is lost;
    stored as a keyed digest (suggestion.core.digests), never as typed."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(sa.String(64))
    used_at: Mapped[datetime | None]


class LoginFailure(Base):
    """Wrong passwords or codes for one account from one address: five lock
    that pair for a while, so that an outsider cannot lock the account's
    owner out from elsewhere (suggestion.auth.services). The address is kept
    as a keyed digest, not as it came."""

    __tablename__ = "login_failures"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    address_digest: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failed_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]
