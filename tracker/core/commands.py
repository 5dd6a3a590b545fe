"""Typed commands: what every write takes, whoever sends it (the API, a form, the CLI).

A command is a pydantic model whose fields carry real types: dates in the accepted
range, IANA zones, wall-clock times, enums, trimmed text within its one length limit.
Each domain declares its commands in its `schemas.py`; operations take them, the API's
bodies are them, forms and the command line build them. A field left out of a PATCH
is "not sent" (`given()`), which is not the same as sent as null.

Validators raise `TrackerError`-style messages that name the field; `parse()` turns a
pydantic failure into one `Invalid` (422) naming the first field at fault.
"""

from __future__ import annotations

import datetime as dt
import enum
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Self, TypeVar

import pydantic
from pydantic_core import PydanticCustomError, core_schema

from tracker.core import dates, errors, labels, limits

E = TypeVar("E", bound=enum.Enum)


def refuse(message: str) -> PydanticCustomError:
    """A validation error whose message is shown as is (it names the field itself)."""
    return PydanticCustomError("tracker", "{message}", {"message": message})


class Command(pydantic.BaseModel):
    """A write's input: unknown fields are an error, types are not coerced."""

    model_config = pydantic.ConfigDict(extra="forbid", strict=True, frozen=True)

    @pydantic.field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        """PostgreSQL cannot store NUL in text: refuse it here (422), not there (500)."""
        texts = value if isinstance(value, list | tuple) else [value]
        if any(isinstance(text, str) and "\x00" in text for text in texts):
            raise refuse("NUL characters are not allowed")
        return value

    @classmethod
    def parse(cls, data: Mapping[str, Any] | str | bytes) -> Self:
        """Build the command from a mapping (forms, the CLI) or JSON text (the API)."""
        try:
            if isinstance(data, str | bytes):
                return cls.model_validate_json(data)
            return cls.model_validate(dict(data))
        except pydantic.ValidationError as exc:
            raise refusal(exc) from None

    def given(self) -> dict[str, Any]:
        """The fields the sender set, with their values: what a PATCH changes."""
        return {name: getattr(self, name) for name in self.model_fields_set}

    def sent(self, name: str) -> bool:
        return name in self.model_fields_set


class Changes(Command):
    """A PATCH: every field but `version` defaults to "not sent"; sending null clears a
    field only where null means something (`nullable`), elsewhere it is refused."""

    nullable: ClassVar[frozenset[str]] = frozenset()

    version: int

    @pydantic.field_validator("*", mode="before")
    @classmethod
    def _null(cls, value: Any, info: pydantic.ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.nullable:
            raise refuse(f"{info.field_name} cannot be null")
        return value

    def changes(self) -> dict[str, Any]:
        """The fields sent, version aside."""
        return {name: value for name, value in self.given().items() if name != "version"}


class Query(pydantic.BaseModel):
    """A list's filters, read from a query string: unknown parameters are an error, text
    is converted (`?page=2` is a number)."""

    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)


def refusal(exc: pydantic.ValidationError) -> errors.TrackerError:
    """The first error of a failed validation, as the 400 or 422 an entry point answers."""
    first = exc.errors(include_url=False)[0]
    if first["type"] == "json_invalid":
        return errors.BadRequest(f"malformed JSON: {first['ctx'].get('error', first['msg'])}")
    if first["type"] in ("model_type", "model_attributes_type") or not first["loc"]:
        return errors.BadRequest("the body must be a JSON object")
    field = ".".join(str(part) for part in first["loc"])
    if first["type"] == "tracker":
        return errors.Invalid(first["msg"], field=field)
    message = first["msg"]
    if first["type"] == "extra_forbidden":
        message = "unknown field"
    elif first["type"] == "missing":
        message = "this field is required"
    return errors.Invalid(f"{field}: {message}", field=field)


# --- field types ----------------------------------------------------------------------

