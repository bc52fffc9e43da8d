"""The identity provider's claims, as the citizen's identity.

The names are those of the Italian SPID/CIE OpenID Connect profile
(AgID/IPZS, "Tabella attributi utente"): ``given_name``, ``family_name``,
``email`` and ``https://attributes.eid.gov.it/fiscal_number``, whose value
carries the ``TINIT-`` prefix of the ETSI identifiers. Brokers often pass
the fiscal number on under a shorter name, so the names are a setting.
"""

from collective.civicreports.privacy.validators import is_valid_email
from collective.civicreports.privacy.validators import is_valid_fiscal_code
from collective.civicreports.privacy.validators import normalize_fiscal_code
from dataclasses import asdict
from dataclasses import dataclass


FISCAL_NUMBER = "https://attributes.eid.gov.it/fiscal_number"
FISCAL_CODE_CLAIMS = (FISCAL_NUMBER, "fiscal_number", "fiscalNumber")
# ETSI EN 319 412-1: natural identity type TIN, country IT.
TIN_PREFIX = "TINIT-"


class InvalidIdentity(ValueError):
    """Claims that identify nobody: no valid fiscal code."""


@dataclass(frozen=True)
class Identity:
    given_name: str
    family_name: str
    fiscal_code: str
    email: str = ""

    @property
    def fullname(self):
        return " ".join(part for part in (self.given_name, self.family_name) if part)

    def as_dict(self):
        return {**asdict(self), "fullname": self.fullname}


def _text(claims, name):
    value = claims.get(name)
    return " ".join(value.split()) if isinstance(value, str) else ""


def fiscal_code_of(claims, names=FISCAL_CODE_CLAIMS):
    """The fiscal code in the first claim of ``names`` present, without its
    prefix, upper case; raises InvalidIdentity if none is valid."""
    for name in names:
        value = claims.get(name)
        if not isinstance(value, str) or not value.strip():
            continue
        code = value.strip().upper()
        code = code.removeprefix(TIN_PREFIX)
        code = normalize_fiscal_code(code)
        if not is_valid_fiscal_code(code):
            raise InvalidIdentity(f"the claim {name} is not a valid fiscal code")
        return code
    raise InvalidIdentity("no claim carries the fiscal code")


def identity_from_claims(claims, names=FISCAL_CODE_CLAIMS):
    """The Identity of the claims (a mapping: the ID token's or the
    userinfo's); raises InvalidIdentity."""
    fiscal_code = fiscal_code_of(claims, names)
    given_name = _text(claims, "given_name")
    family_name = _text(claims, "family_name")
    if not (given_name and family_name):
        raise InvalidIdentity("the name or the family name is missing")
    email = _text(claims, "email")
    return Identity(
        given_name=given_name,
        family_name=family_name,
        fiscal_code=fiscal_code,
        email=email if is_valid_email(email) else "",
    )
