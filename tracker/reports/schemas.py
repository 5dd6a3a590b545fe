"""What the delay statistics take (the period and the grouping) and what they answer."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import pydantic

from tracker.core import clock
from tracker.core.commands import Day, Query, refusal, refuse


class GroupBy(enum.StrEnum):
    jurisdiction = "jurisdiction"
    kind = "kind"
    jurisdiction_kind = "jurisdiction,kind"

    @property
    def keys(self) -> tuple[bool, bool]:
        """Whether the groups are told apart by (jurisdiction, kind)."""
        return self is not GroupBy.kind, self is not GroupBy.jurisdiction


def _new_year(end: dt.date | None) -> dt.date:
    """The default first day: 1 January of the last day's year (any day if `to` was
    refused: the query is refused for it anyway)."""
    return dt.date((end or dt.date.min).year, 1, 1)


class DelaysQuery(Query):
    """`GET /api/v1/reports/delays`: a period (both days included) and the grouping.

    Without a period, the year so far: the figures a coordinator is asked for first.
    """

    to: Day = pydantic.Field(
        default_factory=clock.today,
        description="the period's last day (default: today)",
    )
    from_: Day = pydantic.Field(
        default_factory=lambda data: _new_year(data.get("to")),
        alias="from",
        description="the period's first day, on or before `to` (default: 1 January of its year)",
    )
    group_by: GroupBy = pydantic.Field(
        GroupBy.jurisdiction, description="one row per country, per kind, or per both"
    )

    @pydantic.model_validator(mode="before")
    @classmethod
    def _blank_is_missing(cls, values: Any) -> Any:
        """An empty form field or an unset option takes the default."""
        if isinstance(values, dict):
            return {key: value for key, value in values.items() if value not in (None, "")}
        return values

    @pydantic.field_validator("from_", "to", mode="wrap")
    @classmethod
    def _named(
        cls, value: Any, handler: pydantic.ValidatorFunctionWrapHandler, info: Any
    ) -> dt.date:
        """A bad day's message names the parameter (`from` or `to`)."""
        name = "from" if info.field_name == "from_" else "to"
        try:
            return handler(value)
        except pydantic.ValidationError as exc:
            raise refuse(f"{name}: {exc.errors()[0]['msg']}") from None

    @pydantic.model_validator(mode="after")
    def _not_before(self) -> DelaysQuery:
        if self.to < self.from_:  # only a `from` sent can be: its default is never after
            message = f"to: {self.to.isoformat()} is before from ({self.from_.isoformat()})"
            raise pydantic.ValidationError.from_exception_data(
                type(self).__name__, [{"type": refuse(message), "loc": ("to",), "input": self.to}]
            )
        return self

    @classmethod
    def read(cls, values: dict[str, Any]) -> DelaysQuery:
        """The query from text values (a page's or the command line's): 422 if invalid."""
        try:
            return cls.model_validate(values)
        except pydantic.ValidationError as exc:
            raise refusal(exc) from None

    @property
    def days(self) -> int:
        """Days in the period, both ends included."""
        return (self.to - self.from_).days + 1


# --- answers ------------------------------------------------------------------------------


class Certainty(pydantic.BaseModel):
    """Hearings held in the period by the number of dates they were set for."""

    model_config = pydantic.ConfigDict(populate_by_name=True)

    one: int = pydantic.Field(alias="1")
    two: int = pydantic.Field(alias="2")
    three: int = pydantic.Field(alias="3")
    four_or_more: int = pydantic.Field(alias="4+")
    mean: float | None = pydantic.Field(description="the mean number of dates; null: none held")


class DelayStats(pydantic.BaseModel):
    """One group's measures over the period (README, "Delay statistics")."""

    jurisdiction: str | None = pydantic.Field(description="the country's code; null: all")
    kind: str | None = pydantic.Field(description="the kind of proceeding; null: all")
    incoming: int = pydantic.Field(description="opened in the period")
    resolved: int = pydantic.Field(description="closed in the period")
    pending_start: int = pydantic.Field(description="pending as the period began")
    pending_end: int = pydantic.Field(description="pending at the period's end")
    clearance_rate: float | None = pydantic.Field(
        description="resolved / incoming (CEPEJ); null when nothing came in"
    )
    disposition_time_days: float | None = pydantic.Field(
        description="pending_end / resolved × days in the period (CEPEJ); null: none resolved"
    )
    age_pending_median_days: float | None = pydantic.Field(
        description="median age of the pending at the period's end (CourTools 4)"
    )
    age_pending_p90_days: int | None = pydantic.Field(
        description="90th percentile (nearest rank) of that age (CourTools 4)"
    )
    hearing_date_certainty: Certainty = pydantic.Field(description="CourTools 5")
    postponements: int = pydantic.Field(description="postponements dated in the period")
    median_slip_days: float | None = pydantic.Field(
        description="of the hearings held in the period that had been postponed: median "
        "days from the first date set to the day held"
    )
    requests_waiting_median_days: float | None = pydantic.Field(
        description="extradition and MLA requests pending at the period's end: median days "
        "since they were opened"
    )
    authority_overdue: int = pydantic.Field(
        description="authority_overdue delay flags open at the period's end"
    )


class DelaysOut(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(populate_by_name=True)

    from_: dt.date = pydantic.Field(alias="from")
    to: dt.date
    group_by: GroupBy
    days: int = pydantic.Field(description="days in the period, both ends included")
    items: list[DelayStats]
    total: DelayStats = pydantic.Field(description="every group together")
