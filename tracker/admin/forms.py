"""Forms of the admin pages: users, jurisdictions and their vacations, deadline rules.

Choices the operations check themselves (time zones, holiday countries) are not
checked here, so that their refusal, which says why, is the one shown.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from tracker.core import labels as words
from tracker.core import limits
from tracker.core.dates import FULL_MONTHS, zone_names
from tracker.deadlines.enums import (
    BlockingDays,
    Direction,
    EndShift,
    OffsetUnit,
    Party,
    VacationPolicy,
)
from tracker.deadlines.forms import met_by_kinds
from tracker.deadlines.schemas import NewRule, NewRuleVersion, RuleChanges
from tracker.jurisdictions.calendars import holiday_country_choices
from tracker.jurisdictions.enums import VacationEffect
from tracker.jurisdictions.schemas import (
    ChangedVacation,
    JurisdictionChanges,
    NewJurisdiction,
    NewVacation,
)
from tracker.users.login import MIN_PASSWORD
from tracker.users.models import Role, User
from tracker.users.schemas import ActiveChange, NewUser, RoleChange, SettingsChanges
from tracker.web.pages import CommandForm, checks

ROLES = [
    SelectChoice(Role.lawyer.value, "Lawyer: the matters assigned to them"),
    SelectChoice(Role.staff.value, "Staff: all matters, records hearings and deadlines"),
    SelectChoice(Role.coordinator.value, "Coordinator: all matters, flags, outbox, audit"),
    SelectChoice(Role.admin.value, "Admin: everything, and this page"),
]

TWO_FACTOR_LABELS = {
    Role.admin: "Admins",
    Role.coordinator: "Coordinators",
    Role.staff: "Staff",
    Role.lawyer: "Lawyers",
}


def _choices(enum_class, labels: dict[str, str] | None = None) -> list[SelectChoice]:
    labels = labels or {}
    return [
        SelectChoice(m.value, labels.get(m.value, words.in_sentence(m.value))) for m in enum_class
    ]


UNITS = _choices(OffsetUnit)
END_SHIFTS = _choices(
    EndShift,
    {"next_working_day": "a last day off moves to the next working day", "none": "never moves"},
)
BLOCKING_DAYS = _choices(BlockingDays)
VACATION_POLICIES = _choices(
    VacationPolicy,
    {"ignore": "ignore judicial vacations", "apply": "apply the jurisdiction's vacations"},
)
OWERS = _choices(
    Party,
    {"client": "our side: the lawyers are reminded", "authority": "the authority: we wait for it"},
)
DIRECTIONS = _choices(
    Direction,
    {"after": "after the trigger", "before": "before the trigger (counted back)"},
)


class Versioned(FlaskForm):
    #: the version of the row the form was filled from; a stale one is refused
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


def _zone_field(label: str = "Time zone") -> SelectField:
    return SelectField(label, choices=[], validate_choice=False, default="UTC")


def _zones() -> list[SelectChoice]:
    return [SelectChoice(zone, zone) for zone in zone_names()]


# --- users ------------------------------------------------------------------------------------


class UserForm(CommandForm):
    email = EmailField(
        "Email",
        # the address itself is the command's to check (`Email`), its length the form's too,
        # in the form's words
        validators=[DataRequired(), Length(max=limits.EMAIL)],
    )
    name = StringField("Name", validators=checks(NewUser, "name"))
    role = SelectField("Role", choices=ROLES, default=Role.lawyer.value)
    timezone = _zone_field()
    password = PasswordField(
        "Password",
        # the shortest password is the form's rule: the command line generates them
        validators=[Optional(), Length(min=MIN_PASSWORD, max=limits.PASSWORD)],
        render_kw={"autocomplete": "new-password"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = _zones()

    def command(self) -> NewUser:
        return NewUser.parse(
            {
                "email": self.email.data or "",
                "role": self.role.data,
                "name": self.name.data or "",
                "timezone": self.timezone.data,
                "password": self.password.data or None,
            }
        )


class RoleForm(Versioned, CommandForm):
    role = SelectField("Role", choices=ROLES)

    def command(self) -> RoleChange:
        return RoleChange.parse({"role": self.role.data, "version": self.version.data})


class ActiveForm(Versioned, CommandForm):
    """Deactivate or reactivate (the address says which)."""

    def command(self, active: bool) -> ActiveChange:
        return ActiveChange.parse({"active": active, "version": self.version.data})


class UserSettingsForm(Versioned, CommandForm):
    """What a user can also change on their account page."""

    name = StringField("Name", validators=checks(SettingsChanges, "name"))
    timezone = _zone_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = _zones()

    def command(self, user: User) -> SettingsChanges:
        # a form sent without its version (an old page) changes the user as they are now
        version = self.version.data if self.version.data is not None else user.version
        return SettingsChanges.parse(
            {"version": version, "name": self.name.data or "", "timezone": self.timezone.data}
        )


class ResetPasswordForm(FlaskForm):
    """Generate a new password (shown once)."""


class LockOutForm(FlaskForm):
    """End all sessions of a user and revoke their tokens and feeds."""


class TwoFactorForm(FlaskForm):
    """The roles whose users must sign in with two factors (all of them: everyone)."""

    roles = SelectMultipleField(
        "Roles that must use two factors",
        choices=[SelectChoice(role.value, label) for role, label in TWO_FACTOR_LABELS.items()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )

    def chosen(self) -> frozenset[Role]:
        return frozenset(Role(value) for value in self.roles.data or ())


# --- jurisdictions ----------------------------------------------------------------------------
#
# Each form builds its command in one place, `command()` for a new row and `changes()` for
# an edit; the command checks the values (a refusal lands beside the field of the same
# name) and the form keeps only the checks that are its own (a number typed as a number).


class _Edit(Versioned, CommandForm):
    """A form that changes a row: its command carries the version the form was filled from."""


class JurisdictionEditForm(_Edit):
    name = StringField("Name", validators=checks(JurisdictionChanges, "name"))
    timezone = _zone_field("Time zone of the courts")
    holiday_country = SelectField("Public holidays of", choices=[], validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = _zones()
        self.holiday_country.choices = [
            SelectChoice("", "none: weekends only"),
            *(SelectChoice(code, name) for code, name in holiday_country_choices()),
        ]

    def _values(self) -> dict[str, Any]:
        return {
            "name": self.name.data or "",
            "timezone": self.timezone.data,
            "holiday_country": self.holiday_country.data or None,
        }

    def changes(self) -> JurisdictionChanges:
        return JurisdictionChanges.parse(self._values() | {"version": self.version.data})


class JurisdictionForm(JurisdictionEditForm):
    code = StringField("Code", validators=checks(NewJurisdiction, "code"))

    def command(self) -> NewJurisdiction:
        return NewJurisdiction.parse(self._values() | {"code": self.code.data or ""})


EFFECTS = _choices(
    VacationEffect,
    {
        "extend": "extend: a period that starts and ends in it ends on a fixed day after it",
        "suspend": "suspend: time does not run during it",
        "closed": "closed: no working day, like a public holiday (a court's own closing days)",
    },
)


def _month(value) -> int | None:
    """A month number from the form; none chosen is None (the command says what is missing)."""
    return None if value in (None, "") else int(value)


def _month_field(label: str, *, optional: bool = False) -> SelectField:
    months = [SelectChoice(number, name) for number, name in enumerate(FULL_MONTHS, 1)]
    choices = [SelectChoice("", "—"), *months] if optional else months
    return SelectField(label, choices=choices, coerce=_month, validate_choice=False)


def _day_field(label: str) -> IntegerField:
    return IntegerField(label, validators=[Optional()], render_kw={"min": 1, "max": 31})


class VacationForm(_Edit):
    """A yearly judicial vacation; its days and effect are checked by the command and the
    operation."""

    name = StringField("Name", validators=checks(NewVacation, "name"))
    effect = SelectField("Effect on time limits", choices=EFFECTS, validate_choice=False)
    start_month = _month_field("Starts: month")
    start_day = _day_field("Starts: day")
    end_month = _month_field("Ends: month")
    end_day = _day_field("Ends: day")
    extend_to_month = _month_field("Extended to: month", optional=True)
    extend_to_day = _day_field("Extended to: day")
    valid_from = DateField("In force from", validators=[Optional()])
    valid_to = DateField("Until (excluded)", validators=[Optional()])
    source = TextAreaField("Source", validators=checks(NewVacation, "source"))

    def _values(self) -> dict[str, Any]:
        return {name: getattr(self, name).data for name in NewVacation.model_fields} | {
            "name": self.name.data or "",
            "effect": self.effect.data or "",
            "source": self.source.data or "",
        }

    def command(self) -> NewVacation:
        return NewVacation.parse(self._values())

    def changes(self) -> ChangedVacation:
        return ChangedVacation.parse(self._values() | {"version": self.version.data})


class RemoveForm(Versioned):
    """Remove a row (the version of the row that was shown)."""


# --- deadline rules ---------------------------------------------------------------------------


class _RuleSource(CommandForm):
    """Where a rule comes from: statute, article, official address, day checked."""

    source = TextAreaField("Source", validators=checks(NewRuleVersion, "source"))
    article = StringField("Article", validators=checks(NewRuleVersion, "article"))
    source_url = StringField(
        "Official text (address)", validators=checks(NewRuleVersion, "source_url")
    )
    checked_on = DateField("Checked there on", validators=[Optional()])

    def _source_values(self) -> dict[str, Any]:
        return {
            "source": self.source.data or "",
            "article": self.article.data or "",
            "source_url": (self.source_url.data or "").strip(),
            "checked_on": self.checked_on.data,
        }


class RuleEditForm(_RuleSource, _Edit):
    title = StringField("Title", validators=checks(RuleChanges, "title"))

    def changes(self) -> RuleChanges:
        return RuleChanges.parse(
            {"version": self.version.data, "title": self.title.data or ""} | self._source_values()
        )


class RuleVersionForm(_RuleSource):
    """The computation of a rule version: what a statute changes."""

    title = StringField("Title", validators=checks(NewRuleVersion, "title"))
    trigger_kind = StringField(
        "Counted from (event kind)", validators=checks(NewRuleVersion, "trigger_kind")
    )
    amount = IntegerField("Amount", validators=[Optional()])
    unit = SelectField("Unit", choices=UNITS)
    direction = SelectField("Counted", choices=DIRECTIONS, default=Direction.after.value)
    due_time = TimeField("By (time of day)", validators=[Optional()])
    opens_at = TimeField("Office opens", validators=[Optional()])
    end_shift = SelectField("Last day", choices=END_SHIFTS)
    blocking_days = SelectField("Days off", choices=BLOCKING_DAYS)
    vacation_policy = SelectField("Judicial vacations", choices=VACATION_POLICIES)
    valid_from = DateField("In force from", validators=[Optional()])
    valid_to = DateField("Until (excluded)", validators=[Optional()])
    owed_by = SelectField("Who must act", choices=OWERS, default=Party.client.value)
    met_by = StringField("Met by (event kinds)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if isinstance(self.met_by.data, list):  # filled from a rule row
            self.met_by.data = ", ".join(self.met_by.data)

    def _values(self) -> dict[str, Any]:
        return (
            {name: getattr(self, name).data for name in NewRuleVersion.model_fields}
            | {
                "title": self.title.data or "",
                "trigger_kind": self.trigger_kind.data or "",
                "met_by": met_by_kinds(self.met_by.data),
            }
            | self._source_values()
        )

    def command(self) -> NewRuleVersion:
        return NewRuleVersion.parse(self._values())


class RuleForm(RuleVersionForm):
    code = StringField("Code", validators=checks(NewRule, "code"))
    jurisdiction = SelectField("Jurisdiction", choices=[], validate_choice=False)

    def __init__(self, *args, jurisdictions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.jurisdiction.choices = [SelectChoice(c, f"{c} — {n}") for c, n in jurisdictions]

    def command(self) -> NewRule:
        values = {"code": self.code.data or "", "jurisdiction": self.jurisdiction.data or ""}
        return NewRule.parse(self._values() | values)
