"""Country profiles: provinces (ISO 3166-2) in three scripts, currency, default language and the
ministry's contact details, which the deploying ministry fills in (shipped values are examples)."""
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..normalise import clean_text

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Province:
    code: str
    names: dict
    aliases: tuple

    def name(self, lang):
        return self.names.get(lang) or self.names["en"]


@dataclass(frozen=True, eq=False)
class CountryProfile:
    code: str
    names: dict
    currency: str
    default_language: str
    phone_region: str
    ministry: dict
    provinces: tuple
    #: Offered in the destination filter; any ISO code is still accepted.
    common_destinations: tuple
    #: IANA time zone of the ministry: receipts show times in it, with its name.
    timezone: str = "UTC"
    #: Decimals to show where practice differs from ISO 4217 (the riel: none).
    currency_digits: dict = None
    #: Languages whose pages write dates, amounts and counts in their own digits (Myanmar's
    #: official and everyday writing uses ၀-၉); identifiers and phones keep the digits typed.
    native_digits: tuple = ()
    #: What its first-level divisions are called (wording.SUBDIVISIONS).
    subdivision: str = "province"
    #: The open data's licence as a Data Package `licenses` entry; None: CC BY 4.0.
    open_data_licence: dict = None

    def province(self, code):
        return self._by_code().get(code)

    def find_province(self, text):
        """A province by ISO code or by English name or alias, any case: the import accepts both."""
        key = clean_text(text).casefold()
        return self._by_code().get(key.upper()) or self._by_name().get(key)

    def _by_code(self):
        return _index(self)[0]

    def _by_name(self):
        return _index(self)[1]


def for_config(config):
    return load(config["REGISTRY_COUNTRY"], config.get("REGISTRY_COUNTRY_PROFILE") or None)


@cache
def load(code, path=None):
    """The shipped profile for `code`, or the ministry's own file at `path` (same schema)."""
    path = Path(path) if path else HERE / f"{code.upper()}.json"
    if not path.exists():
        raise ValueError(f"unknown country profile {code!r}: use KH or MM, or set "
                         f"REGISTRY_COUNTRY_PROFILE to a profile file")
    data = json.loads(path.read_text(encoding="utf-8"))
    provinces = tuple(Province(p["code"], p["name"], tuple(p.get("aliases", ())))
                      for p in data["provinces"])
    return CountryProfile(data["code"], data["name"], data["currency"], data["default_language"],
                          data["phone_region"], data["ministry"], provinces,
                          tuple(data.get("common_destinations", ())),
                          data.get("timezone", "UTC"), dict(data.get("currency_digits", {})),
                          tuple(data.get("native_digits", ())),
                          data.get("subdivision", "province"), data.get("open_data_licence"))


@cache
def _index(profile):
    by_code = {p.code: p for p in profile.provinces}
    by_name = {}
    for p in profile.provinces:
        for name in (p.names["en"], *p.aliases):
            by_name[clean_text(name).casefold()] = p
    return by_code, by_name