#: an id in a request: a larger number is refused (422) before any query runs
Id = Annotated[int, pydantic.Field(ge=1, le=limits.MAX_ID)]


def _name(info: pydantic.ValidationInfo) -> str:
    """The field in a message's words ("closing date" for closed_on)."""
    return labels.field(info.field_name) if info.field_name else "value"


@dataclass(frozen=True)
class Limit:
    """Text stripped of surrounding blanks, within its limit (`tracker.core.limits`):
    ``title: Annotated[str, Limit(limits.TITLE)]``. Forms read it to say the same."""

    max_length: int
    required: bool = True

    def __get_pydantic_core_schema__(
        self, source: Any, handler: pydantic.GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.with_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: pydantic.GetJsonSchemaHandler
    ) -> dict[str, Any]:
        found = handler(schema)
        found["maxLength"] = self.max_length
        if self.required:
            found["minLength"] = 1
        return found

    def _check(self, value: str, info: core_schema.ValidationInfo) -> str:
        value = value.strip()
        if self.required and not value:
            raise refuse(f"{_name(info)} must not be empty")
        if len(value) > self.max_length:
            raise refuse(f"{_name(info)} is longer than {self.max_length} characters")
        return value


def text_limit(command: type[pydantic.BaseModel], name: str) -> Limit:
    """The limit of a command's text field (also when it may be null or not sent)."""
    field = command.model_fields[name]
    found = [m for m in field.metadata if isinstance(m, Limit)]
    for arg in typing.get_args(field.annotation):
        found += [m for m in getattr(arg, "__metadata__", ()) if isinstance(m, Limit)]
    if not found:
        raise LookupError(f"{command.__name__}.{name} is not a text field with a limit")
    return found[0]


def _day(value: Any, info: pydantic.ValidationInfo) -> dt.date:
    try:
        if isinstance(value, str):
            return dates.parse_date(value)
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return dates.in_range(value)  # parsed by a form already: the range still applies
    except ValueError as exc:
        raise refuse(str(exc)) from None
    raise refuse(f"{_name(info)} must be a date (YYYY-MM-DD)")


_DAY_SCHEMA = {
    "type": "string",
    "format": "date",
    "description": f"{dates.EARLIEST.isoformat()} to {dates.LATEST.isoformat()}",
}

#: an exact day within the accepted range (1900-01-01 to 2199-12-31)
Day = Annotated[dt.date, pydantic.PlainValidator(_day), pydantic.WithJsonSchema(_DAY_SCHEMA)]


def _zone(value: Any) -> str:
    try:
        dates.zone(value)
    except ValueError as exc:
        raise refuse(str(exc)) from None
    return value


#: an IANA time zone name of the tz database
Zone = Annotated[
    str,
    pydantic.PlainValidator(_zone),
    pydantic.WithJsonSchema({"type": "string", "examples": ["Europe/Brussels"]}),
]


def _event_kind(kind: str) -> str:
    kind = kind.lower()
    if not kind.replace("_", "").isalnum():
        raise refuse(f"{kind!r} is not an event kind (a word like request_received)")
    return kind


#: a free word, lower case: request_received, judgment, search... (deadline rules count
#: from the kinds they name, and an authority's time limit is met by the kinds it names)
EventKind = Annotated[Annotated[str, Limit(limits.KIND)], pydantic.AfterValidator(_event_kind)]


class Allowed:
    """One of an enum's values, refused with the list of the allowed ones:
    ``result: Annotated[OutcomeResult, Allowed()]``."""

    values: list[Any]

    def __get_pydantic_core_schema__(
        self, source: type[enum.Enum], _handler: pydantic.GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        self.values = [member.value for member in source]
        allowed = ", ".join(str(value) for value in self.values)

        def check(value: Any, info: core_schema.ValidationInfo) -> enum.Enum:
            try:
                return source(value)
            except (ValueError, TypeError):
                raise refuse(f"{value!r} is not a valid {_name(info)} ({allowed})") from None

        return core_schema.with_info_plain_validator_function(
            check,
            serialization=core_schema.plain_serializer_function_ser_schema(lambda m: m.value),
        )

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, _handler: pydantic.GetJsonSchemaHandler
    ) -> dict[str, Any]:
        return {"type": "string", "enum": self.values}


