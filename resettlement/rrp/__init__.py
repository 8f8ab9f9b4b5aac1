"""RRP activity: meetings, partner attendance and how soon the partnerships review children in custody.

Definitions (shown on the Definitions page as ``rrp.definitions``):

- **Which RRPs**: an area selects the RRPs that cover any of its authorities; a drill-down chooses one of them.
  Meeting and attendance figures describe the whole RRP, even when the area holds only some of its authorities.
- **Meeting measures** count meetings *dated* in the period (calendar quarters).
- **Meetings per quarter**: meetings dated in the quarter. Quarters that end before the RRP was established do not
  apply (null, not zero). **Quarters with no meeting**: quarters of the period, up to the data date and from the
  one the RRP was established in, with no meeting.
- **Gap between meetings**: days from one meeting of an RRP to its next. A gap counts in the period when its later
  meeting does (its earlier meeting may fall before the period). **Median gap** and **longest gap** per RRP.
  **Days since the last meeting**: from the RRP's latest meeting on or before the end of the period (or the data
  date, if earlier) to that day; it shows an RRP that has stopped meeting, which has no gaps to measure.
- **Case reviews**, **actions agreed**, **actions completed** and **escalations** (to strategic level) are sums of
  what meetings record; a blank is left out, never read as zero. A child reviewed at three meetings is three
  case reviews.
- **Action completion rate** = actions completed ÷ actions agreed, over meetings that record both. A meeting
  recording more actions completed than agreed fails the standard's check and is left out of the rate.
- **Attendance rate** = invitations attended ÷ invitations whose attendance is recorded. Only invited agencies
  count (an agency not invited cannot be absent). **Weak attendance**: a rate under :data:`WEAK_ATTENDANCE` (60%).
  That threshold is an assumption of this dashboard, not a published standard: change it in ``rrp/attendance.py``.
- **Reviewed before release**: custody and remand episodes starting in the period and released (release date
  recorded) that had a pre-release review, or any review at a meeting dated before the release date.
- **Days to first review**: from the start of the episode (entry to custody) to the first meeting at which the
  case was reviewed; a review before the start counts as 0 days. Median over episodes reviewed so far.
- **Referred**: an episode with an RRP recorded (``rrp_id``). Share referred = referred ÷ episodes starting in
  the period, by cohort.

Disclosure: counts of case reviews, actions, escalations and episodes describe children and are suppressed
when small; a rate is hidden when its numerator or the rest of its denominator is (``rates={rate: (num, den)}``).
Meetings and agency invitations are not about children and are shown as they are; an attendance rate is hidden
only when fewer invitations than the threshold have attendance recorded (too few to be reliable), and a median of
days only when fewer episodes than the threshold were reviewed.

The package, one job a module: :mod:`~resettlement.rrp.partnerships` (which RRPs, their names),
:mod:`~resettlement.rrp.meetings` (meetings, gaps, what meetings record), :mod:`~resettlement.rrp.attendance`
(partner attendance), :mod:`~resettlement.rrp.reviews` (reviews of cases, referrals) and
:mod:`~resettlement.rrp.figures` (the page's figures and headline text).
"""

from resettlement.rrp.attendance import (
    AGENCY_TYPES,
    ATTENDANCE_RATES,
    WEAK_ATTENDANCE,
    attendance_by,
    attendance_matrix,
    attendance_trend,
    flag_weak,
    invitations,
    matrix_wide,
    weak_cells,
    weak_text,
)
from resettlement.rrp.figures import (
    HEADLINE_COUNTS,
    HEADLINE_RATES,
    activity_figures,
    attendance_trend_of,
    case_figures,
    headline,
    stacked,
    texts,
)
from resettlement.rrp.meetings import (
    ACTIVITY_COUNTS,
    ACTIVITY_RATES,
    SUMMARY_COLUMNS,
    activity_by_quarter,
    activity_summary,
    activity_total,
    gaps_long,
    meetings_per_quarter,
    select_meetings,
)
from resettlement.rrp.partnerships import (
    ALL,
    GENERIC_NAME_WORDS,
    la_codes_of,
    period_quarters,
    ratio,
    rrp_names,
    rrps_for_area,
)
from resettlement.rrp.reviews import (
    BIN_CODES,
    DAY_BINS,
    FIRST_REVIEW_COUNTS,
    FIRST_REVIEW_RATES,
    NOT_REVIEWED,
    REFERRAL_COUNTS,
    REFERRAL_RATES,
    RELEASE_COUNTS,
    RELEASE_RATES,
    bin_code,
    bin_labels,
    case_reviews,
    first_review,
    first_review_bins,
    referral_shares,
    release_reviews,
)

__all__ = [
    "ACTIVITY_COUNTS",
    "ACTIVITY_RATES",
    "AGENCY_TYPES",
    "ALL",
    "ATTENDANCE_RATES",
    "BIN_CODES",
    "DAY_BINS",
    "FIRST_REVIEW_COUNTS",
    "FIRST_REVIEW_RATES",
    "GENERIC_NAME_WORDS",
    "HEADLINE_COUNTS",
    "HEADLINE_RATES",
    "NOT_REVIEWED",
    "REFERRAL_COUNTS",
    "REFERRAL_RATES",
    "RELEASE_COUNTS",
    "RELEASE_RATES",
    "SUMMARY_COLUMNS",
    "WEAK_ATTENDANCE",
    "activity_by_quarter",
    "activity_figures",
    "activity_summary",
    "activity_total",
    "attendance_by",
    "attendance_matrix",
    "attendance_trend",
    "attendance_trend_of",
    "bin_code",
    "bin_labels",
    "case_figures",
    "case_reviews",
    "first_review",
    "first_review_bins",
    "flag_weak",
    "gaps_long",
    "headline",
    "invitations",
    "la_codes_of",
    "matrix_wide",
    "meetings_per_quarter",
    "period_quarters",
    "ratio",
    "referral_shares",
    "release_reviews",
    "rrp_names",
    "rrps_for_area",
    "select_meetings",
    "stacked",
    "texts",
    "weak_cells",
    "weak_text",
]
