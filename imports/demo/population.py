"""Invented pupils and their households: names, dates of birth, risk factors, addresses, UPNs.

UPNs carry valid check letters; temporary ones end in a letter serial (docs/domain.md#upns).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field

from exclusion_monitor.upn import CHECK_LETTERS, check_letter
from imports.demo import rates
from imports.demo.names import BOYS, GIRLS, POSTCODE_AREAS, STREET_ENDINGS, SURNAMES
from imports.demo.names import PLACES as STREETS
from imports.demo.records import Pupil

_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


class UpnAllocator:
    """Hands out unique UPNs per (LA, establishment, year of allocation)."""

    def __init__(self) -> None:
        self._permanent: dict[tuple[str, str, int], int] = {}
        self._temporary: dict[tuple[str, str, int], int] = {}

    def permanent(self, la: str, establishment: str, year: int) -> str:
        key = (la, establishment, year % 100)
        serial = self._permanent.get(key, 0) + 1
        if serial > 999:  # a school allocating over 999 in a year: borrow the next number
            return self.permanent(la, f"{(int(establishment) + 1) % 10_000:04d}", year)
        self._permanent[key] = serial
        body = f"{la}{establishment}{year % 100:02d}{serial:03d}"
        return check_letter(body) + body

    def temporary(self, la: str, establishment: str, year: int) -> str:
        key = (la, establishment, year % 100)
        serial = self._temporary.get(key, 0)
        self._temporary[key] = serial + 1
        suffix = f"{serial // 23 % 100:02d}{CHECK_LETTERS[serial % 23]}"
        body = f"{la}{establishment}{year % 100:02d}{suffix}"
        return check_letter(body) + body


@dataclass
class Household:
    hid: int
    surname: str
    address: str
    postcode: str
    area: int
    ethnicity: str
    fsm: bool
    children: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Risk:
    """A pupil's relative risks (suspension, permanent) and lifelong frailty."""

    suspension: float
    permanent: float
    mobility: float


class PopulationBuilder:
    """Creates pupils one at a time; siblings share a household's address and family reference."""

    def __init__(self, la: str, areas: int, rng: random.Random) -> None:
        self.la = la
        self.areas = areas
        self.rng = rng
        self.upns = UpnAllocator()
        self.households: list[Household] = []
        self._recent: dict[int, list[int]] = {}  # reception year -> households started then
        self._norm = (rates.risk_normaliser(0), rates.risk_normaliser(1))
        self._ethnic_codes = list(rates.ETHNICITY_MIX)
        self._ethnic_weights = list(rates.ETHNICITY_MIX.values())

    def household_for(self, reception_year: int, area: int | None = None) -> Household:
        """An older sibling's household (about SIBLING_SHARE of the time) or a new one."""
        rng = self.rng
        if area is None and rng.random() < rates.SIBLING_SHARE:
            pool = [
                hid
                for year in range(reception_year - 4, reception_year)
                for hid in self._recent.get(year, ())[-40:]
            ]
            candidates = [hid for hid in pool if len(self.households[hid].children) < 4]
            if candidates:
                return self.households[rng.choice(candidates)]
        household = self.new_household(area if area is not None else rng.randrange(self.areas))
        self._recent.setdefault(reception_year, []).append(household.hid)
        return household

    def new_household(self, area: int) -> Household:
        rng = self.rng
        outward = f"{POSTCODE_AREAS.get(self.la, 'B')}{area % 9 + 1}"
        inward = f"{rng.randint(1, 9)}{rng.choice(_INWARD_LETTERS)}{rng.choice(_INWARD_LETTERS)}"
        household = Household(
            hid=len(self.households),
            surname=rng.choice(SURNAMES),
            address=f"{rng.randint(1, 180)} {rng.choice(STREETS)} {rng.choice(STREET_ENDINGS)}",
            postcode=f"{outward} {inward}",
            area=area,
            ethnicity=rng.choices(self._ethnic_codes, self._ethnic_weights)[0],
            fsm=rng.random() < rates.FSM_SHARE,
        )
        self.households.append(household)
        return household

    def pupil(
        self,
        pid: int,
        reception_year: int,
        household: Household,
        upn: str,
        *,
        sen: str | None = None,
        temporary_upn: str | None = None,
        upn_from: dt.date | None = None,
    ) -> tuple[Pupil, Risk]:
        rng = self.rng
        sex = "M" if rng.random() < rates.BOY_SHARE else "F"
        start = dt.date(reception_year - 5, 9, 1)
        born = start + dt.timedelta(days=rng.randrange(365))
        if sen is None:
            sen = rng.choices(list(rates.SEN_MIX), list(rates.SEN_MIX.values()))[0]
        surname = household.surname if rng.random() < 0.9 else rng.choice(SURNAMES)
        household.children.append(pid)
        pupil = Pupil(
            pid=pid,
            upn=upn,
            surname=surname,
            forename=rng.choice(BOYS if sex == "M" else GIRLS),
            date_of_birth=born,
            sex=sex,
            ethnicity=household.ethnicity,
            fsm=household.fsm,
            sen=sen,
            reception_year=reception_year,
            household=household.hid,
            address=household.address,
            postcode=household.postcode,
            family_ref=f"F{household.hid + 1:06d}",
            temporary_upn=temporary_upn,
            upn_from=upn_from,
        )
        return pupil, self.risk(pupil)

    def risk(self, pupil: Pupil) -> Risk:
        rng = self.rng
        values = []
        for index in (0, 1):
            value = rates.SEX_RISK[pupil.sex][index] * rates.SEN_RISK[pupil.sen][index]
            value *= rates.FSM_RISK[index] if pupil.fsm else 1.0
            value *= rates.ETHNICITY_RISK.get(pupil.ethnicity, (1.0, 1.0))[index]
            values.append(value / self._norm[index])
        frailty = math.exp(rng.gauss(0.0, 0.6) - 0.18)
        mobility = math.exp(rng.gauss(0.0, 0.9) - 0.405)
        return Risk(values[0] * frailty, values[1] * frailty, mobility)