class _Written:
    """A value pydantic reads from its text (`_read`) and writes back as that text."""

    @classmethod
    def _read(cls, value: Any) -> Any:
        raise NotImplementedError

    @classmethod
    def __get_pydantic_core_schema__(
        cls, _source: Any, _handler: pydantic.GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls._read, serialization=core_schema.plain_serializer_function_ser_schema(str)
        )


@dataclass(frozen=True)
class WallTime(_Written):
    """A time on a court's wall clock as written: "2026-12-01T09:30", a day alone, or
    "…T02:30+01:00" for a time that occurs twice when the clocks go back.

    Which instant it is depends on the zone: `instant()` refuses a time the zone skips,
    one it shows twice without an offset, and an offset it never has then.
    """

    text: str

    def instant(self, zone: str, field: str) -> dt.datetime:
        try:
            return dates.local_to_utc(self.text, zone)
        except ValueError as exc:
            raise errors.Invalid(str(exc), field=field) from None

    def __str__(self) -> str:
        return self.text

    @classmethod
    def __get_pydantic_json_schema__(cls, _schema: Any, _handler: Any) -> dict[str, Any]:
        return {
            "type": "string",
            "description": "local wall time in the court's zone: YYYY-MM-DDTHH:MM[±HH:MM] "
            "or YYYY-MM-DD",
            "examples": ["2026-12-01T09:30"],
        }

    @classmethod
    def _read(cls, value: Any) -> WallTime:
        if isinstance(value, WallTime):
            return value
        if isinstance(value, str):
            try:
                dates.in_range(dt.datetime.fromisoformat(value))
            except ValueError as exc:
                message = str(exc) if "outside" in str(exc) else None
                raise refuse(
                    message or f"{value!r} is not a local date and time (YYYY-MM-DDTHH:MM)"
                ) from None
            return cls(value)
        raise refuse(f"{value!r} is not a local date and time (YYYY-MM-DDTHH:MM)")


@dataclass(frozen=True)
class PartialDay(_Written):
    """A date known to the day, month or year: "2016-11-05", "2016-11" or "2016"."""

    value: dt.date
    precision: dates.Precision

    def __str__(self) -> str:
        return dates.format_partial(self.value, self.precision) or ""

    @classmethod
    def read(cls, text: str, precision: Any = None, field: str = "date") -> PartialDay:
        """`text` at `precision` (which must agree with how it is written), or 422."""
        try:
            return cls(*dates.parse_partial(text, precision))
        except ValueError as exc:
            raise errors.Invalid(str(exc), field=field) from None

    @classmethod
    def __get_pydantic_json_schema__(cls, _schema: Any, _handler: Any) -> dict[str, Any]:
        return {
            "type": "string",
            "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$",
            "description": "YYYY-MM-DD, YYYY-MM or YYYY: a date known to the day, month or year",
        }

    @classmethod
    def _read(cls, value: Any) -> PartialDay:
        if isinstance(value, PartialDay):
            return value
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            try:
                return cls(dates.in_range(value), dates.Precision.day)
            except ValueError as exc:
                raise refuse(str(exc)) from None
        try:
            return cls(*dates.parse_partial(value))
        except ValueError as exc:
            raise refuse(str(exc)) from None


def with_precision(
    partial: PartialDay | None, precision: dates.Precision | None, field: str
) -> PartialDay | None:
    """A partial date at the precision the sender stated, if they stated one (422 if the
    text says otherwise: "2016-11" is not known to the day)."""
    if partial is None or precision is None or precision is partial.precision:
        return partial
    raise errors.Invalid(
        f"{str(partial)!r} has {partial.precision} precision, not {precision}", field=field
    )
