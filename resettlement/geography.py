"""Welsh geography as reference data: local authorities, police force areas and youth justice services.

Youth justice services change over time (Western Bay merged Bridgend, Neath Port Talbot and Swansea from
29 May 2014 until 2019), so each service carries a validity period and a record is mapped to the service that
existed on the record's own date.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Literal, TypeGuard, get_args

import polars as pl


@dataclass(frozen=True)
class LocalAuthority:
    code: str
    name_en: str
    name_cy: str
    police_area: str


@dataclass(frozen=True)
class PoliceArea:
    code: str
    name_en: str
    name_cy: str


@dataclass(frozen=True)
class Service:
    """A youth justice service (formerly YOT) covering ``la_codes`` from ``valid_from`` to ``valid_to``.

    ``valid_to`` is exclusive; ``None`` means still current.
    """

    code: str
    name_en: str
    name_cy: str
    la_codes: tuple[str, ...]
    valid_from: date
    valid_to: date | None = None

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


POLICE_AREAS: tuple[PoliceArea, ...] = (
    PoliceArea("W15000001", "North Wales", "Gogledd Cymru"),
    PoliceArea("W15000002", "Gwent", "Gwent"),
    PoliceArea("W15000003", "South Wales", "De Cymru"),
    PoliceArea("W15000004", "Dyfed-Powys", "Dyfed-Powys"),
)
_NW, _GW, _SW, _DP = (p.code for p in POLICE_AREAS)

LOCAL_AUTHORITIES: tuple[LocalAuthority, ...] = (
    LocalAuthority("W06000001", "Isle of Anglesey", "Ynys Môn", _NW),
    LocalAuthority("W06000002", "Gwynedd", "Gwynedd", _NW),
    LocalAuthority("W06000003", "Conwy", "Conwy", _NW),
    LocalAuthority("W06000004", "Denbighshire", "Sir Ddinbych", _NW),
    LocalAuthority("W06000005", "Flintshire", "Sir y Fflint", _NW),
    LocalAuthority("W06000006", "Wrexham", "Wrecsam", _NW),
    LocalAuthority("W06000008", "Ceredigion", "Ceredigion", _DP),
    LocalAuthority("W06000009", "Pembrokeshire", "Sir Benfro", _DP),
    LocalAuthority("W06000010", "Carmarthenshire", "Sir Gaerfyrddin", _DP),
    LocalAuthority("W06000011", "Swansea", "Abertawe", _SW),
    LocalAuthority("W06000012", "Neath Port Talbot", "Castell-nedd Port Talbot", _SW),
    LocalAuthority("W06000013", "Bridgend", "Pen-y-bont ar Ogwr", _SW),
    LocalAuthority("W06000014", "Vale of Glamorgan", "Bro Morgannwg", _SW),
    LocalAuthority("W06000015", "Cardiff", "Caerdydd", _SW),
    LocalAuthority("W06000016", "Rhondda Cynon Taf", "Rhondda Cynon Taf", _SW),
    LocalAuthority("W06000024", "Merthyr Tydfil", "Merthyr Tudful", _SW),
    LocalAuthority("W06000018", "Caerphilly", "Caerffili", _GW),
    LocalAuthority("W06000019", "Blaenau Gwent", "Blaenau Gwent", _GW),
    LocalAuthority("W06000020", "Torfaen", "Tor-faen", _GW),
    LocalAuthority("W06000021", "Monmouthshire", "Sir Fynwy", _GW),
    LocalAuthority("W06000022", "Newport", "Casnewydd", _GW),
    LocalAuthority("W06000023", "Powys", "Powys", _DP),
)
LA_CODES: tuple[str, ...] = tuple(la.code for la in LOCAL_AUTHORITIES)
LA_BY_CODE: dict[str, LocalAuthority] = {la.code: la for la in LOCAL_AUTHORITIES}
POLICE_AREA_OF: Mapping[str, str] = MappingProxyType({la.code: la.police_area for la in LOCAL_AUTHORITIES})
POLICE_BY_CODE: dict[str, PoliceArea] = {p.code: p for p in POLICE_AREAS}

# The Western Bay split date is not confirmed in public sources (about April 2019): an assumption, kept here once.
WESTERN_BAY_FROM = date(2014, 5, 29)
WESTERN_BAY_TO = date(2019, 4, 1)
_EPOCH = date(2000, 1, 1)

SERVICES: tuple[Service, ...] = (
    Service("gwynedd_ynys_mon", "Gwynedd & Ynys Môn", "Gwynedd ac Ynys Môn", ("W06000001", "W06000002"), _EPOCH),
    Service("conwy_denbighshire", "Conwy & Denbighshire", "Conwy a Sir Ddinbych", ("W06000003", "W06000004"), _EPOCH),
    Service("flintshire", "Flintshire", "Sir y Fflint", ("W06000005",), _EPOCH),
    Service("wrexham", "Wrexham", "Wrecsam", ("W06000006",), _EPOCH),
    Service("ceredigion", "Ceredigion", "Ceredigion", ("W06000008",), _EPOCH),
    Service("pembrokeshire", "Pembrokeshire", "Sir Benfro", ("W06000009",), _EPOCH),
    Service("carmarthenshire", "Carmarthenshire", "Sir Gaerfyrddin", ("W06000010",), _EPOCH),
    Service("swansea", "Swansea", "Abertawe", ("W06000011",), _EPOCH, WESTERN_BAY_FROM),
    Service(
        "neath_port_talbot", "Neath Port Talbot", "Castell-nedd Port Talbot", ("W06000012",), _EPOCH, WESTERN_BAY_FROM
    ),
    Service("bridgend", "Bridgend", "Pen-y-bont ar Ogwr", ("W06000013",), _EPOCH, WESTERN_BAY_FROM),
    Service(
        "western_bay",
        "Western Bay",
        "Bae'r Gorllewin",
        ("W06000011", "W06000012", "W06000013"),
        WESTERN_BAY_FROM,
        WESTERN_BAY_TO,
    ),
    Service("swansea", "Swansea", "Abertawe", ("W06000011",), WESTERN_BAY_TO),
    Service("neath_port_talbot", "Neath Port Talbot", "Castell-nedd Port Talbot", ("W06000012",), WESTERN_BAY_TO),
    Service("bridgend", "Bridgend", "Pen-y-bont ar Ogwr", ("W06000013",), WESTERN_BAY_TO),
    Service("vale_of_glamorgan", "Vale of Glamorgan", "Bro Morgannwg", ("W06000014",), _EPOCH),
    Service("cardiff", "Cardiff", "Caerdydd", ("W06000015",), _EPOCH),
    Service("cwm_taf", "Cwm Taf", "Cwm Taf", ("W06000016", "W06000024"), _EPOCH),
    Service(
        "blaenau_gwent_caerphilly",
        "Blaenau Gwent & Caerphilly",
        "Blaenau Gwent a Chaerffili",
        ("W06000018", "W06000019"),
        _EPOCH,
    ),
    Service(
        "monmouthshire_torfaen", "Monmouthshire & Torfaen", "Sir Fynwy a Thor-faen", ("W06000020", "W06000021"), _EPOCH
    ),
    Service("newport", "Newport", "Casnewydd", ("W06000022",), _EPOCH),
    Service("powys", "Powys", "Powys", ("W06000023",), _EPOCH),
)

#: The levels of an area filter: all Wales, or a police force area, youth justice service or local authority.
Level = Literal["wales", "police_area", "service", "la"]
AREA_LEVELS: tuple[Level, ...] = get_args(Level)
#: The levels a table or map breaks Wales into.
AreaLevel = Literal["la", "service", "police_area"]
BREAKDOWN_LEVELS: tuple[AreaLevel, ...] = get_args(AreaLevel)
#: Those and resettlement and review panels (RRPs, each covering a set of authorities): what a profile, the
#: completeness page and a viewer's access can be about.
AreaOrRrpLevel = Literal[AreaLevel, "rrp"]
AREA_OR_RRP_LEVELS: tuple[AreaOrRrpLevel, ...] = get_args(AreaOrRrpLevel)


def is_level(text: str) -> TypeGuard[Level]:
    """Whether ``text`` names a :data:`Level` (narrows it for the type checker)."""
    return text in AREA_LEVELS


def service_for(la_code: str, day: date) -> Service:
    """The youth justice service that covered ``la_code`` on ``day``."""
    for s in SERVICES:
        if la_code in s.la_codes and s.valid_on(day):
            return s
    raise KeyError(f"no youth justice service covers {la_code} on {day.isoformat()}")


def la_to_area(level: AreaLevel, day: date) -> dict[str, str]:
    """The area each authority belongs to at ``level``: itself, its police force area, or its service on ``day``."""
    if level == "la":
        return {c: c for c in LA_CODES}
    if level == "police_area":
        return dict(POLICE_AREA_OF)
    return {c: service_for(c, day).code for c in LA_CODES}


def service_periods() -> pl.DataFrame:
    """One row per (local authority, service period): the lookup behind :func:`attach_service`."""
    rows = [
        {"la_code": la, "service_code": s.code, "valid_from": s.valid_from, "valid_to": s.valid_to}
        for s in SERVICES
        for la in s.la_codes
    ]
    return pl.DataFrame(
        rows,
        schema={"la_code": pl.String, "service_code": pl.String, "valid_from": pl.Date, "valid_to": pl.Date},
    )


def attach_service(df: pl.DataFrame, date_col: str = "start_date", la_col: str = "la_code") -> pl.DataFrame:
    """Add ``service_code``: the service covering each row's authority on the row's own date (vectorised)."""
    periods = service_periods().sort("valid_from")
    out = (  # on the two key columns only, so a wide frame is never sorted (twice) in full
        df.select(date_col, la_col)
        .with_row_index("__row")
        .sort(date_col)
        .join_asof(
            periods.rename({"la_code": la_col}),
            left_on=date_col,
            right_on="valid_from",
            by=la_col,
            strategy="backward",
            check_sortedness=False,  # sorted by date above; the check cannot see inside 'by' groups
        )
        .sort("__row")
    )
    # join_asof finds the latest period started on or before the date; it must also not have ended.
    ended = pl.col("valid_to").is_not_null() & (pl.col(date_col) >= pl.col("valid_to"))
    service = out.select(pl.when(ended).then(None).otherwise(pl.col("service_code")).alias("service_code"))
    return df.with_columns(service.to_series())


def la_frame() -> pl.DataFrame:
    """The 22 authorities with their police force area."""
    return pl.DataFrame(
        [
            {"la_code": la.code, "name_en": la.name_en, "name_cy": la.name_cy, "police_area": la.police_area}
            for la in LOCAL_AUTHORITIES
        ]
    )


def with_police_area(df: pl.DataFrame, la_col: str = "la_code") -> pl.DataFrame:
    """Add ``police_area``: the police force area of each row's authority (null for an unknown code)."""
    lookup = la_frame().select(pl.col("la_code").alias(la_col), "police_area")
    return df.join(lookup, on=la_col, how="left")


