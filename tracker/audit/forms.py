"""The audit page's filters."""

from __future__ import annotations

from wtforms import Form, IntegerField, SearchField, SelectField
from wtforms.fields.choices import SelectChoice as C
from wtforms.validators import Length, NumberRange, Optional

from tracker.core import limits
from tracker.core.limits import MAX_ID
from tracker.web.display import words

#: every action the code records (a test reads the calls to `record` to keep this whole)
ACTIONS = (
    # records
    "create",
    "update",
    "delete",
    "assign",
    "postpone",
    "outcome",
    "recompute",
    "withdraw",
    "waive",
    "acknowledge",
    "resend",
    "revoke",
    "import",
    # accounts
    "activate",
    "deactivate",
    "set_password",
    "sign_in",
    "sign_in_failed",
    "second_factor_failed",
    "sign_out",
    "sessions_ended",
    "factor_enrolled",
    "factor_removed",
    "recovery_code_used",
    "recovery_codes_generated",
)


class AuditFilters(Form):
    """Read from the query string (a GET form: no CSRF token)."""

    matter = SearchField(
        "Matter",
        validators=[Optional(), Length(max=limits.SEARCH)],
        render_kw={"placeholder": "id or words of its title"},
    )
    actor = SelectField("By", choices=[C("", "Anyone")], default="")
    entity = SelectField("Kind of record", choices=[C("", "Any")], default="")
    action = SelectField(
        "Action", validators=[Length(max=limits.AUDIT_ACTION)], choices=[C("", "Any")], default=""
    )
    #: keyset pagination: show entries older than this id
    before = IntegerField(validators=[Optional(), NumberRange(min=1, max=MAX_ID)])

    def __init__(self, formdata, users: list, entities: list[str]):
        super().__init__(formdata)
        self.actor.choices = [C("", "Anyone")] + [
            C(str(user.id), f"{user.name} ({user.email})" if user.name else user.email)
            for user in users
        ]
        self.entity.choices = [C("", "Any")] + [C(name, words(name)) for name in entities]
        # an action the list does not know yet (an older link) is still a filter
        asked = (formdata.get("action") or "") if formdata else ""
        known = sorted(ACTIONS) + ([asked] if asked and asked not in ACTIONS else [])
        self.action.choices = [C("", "Any")] + [C(name, words(name)) for name in known]

    def value(self, name: str):
        """A filter's value, or None when empty or refused."""
        field = self[name]
        return (field.data or None) if not field.errors else None

    def actor_value(self) -> int | None:
        actor = self.value("actor")
        return int(actor) if actor else None
