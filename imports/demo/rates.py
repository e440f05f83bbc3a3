"""Rates the synthetic authority is calibrated to (England 2023/24;
docs/domain.md#the-demos-calibration).

Per-year rates by NC year (Reception = 0) and relative risks; the generator normalises the
risks so that the population as a whole meets the national rates.
"""

from __future__ import annotations

from collections.abc import Mapping

# Suspensions per 100 pupils by NC year: Year 6 the primary peak, Year 7 about 4 x Year 6,
# Year 9 the highest; primary mean 2.3, secondary mean 22.
SUSPENSIONS_PER_100 = (0.5, 1.1, 1.6, 2.2, 2.7, 3.4, 4.6, 18.4, 24.0, 27.0, 25.5, 15.1)
SPECIAL_SUSPENSIONS_PER_100 = 14.0
PRU_SUSPENSIONS_PER_100 = 60.0
# Permanent exclusions per 100 by NC year: primary mean 0.03, secondary 0.25, Year 10 highest.
PERMANENT_PER_100 = (0.005, 0.01, 0.015, 0.025, 0.035, 0.05, 0.07, 0.15, 0.25, 0.32, 0.36, 0.17)
SPECIAL_PERMANENT_PER_100 = 0.05
PRU_PERMANENT_PER_100 = 0.3
SUSPENSIONS_PER_SUSPENDED_PUPIL = 2.8
LUNCHTIME_PER_SUSPENSION = 0.06

SEX_RISK = {"M": (1.5, 2.0), "F": (1.0, 1.0)}  # (suspension, permanent)
FSM_RISK = (4.0, 5.5)
SEN_RISK = {"N": (1.0, 1.0), "K": (4.0, 5.0), "E": (3.0, 3.6)}
ETHNICITY_RISK = {
    "WROM": (3.5, 4.0),
    "WIRT": (3.0, 3.5),
    "MWBC": (1.7, 1.6),
    "BCRB": (1.4, 1.7),
    "BOTH": (1.1, 1.2),
    "BAFR": (0.7, 0.8),
    "AIND": (0.3, 0.3),
    "APKN": (0.6, 0.5),
    "ABAN": (0.5, 0.5),
    "AOTH": (0.5, 0.5),
    "CHNE": (0.2, 0.2),
}

# West Midlands-like pupil mix (shares, not exact figures).
ETHNICITY_MIX = {
    "WBRI": 50.0, "WIRI": 0.5, "WIRT": 0.3, "WOTH": 5.0, "WROM": 1.0, "MWBC": 3.5, "MWBA": 1.0,
    "MWAS": 1.5, "MOTH": 2.0, "AIND": 6.0, "APKN": 12.0, "ABAN": 3.0, "AOTH": 2.5, "BCRB": 3.0,
    "BAFR": 4.5, "BOTH": 1.0, "CHNE": 0.5, "OOTH": 2.0, "REFU": 1.0, "NOBT": 0.2,
}  # fmt: skip
BOY_SHARE = 0.51
FSM_SHARE = 0.27
SEN_MIX = {"N": 84.0, "K": 13.0, "E": 3.0}
SPECIAL_SCHOOL_SHARE = 0.018

# Shares of suspension reasons; permanent exclusions lean to assault (PA tops primary PEX).
SUSPENSION_REASONS = {
    "DB": 50.0, "VA": 16.0, "PP": 13.0, "PA": 6.0, "VP": 4.0, "DM": 2.5, "DA": 2.0, "OW": 1.5,
    "BU": 1.0, "RA": 1.0, "SM": 1.0, "MT": 1.0, "TH": 0.5, "LG": 0.3, "DS": 0.1, "PH": 0.1,
}  # fmt: skip
SECONDARY_PERMANENT_REASONS = {
    "DB": 34.0, "PA": 15.0, "PP": 14.0, "VA": 10.0, "OW": 9.0, "DA": 8.0, "SM": 3.0, "VP": 3.0,
    "DM": 2.0, "BU": 1.0, "RA": 1.0,
}  # fmt: skip
PRIMARY_PERMANENT_REASONS = {"PA": 40.0, "PP": 22.0, "DB": 20.0, "VA": 10.0, "DM": 5.0, "VP": 3.0}
REASON_COUNT_WEIGHTS = (85.0, 12.0, 3.0)  # one, two or three reasons
SUSPENSION_SESSIONS = {1: 8.0, 2: 48.0, 3: 6.0, 4: 18.0, 6: 9.0, 8: 3.0, 10: 6.0, 20: 2.0}

# Mobility per term: moves between the authority's schools, leaving it, and joining it.
MOVE_PER_TERM = 0.014
LEAVE_LA_PER_TERM = 0.004
TEMPORARY_UPN_SHARE_OF_JOINERS = 0.3
SIBLING_SHARE = 0.45  # children who join an older brother or sister's household


def mean_risk(
    mix: Mapping[str, float], risk: Mapping[str, tuple[float, float]], index: int
) -> float:
    """The population mean of one relative risk, for normalising the product of risks."""
    total = sum(mix.values())
    return sum(weight * risk.get(code, (1.0, 1.0))[index] for code, weight in mix.items()) / total


def risk_normaliser(index: int) -> float:
    """Mean of sex x FSM x SEN x ethnicity risks (index 0 suspension, 1 permanent)."""
    sex = BOY_SHARE * SEX_RISK["M"][index] + (1 - BOY_SHARE) * SEX_RISK["F"][index]
    fsm = FSM_SHARE * FSM_RISK[index] + (1 - FSM_SHARE)
    return (
        sex
        * fsm
        * mean_risk(SEN_MIX, SEN_RISK, index)
        * mean_risk(ETHNICITY_MIX, ETHNICITY_RISK, index)
    )