def la_name(code: str, lang: str = "en") -> str:
    la = LA_BY_CODE[code]
    return la.name_cy if lang == "cy" else la.name_en


def police_name(code: str, lang: str = "en") -> str:
    p = POLICE_BY_CODE[code]
    return p.name_cy if lang == "cy" else p.name_en


def service_name(code: str, lang: str = "en") -> str:
    for s in SERVICES:
        if s.code == code:
            return s.name_cy if lang == "cy" else s.name_en
    raise KeyError(code)


def service_codes() -> tuple[str, ...]:
    """Distinct service codes, in declaration order."""
    return tuple(dict.fromkeys(s.code for s in SERVICES))


def area_name(level: Level, code: str, lang: str = "en") -> str:
    """Display name of an area at any level."""
    if level == "la":
        return la_name(code, lang)
    if level == "police_area":
        return police_name(code, lang)
    if level == "service":
        return service_name(code, lang)
    return "Cymru" if lang == "cy" else "Wales"


def area_la_codes(level: Level, code: str | None) -> tuple[str, ...]:
    """Every authority an area has ever covered (a service is further narrowed by date in :func:`attach_service`)."""
    if level == "wales" or code is None:
        return LA_CODES
    if level == "la":
        return (code,)
    if level == "police_area":
        return tuple(la.code for la in LOCAL_AUTHORITIES if la.police_area == code)
    if level == "service":
        return tuple(dict.fromkeys(la for s in SERVICES if s.code == code for la in s.la_codes))
    raise ValueError(f"unknown area level {level!r}")


