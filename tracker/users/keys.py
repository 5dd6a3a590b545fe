"""Security keys and passkeys (WebAuthn) as second factors: adding one, signing in with one.

The relying party is the tracker as its users reach it: its id is the host of
BASE_URL and the origin the browser reports must be BASE_URL's. WebAuthn refuses an IP
address as the id, so a tracker reached at http://127.0.0.1:5000 offers no keys
(`relying_party` is None): it has to be reached by a name (http://localhost:5000).

Each ceremony's challenge is kept by the page (the signed Flask session) and used once.
What a browser sends is checked by py_webauthn: the challenge, the origin, the id's
hash, the signature with the stored public key, and the signature counter, which must
grow when the key keeps one (a cloned key's counter falls behind and is refused).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa
import sqlalchemy.orm as so
import webauthn
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from tracker.core import limits
from tracker.core.db import affected
from tracker.core.errors import Conflict, Invalid
from tracker.users import factors
from tracker.users.enums import FactorKind
from tracker.users.models import SecondFactor, User
from tracker.users.schemas import NewFactor

#: what py_webauthn and the parsers under it raise for an answer that is not right
_REFUSED = (WebAuthnException, ValueError, TypeError, KeyError, IndexError)


@dataclass(frozen=True)
class RelyingParty:
    """The tracker as a WebAuthn relying party: its id (a host name) and its origin."""

    id: str
    origin: str
    name: str = factors.ISSUER


def relying_party(base_url: str) -> RelyingParty | None:
    """The relying party of a tracker at `base_url`; None when its host is an IP address."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    if not host or _is_address(host):
        return None
    default = {"http": 80, "https": 443}.get(parts.scheme)
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    return RelyingParty(id=host, origin=f"{parts.scheme}://{host}{port}")


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Ceremony:
    """Options for the browser (JSON) and their challenge (base64url), which the caller
    keeps until the browser answers."""

    options: str
    challenge: str


def registration_options(session: so.Session, rp: RelyingParty, user: User) -> Ceremony:
    """Options to add a key to the user's account; the keys they have are excluded (an
    authenticator holding one of them declines instead of registering it twice)."""
    options = webauthn.generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_id=f"tracker-user-{user.id}".encode(),
        user_name=user.email,
        user_display_name=user.name or user.email,
        exclude_credentials=_descriptors(session, user),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
    )
    return Ceremony(webauthn.options_to_json(options), bytes_to_base64url(options.challenge))


def register(
    session: so.Session,
    rp: RelyingParty,
    user: User,
    now: dt.datetime,
    challenge: str,
    credential: str,
    command: NewFactor,
) -> tuple[SecondFactor, list[str] | None]:
    """Add the key that answered `challenge`; returns it, with the recovery codes when it
    is the user's first factor."""
    _bounded(credential)
    try:
        verified = webauthn.verify_registration_response(
            credential=credential,
            expected_challenge=webauthn.base64url_to_bytes(challenge),
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
        )
    except _REFUSED as exc:
        raise Invalid(
            f"the security key's answer was refused ({exc})", field="credential"
        ) from None
    credential_id = bytes_to_base64url(verified.credential_id)
    if session.scalar(
        sa.select(SecondFactor.id).where(SecondFactor.credential_id == credential_id)
    ):
        raise Conflict("this security key is registered already", field="credential")
    factor = SecondFactor(
        user_id=user.id,
        kind=FactorKind.webauthn,
        name=command.name,
        created_at=now,
        credential_id=credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=_transports(credential),
    )
    return factor, factors.added(session, user, now, factor)


def sign_in_options(session: so.Session, rp: RelyingParty, user: User) -> Ceremony:
    """Options to sign in with one of the user's keys."""
    options = webauthn.generate_authentication_options(
        rp_id=rp.id,
        allow_credentials=_descriptors(session, user),
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    return Ceremony(webauthn.options_to_json(options), bytes_to_base64url(options.challenge))


def authenticate(
    session: so.Session,
    rp: RelyingParty,
    user: User,
    now: dt.datetime,
    challenge: str,
    credential: str,
) -> bool:
    """Whether one of the user's keys signed `challenge`; its counter moves on.

    The counter is written only if no other sign-in moved it meanwhile (the row count
    of one UPDATE decides), so one answer sent twice at the same instant passes once.
    """
    if not credential or len(credential) > limits.KEY_ANSWER:
        return False
    found = _key(session, user, _answer(credential).get("id"))
    if found is None:
        return False
    try:
        verified = webauthn.verify_authentication_response(
            credential=credential,
            expected_challenge=webauthn.base64url_to_bytes(challenge),
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            credential_public_key=found.public_key or b"",
            credential_current_sign_count=found.sign_count,
        )
    except _REFUSED:
        return False
    moved = affected(
        session.execute(
            sa.update(SecondFactor)
            .where(SecondFactor.id == found.id, SecondFactor.sign_count == found.sign_count)
            .values(sign_count=verified.new_sign_count, last_used_at=now)
            .execution_options(synchronize_session=False),
        )
    )
    return moved == 1


def _key(session: so.Session, user: User, credential_id: object) -> SecondFactor | None:
    if not isinstance(credential_id, str) or len(credential_id) > 1400:
        return None
    return session.scalar(
        sa.select(SecondFactor).where(
            SecondFactor.user_id == user.id,
            SecondFactor.kind == FactorKind.webauthn,
            SecondFactor.credential_id == credential_id,
        )
    )


def _descriptors(session: so.Session, user: User) -> list[PublicKeyCredentialDescriptor]:
    keys = session.execute(
        sa.select(SecondFactor.credential_id, SecondFactor.transports).where(
            SecondFactor.user_id == user.id, SecondFactor.kind == FactorKind.webauthn
        )
    )
    return [
        PublicKeyCredentialDescriptor(
            id=webauthn.base64url_to_bytes(credential_id),
            transports=[AuthenticatorTransport(t) for t in transports or ()] or None,
        )
        for credential_id, transports in keys
        if credential_id
    ]


def _transports(credential: str) -> list[str] | None:
    """The transports the browser says the key uses (known ones only), to offer it by."""
    response = _answer(credential).get("response")
    found = response.get("transports") if isinstance(response, dict) else None
    known = {t.value for t in AuthenticatorTransport}
    kept = [t for t in found if t in known] if isinstance(found, list) else []
    return kept or None


def _answer(credential: str) -> dict:
    """The browser's answer as a JSON object ({} if it is not one)."""
    try:
        answer = json.loads(credential)
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


def _bounded(credential: str) -> None:
    if not credential or len(credential) > limits.KEY_ANSWER:
        raise Invalid("the security key's answer is missing or too large", field="credential")