def area_codes(level: AreaLevel) -> tuple[str, ...]:
    """Every area code at a level: authorities, police force areas or youth justice services."""
    if level == "la":
        return LA_CODES
    if level == "police_area":
        return tuple(p.code for p in POLICE_AREAS)
    if level == "service":
        return service_codes()
    raise ValueError(f"unknown area level {level!r}")


def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form: ``"Rhondda, Cynon, Taff"`` → ``"rhondda cynon taff"``.

    The one text folding: authority names here, and every spelling the importer matches (headers, labels, tokens).
    """
    decomposed = unicodedata.normalize("NFKD", str(text))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    stripped = stripped.replace("&", " and ").replace("'", "").replace("\u2019", "")
    return " ".join(re.sub(r"[^0-9a-z#/]+", " ", stripped).split())


_ALIASES: dict[str, str] = {}
for _la in LOCAL_AUTHORITIES:
    for _n in (_la.code, _la.name_en, _la.name_cy):
        _ALIASES[fold(_n)] = _la.code
for _alias, _code in {
    "Anglesey": "W06000001",
    "Ynys Mon": "W06000001",
    "Rhondda, Cynon, Taff": "W06000016",
    "Rhondda Cynon Taff": "W06000016",
    "RCT": "W06000016",
    "The Vale of Glamorgan": "W06000014",
    "Vale of Glamorgan": "W06000014",
    "Merthyr": "W06000024",
    "Neath Port Talbot": "W06000012",
    "Neath-Port Talbot": "W06000012",
    "Wrexham Maelor": "W06000006",
    "Newport City": "W06000022",
    "Cardiff City": "W06000015",
}.items():
    _ALIASES[fold(_alias)] = _code


def normalise_la(value: str) -> str | None:
    """Map a GSS code, English or Welsh name (any case, with or without diacritics, common variants) to its code."""
    if value is None:
        return None
    return _ALIASES.get(fold(str(value)))


def with_area_names(df: pl.DataFrame, level: AreaLevel, lang: str, code_col: str = "area_code") -> pl.DataFrame:
    """Add an ``area`` column with each area's name in ``lang``, first, before the code."""
    names = {code: area_name(level, code, lang) for code in area_codes(level)}
    out = df.with_columns(pl.col(code_col).replace_strict(names, default=pl.col(code_col)).alias("area"))
    return out.select("area", *[c for c in out.columns if c != "area"])
