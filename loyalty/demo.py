"""Synthetic, deterministic demo data for every table of the data contract.

`generate(workspace)` fills transactions, customers, surveys, contacts, measures, measure_participants,
targets and points of a garden/home retailer ("Gartenfachmarkt") with plausible, internally consistent
data and marks the workspace as demo. Same seed and size -> identical data (the dates do not depend on
today: the default period ends on the last day of the month before REFERENCE_DATE).

Scale: customers are simulated in chunks of CHUNK_CUSTOMERS (numpy-vectorised inside a chunk, no Python
loop per customer or line); transactions are streamed to the store as Arrow record batches and the other
per-customer tables go to staged Parquet files, so memory stays bounded (10 M transaction rows need
about 670,000 customers).

The model
- Customers sign up continuously (about a quarter in the first months of the period: the existing base
  when data capture started; then steady growth with spring and December peaks), so cohorts exist.
  customer_id "K000001"... is assigned in signup order; signup_date is the day of the first purchase
  (8 % register without buying). Segments: Privatkunden, Stammkunden, Gewerbekunden, Gelegenheitskäufer;
  regions Nord/Süd/West/Ost, each with two stores. ~35 % loyalty members (tier Bronze/Silber/Gold by
  their revenue of the last 12 months), ~45 % newsletter opt-in; acquired_via referral (~15 %, referred_by
  is an earlier customer, preferably a satisfied buyer), ad, store, online.
- Buying is BG/NBD-like: each customer has a gamma-distributed purchase rate (per segment) and a
  dropout probability after every purchase (logit-normal), so customers churn silently. A latent
  satisfaction (standard normal) raises the purchase rate (x exp(0.3 s)) and lowers the dropout; it
  also drives survey answers, complaints and referrals. Orders follow a seasonal calendar (December
  and spring peaks, Saturdays strong, Sundays online only); 1-n lines per order over 8 categories with
  seasonal mixes (Garten/Pflanzen/Dünger in spring, Grill in summer, Deko in winter) and cross-buying
  affinities (Pflanzen -> Dünger/Garten, Grill -> Garten/Haushalt, Garten <-> Werkzeug, Deko <-> Haushalt,
  Tierbedarf -> Tierbedarf) plus a favourite category per customer. Channels Filiale / Online / Telefon
  (store: the branch, "Online-Shop" for online orders, empty for phone orders). About 3 % of lines are
  returned later (a negative line with the same order_id, negative quantity). Margin per line is a
  category-dependent rate (25-45 %) of the gross value minus any discount.
- Surveys: ~16 % of the customers answer 1+ times a few days after a purchase; nps and csat both follow
  the latent satisfaction (and are lower after an order with a complaint); ~10 % anonymous, a part
  csat-only (most "Lieferung" surveys), German comments matching the score.
- Contacts: inquiries and complaints after ~5 % of orders (more for dissatisfied and online customers)
  plus general inquiries. Complaints are resolved quickly (~70 %), slowly (14-90 days, ~22 %) or never
  (~8 %). A complaint makes the customer stop buying with probability 3 % (quick), 30 % (slow) or 60 %
  (never resolved): unresolved complaints drive churn, resolved customers recover.
- Points: members earn 1 point per euro of an order (from member_since; double points for the
  treatment group of M01 during the campaign), redeem 500-point blocks (negative points) and lose their
  balance after 365 days without purchase (type expire, negative points); value_per_point 0.01.
- Targets: per fiscal year (12-month blocks ending at end_date) for all KPIs, per full calendar quarter
  for revenue/orders/active_customers, per segment and year for revenue/active_customers/
  repeat_purchase_rate; each = the actual value x a random factor (~0.93-1.12), so some are met, some
  missed. KPI definitions used: see `_TARGET_SQL`.

Built-in measure effects (multiplier on the purchase rate of the treatment group; control groups are
drawn at random within the eligible customers, so treatment vs. control recovers the effect):

    id   name                           instrument      eligible                         control  effect
    M01  Bonusprogramm Doppelte Punkte  bonus_program   loyalty members                  25 %     +40 % for all segments from
                                                                                                  assignment to end + 90 days
    M02  Newsletter Frühjahr            newsletter      newsletter opt-in                20 %     none (null effect)
    M03  Kundenevent Grillabend         event           loyalty members                  30 %     +60 % only for Stammkunden,
                                                                                                  event day .. +120 days;
                                                                                                  0 for the other segments
    M04  Service-Upgrade Premium        service         Gewerbekunden                    none     +30 % purchase rate and
                                                                                                  dropout x 0.3 from the
                                                                                                  (staggered) assignment on;
                                                                                                  starts 1 January, so 6-month
                                                                                                  pre/post windows are
                                                                                                  seasonally alike
    M05  Rabattaktion Stammkunden       discount        Stammkunden                      25 %     +60 % during the 4 campaign
                                                                                                  weeks only, 10 % discount on
                                                                                                  those lines; nothing after

Eligible customers signed up at least 30 days before the measure start (members: joined by then).
`BUILT_IN_EFFECTS` holds the same numbers for tests. Because dropout happens per purchase, a higher
rate also pulls purchases forward: long after an effect window treatment may even fall slightly behind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from loyalty.contract import TABLES
from loyalty.store import Workspace

REFERENCE_DATE = date(2026, 10, 31)  # fixed, so the default period does not depend on today
CHUNK_CUSTOMERS = 20_000
VALUE_PER_POINT = 0.01
SOURCE = "demo"

CATEGORIES = ("Garten", "Pflanzen", "Dünger", "Werkzeug", "Haushalt", "Deko", "Tierbedarf", "Grill")
CATEGORY_CODES = ("GA", "PF", "DU", "WZ", "HH", "DK", "TB", "GR")
CATEGORY_PRICE = np.array([32.0, 11.0, 14.0, 38.0, 16.0, 13.0, 19.0, 55.0])  # median net price per unit
CATEGORY_MARGIN = np.array([0.32, 0.45, 0.38, 0.28, 0.30, 0.44, 0.25, 0.27])
CATEGORY_QTY = np.array([0.1, 0.9, 0.3, 0.0, 0.3, 0.4, 0.5, 0.0])  # extra units (Poisson mean)
PRODUCTS_PER_CATEGORY = 60
BASE_SHARE = np.array([0.15, 0.16, 0.08, 0.12, 0.16, 0.10, 0.13, 0.10])
# seasonal factor per month (rows Jan..Dec) and category
CATEGORY_SEASON = np.array([
    # Gar  Pfl  Dün  Wkz  Hh   Deko Tier Grill
    [0.5, 0.4, 0.3, 1.0, 1.1, 0.8, 1.0, 0.2],  # Jan
    [0.6, 0.5, 0.5, 1.0, 1.0, 0.8, 1.0, 0.2],  # Feb
    [1.5, 1.8, 2.0, 1.1, 1.0, 1.2, 1.0, 0.5],  # Mar
    [1.7, 2.2, 2.2, 1.1, 0.9, 1.2, 1.0, 1.3],  # Apr
    [1.6, 2.0, 1.8, 1.0, 0.9, 0.9, 1.0, 2.4],  # May
    [1.3, 1.3, 1.1, 1.0, 0.9, 0.8, 1.0, 2.6],  # Jun
    [1.1, 1.0, 0.9, 1.0, 0.9, 0.8, 1.0, 2.5],  # Jul
    [1.0, 0.9, 0.8, 1.0, 1.0, 0.8, 1.0, 2.0],  # Aug
    [1.0, 1.2, 1.0, 1.0, 1.0, 0.9, 1.0, 1.2],  # Sep
    [0.9, 1.2, 0.7, 1.0, 1.0, 1.2, 1.0, 0.5],  # Oct
    [0.5, 0.7, 0.3, 1.1, 1.1, 2.2, 1.0, 0.3],  # Nov
    [0.4, 0.8, 0.2, 1.4, 1.2, 2.8, 1.1, 0.6],  # Dec
])
# order intensity per month (Jan..Dec) and weekday (Mon..Sun)
MONTH_INTENSITY = np.array([0.75, 0.75, 1.10, 1.25, 1.25, 1.05, 0.95, 0.90, 0.90, 0.90, 1.05, 1.45])
WEEKDAY_INTENSITY = np.array([0.9, 0.9, 0.9, 0.95, 1.1, 1.5, 0.35])
# cross-buying: factor on the chance of the next line's category given the previous line's category
AFFINITY = np.ones((8, 8))
for _a, _b, _f in (
    ("Pflanzen", "Dünger", 6.0), ("Dünger", "Pflanzen", 5.0), ("Pflanzen", "Garten", 2.0),
    ("Garten", "Pflanzen", 2.0), ("Garten", "Werkzeug", 4.0), ("Werkzeug", "Garten", 4.0),
    ("Grill", "Garten", 4.0), ("Garten", "Grill", 2.0), ("Grill", "Haushalt", 3.0), ("Deko", "Haushalt", 3.5),
    ("Haushalt", "Deko", 3.5), ("Tierbedarf", "Tierbedarf", 4.0), ("Garten", "Dünger", 2.0),
):
    AFFINITY[CATEGORIES.index(_a), CATEGORIES.index(_b)] = _f
AFFINITY[np.arange(8), np.arange(8)] = np.maximum(AFFINITY[np.arange(8), np.arange(8)], 1.4)

SEGMENTS = ("Privatkunden", "Stammkunden", "Gewerbekunden", "Gelegenheitskäufer")
SEGMENT_SHARE = np.array([0.45, 0.20, 0.10, 0.25])
SEGMENT_RATE = np.array([1.0, 1.9, 2.1, 0.5])  # purchase-rate multiplier
SEGMENT_DROP = np.array([0.0, -0.9, -0.6, 0.7])  # logit shift of the dropout probability
SEGMENT_LINES = np.array([2.4, 2.6, 3.4, 1.8])  # mean lines per order
SEGMENT_QTY = np.array([0.3, 0.35, 1.8, 0.2])  # extra units per line (Poisson mean)
SEGMENT_ONLINE = np.array([0.32, 0.25, 0.15, 0.42])  # mean share of online orders
SEGMENT_PHONE = np.array([0.03, 0.04, 0.25, 0.02])
SEGMENT_MEMBER = np.array([0.38, 0.72, 0.28, 0.18])
SEGMENT_INTEREST = np.array([  # favourite category
    [0.14, 0.16, 0.07, 0.10, 0.18, 0.12, 0.15, 0.08],
    [0.20, 0.22, 0.10, 0.10, 0.10, 0.08, 0.12, 0.08],
    [0.30, 0.14, 0.14, 0.30, 0.04, 0.02, 0.02, 0.04],
    [0.08, 0.10, 0.04, 0.08, 0.22, 0.22, 0.10, 0.16],
])
BASE_RATE = 3.3  # purchases per year of an average Privatkunde
BASE_DROP_LOGIT = -2.3

REGIONS = ("Nord", "Süd", "West", "Ost")
REGION_SHARE = np.array([0.22, 0.30, 0.30, 0.18])
STORES = ("Hamburg", "Bremen", "München", "Stuttgart", "Köln", "Dortmund", "Berlin", "Leipzig")
ONLINE_STORE = "Online-Shop"
CHANNELS = ("Filiale", "Online", "Telefon")
ACQUISITION = ("referral", "ad", "store", "online")
ACQUISITION_SHARE = np.array([0.15, 0.30, 0.35, 0.20])
TIERS = ("Bronze", "Silber", "Gold")

CONTACT_CHANNELS = ("phone", "email", "letter", "chat", "store")
# contact channel mix by order channel (Filiale, Online, Telefon)
CONTACT_CHANNEL_MIX = np.array([
    [0.35, 0.15, 0.05, 0.00, 0.45],
    [0.25, 0.45, 0.03, 0.27, 0.00],
    [0.75, 0.17, 0.05, 0.03, 0.00],
])
COMPLAINT_REASONS = ("Lieferverzug", "Produktmangel", "Falschlieferung", "Rechnung", "Unfreundliche Beratung",
                     "Wartezeit", "Rücksendung")
COMPLAINT_MIX = np.array([  # by order channel
    [0.00, 0.42, 0.00, 0.10, 0.20, 0.15, 0.13],
    [0.35, 0.25, 0.15, 0.10, 0.00, 0.00, 0.15],
    [0.30, 0.25, 0.15, 0.15, 0.05, 0.05, 0.05],
])
INQUIRY_REASONS = ("Beratung", "Produktfrage", "Lieferstatus", "Rechnung", "Rücksendung", "Kundenkonto",
                   "Bonuspunkte", "Öffnungszeiten")
INQUIRY_MIX = np.array([
    [0.40, 0.30, 0.00, 0.10, 0.10, 0.02, 0.05, 0.03],
    [0.10, 0.25, 0.30, 0.12, 0.13, 0.07, 0.03, 0.00],
    [0.25, 0.25, 0.20, 0.15, 0.10, 0.03, 0.02, 0.00],
])
GENERAL_INQUIRY_MIX = np.array([0.35, 0.25, 0.00, 0.05, 0.00, 0.15, 0.10, 0.10])
CHURN_AFTER_COMPLAINT = np.array([0.03, 0.30, 0.60])  # resolved quickly, slowly, never

TOUCHPOINTS = ("Filiale", "Online-Shop", "Hotline", "Lieferung")
COMMENTS_NEGATIVE = (
    "Lieferung kam zu spät.", "Die Ware war beschädigt.", "Lange Wartezeit an der Kasse.",
    "Beratung war unfreundlich.", "Artikel war nicht vorrätig.", "Rücksendung war umständlich.",
    "Preise sind zu hoch.", "Hotline schwer erreichbar.", "Reklamation wurde nicht bearbeitet.",
    "Pflanzen kamen welk an.",
)
COMMENTS_NEUTRAL = (
    "Alles in Ordnung.", "Auswahl könnte größer sein.", "Lieferung etwas langsam, sonst gut.",
    "Preis-Leistung passt.", "Online-Shop ist etwas unübersichtlich.", "Parkplätze sind knapp.",
)
COMMENTS_POSITIVE = (
    "Sehr freundliche und kompetente Beratung!", "Schnelle Lieferung, gerne wieder.",
    "Tolle Auswahl an Pflanzen.", "Das Bonusprogramm lohnt sich.", "Super Service bei der Reklamation.",
    "Kaufe hier immer gerne ein.", "Top Qualität, klare Empfehlung.", "Der Grillabend war klasse!",
)

TARGET_KPIS = ("active_customers", "orders", "revenue", "avg_order_value", "repeat_purchase_rate",
               "orders_per_customer", "nps", "csat")


@dataclass(frozen=True)
class MeasureSpec:
    measure_id: str
    name: str
    instrument: str
    start: int  # day index in the period
    end: int | None
    target_segment: str | None
    eligible: str  # members | newsletter | segment
    control_share: float
    effect: tuple[float, float, float, float]  # uplift of the purchase rate per segment (SEGMENTS order)
    effect_from: str  # "assigned" or "end" (event day)
    effect_days: int | None  # effect window length from effect_from; None = until the end of the data
    rollout_days: int = 0  # assignments spread over this many days after start
    fixed_cost: float = 0.0
    cost_per_participant: float = 0.0
    discount: float = 0.0  # price discount on the treatment group's lines inside [start, end]
    retention: float = 1.0  # factor on the treatment group's dropout probability after assignment


BUILT_IN_EFFECTS = {
    "M01": {s: 0.40 for s in SEGMENTS},
    "M02": {s: 0.0 for s in SEGMENTS},
    "M03": {"Privatkunden": 0.0, "Stammkunden": 0.60, "Gewerbekunden": 0.0, "Gelegenheitskäufer": 0.0},
    "M04": {"Privatkunden": 0.0, "Stammkunden": 0.0, "Gewerbekunden": 0.30, "Gelegenheitskäufer": 0.0},
    "M05": {"Privatkunden": 0.0, "Stammkunden": 0.60, "Gewerbekunden": 0.0, "Gelegenheitskäufer": 0.0},
}


def default_end_date() -> date:
    """Last day of the month before REFERENCE_DATE (fixed, so demo data never depends on today)."""
    return REFERENCE_DATE.replace(day=1) - timedelta(days=1)


def period(years: int = 3, end_date: date | None = None) -> tuple[date, date]:
    """First and last day of the demo data."""
    end = end_date or default_end_date()
    return _add_years(end, -years) + timedelta(days=1), end


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


# ---------------------------------------------------------------------------------------------- helpers
def _sample_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One category index per row of an (n, k) array of (unnormalised) weights."""
    cdf = np.cumsum(probs, axis=1)
    u = rng.random(len(probs)) * cdf[:, -1]
    return np.minimum((u[:, None] >= cdf).sum(axis=1), probs.shape[1] - 1)


def _sample(rng: np.random.Generator, p: np.ndarray, size: int) -> np.ndarray:
    cdf = np.cumsum(p / p.sum())
    return np.minimum(np.searchsorted(cdf, rng.random(size), side="right"), len(p) - 1)


def _labels(values: tuple[str, ...] | list[str], index: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """Strings by index (a dictionary take, fast); `mask` True = null."""
    idx = pa.array(index.astype(np.int32), mask=mask)
    return pa.array(values, type=pa.string()).take(idx)


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers.astype(np.int64)), pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(prefix, digits, "")


def _group_starts(sorted_keys: np.ndarray, n: int) -> np.ndarray:
    """Index of the first row of each key 0..n-1 in a sorted key array."""
    return np.searchsorted(sorted_keys, np.arange(n))


def _within_group_rank(sorted_keys: np.ndarray, n: int) -> np.ndarray:
    return np.arange(len(sorted_keys)) - _group_starts(sorted_keys, n)[sorted_keys]


def _group_cumsum(sorted_keys: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    total = np.cumsum(values)
    starts = _group_starts(sorted_keys, n)
    offset = np.zeros(n, dtype=total.dtype)
    has = starts < len(sorted_keys)
    offset[has] = total[starts[has]] - values[starts[has]]
    return total - offset[sorted_keys]


def _batch(table: str, columns: dict[str, pa.Array]) -> pa.RecordBatch:
    schema = TABLES[table].arrow_schema
    return pa.RecordBatch.from_arrays([columns[f.name] for f in schema], schema=schema)


# ---------------------------------------------------------------------------------------------- the model
class _Model:
    def __init__(self, customers: int, seed: int, years: int, end_date: date | None):
        if customers < 1:
            raise ValueError("customers must be at least 1")
        if years < 1:
            raise ValueError("years must be at least 1")
        self.n = int(customers)
        self.seed = int(seed)
        self.start, self.end = period(years, end_date)
        self.D = (self.end - self.start).days + 1
        self.start64 = np.datetime64(self.start, "D")
        days = self.start64 + np.arange(self.D)
        self.month = days.astype("datetime64[M]").astype(np.int64) % 12
        self.weekday = (days.astype(np.int64) + 3) % 7  # 0 = Monday
        w = MONTH_INTENSITY[self.month] * WEEKDAY_INTENSITY[self.weekday]
        w = w / w.mean()
        self.cum = np.concatenate([[0.0], np.cumsum(w) / 365.0])  # cumulative intensity in "years"
        self.id_width = max(6, len(str(self.n)))
        self.order_width = max(7, len(str(self.n * 12)))
        self.next_order = 1
        self.measures = self._measures()
        self._global_customers()
        self._products()

    # ------------------------------------------------------------------ global parts (cheap, O(customers))
    def _rng(self, *key: int) -> np.random.Generator:
        return np.random.default_rng(np.random.SeedSequence([self.seed, *key]))

    def _global_customers(self) -> None:
        rng = self._rng(0)
        n, D = self.n, self.D
        # signup: a quarter is the existing base (first ~6 months, decreasing), the rest grows steadily
        base = rng.random(n) < 0.25
        head = min(180, D)
        w = MONTH_INTENSITY[self.month] * (1.0 + 0.4 * np.arange(D) / D)
        signup = np.where(
            base,
            np.floor(head * (1.0 - np.sqrt(rng.random(n)))).astype(np.int64),
            _sample(rng, w, n),
        )
        self.signup = np.sort(signup)
        self.first_order = rng.random(n) < 0.92
        acq = _sample(rng, ACQUISITION_SHARE, n)
        acq[0] = ACQUISITION.index("store")  # the first customer cannot have been referred
        self.acquired = acq
        self.sat = rng.standard_normal(n) + 0.25 * (acq == 0)
        ref = np.full(n, -1, dtype=np.int64)
        who = np.nonzero(acq == 0)[0]
        if len(who):
            cand = np.floor(rng.random((len(who), 3)) * who[:, None]).astype(np.int64)
            score = self.sat[cand] + 2.0 * self.first_order[cand]
            ref[who] = cand[np.arange(len(who)), np.argmax(score, axis=1)]
        self.referred_by = ref

    def _products(self) -> None:
        rng = self._rng(2)
        k = PRODUCTS_PER_CATEGORY
        price = CATEGORY_PRICE[:, None] * rng.lognormal(0.0, 0.55, (8, k))
        self.price = (np.maximum(np.round(price), 1.0) - 0.01).ravel()  # x.99 prices
        pop = 1.0 / (np.arange(k) + 3.0) ** 1.1
        self.product_cdf = np.cumsum(pop / pop.sum())
        self.product_ids = [f"{code}-{j + 1:04d}" for code in CATEGORY_CODES for j in range(k)]

    def _day(self, d: date) -> int:
        return (d - self.start).days

    def _anchor(self, month: int, day: int, lo: float, hi_days: int, fallback: float) -> int:
        """Latest date with the given month/day whose index is >= lo*D and leaves hi_days before the end."""
        for year in range(self.end.year, self.start.year - 1, -1):
            idx = self._day(date(year, month, day))
            if idx >= lo * self.D and idx + hi_days <= self.D - 1:
                return idx
        return int(fallback * self.D)

    def _month_start(self, frac: float) -> int:
        d = self.start + timedelta(days=int(frac * self.D))
        return max(0, self._day(d.replace(day=1)))

    def _measures(self) -> list[MeasureSpec]:
        D, scale = self.D, max(self.n / 20_000, 0.05)
        last = D - 1

        def cost(x: float) -> float:
            return float(round(x * scale / 100) * 100)

        m1 = self._month_start(0.40)
        m2 = self._anchor(3, 1, 0.25, 91, 0.30)
        event = self._anchor(6, 20, 0.30, 120, 0.50)
        invite = max(event - 21, 0)
        m4 = self._anchor(1, 1, 0.30, 270, 0.55)  # 1 January: 6-month pre and post windows are seasonally alike
        m5 = self._month_start(0.75)
        spring_year = (self.start + timedelta(days=m2)).year
        return [
            MeasureSpec("M01", "Bonusprogramm Doppelte Punkte", "bonus_program", m1, min(m1 + 181, last), None,
                        "members", 0.25, (0.40, 0.40, 0.40, 0.40), "assigned", 181 + 90,
                        fixed_cost=cost(15_000), cost_per_participant=4.5),
            MeasureSpec("M02", f"Newsletter Frühjahr {spring_year}", "newsletter", m2, min(m2 + 91, last), None,
                        "newsletter", 0.20, (0.0, 0.0, 0.0, 0.0), "assigned", 120,
                        fixed_cost=cost(2_500), cost_per_participant=0.05),
            MeasureSpec("M03", "Kundenevent Grillabend", "event", invite, event, None,
                        "members", 0.30, (0.0, 0.60, 0.0, 0.0), "end", 120,
                        fixed_cost=cost(8_000), cost_per_participant=25.0),
            MeasureSpec("M04", "Service-Upgrade Premium", "service", m4, None, "Gewerbekunden",
                        "segment", 0.0, (0.0, 0.0, 0.30, 0.0), "assigned", None, rollout_days=90,
                        fixed_cost=cost(20_000), cost_per_participant=12.0, retention=0.3),
            MeasureSpec("M05", "Rabattaktion Stammkunden", "discount", m5, min(m5 + 27, last), "Stammkunden",
                        "segment", 0.25, (0.0, 0.60, 0.0, 0.0), "assigned", 28,
                        fixed_cost=cost(3_000), cost_per_participant=8.0, discount=0.10),
        ]

    def measures_table(self) -> pa.Table:
        ms = self.measures
        return pa.table({
            "measure_id": [m.measure_id for m in ms],
            "name": [m.name for m in ms],
            "instrument": [m.instrument for m in ms],
            "start_date": pa.array([self.start + timedelta(days=m.start) for m in ms], type=pa.date32()),
            "end_date": pa.array([None if m.end is None else self.start + timedelta(days=m.end) for m in ms],
                                 type=pa.date32()),
            "target_segment": pa.array([m.target_segment for m in ms], type=pa.string()),
            "fixed_cost": [m.fixed_cost for m in ms],
            "cost_per_participant": [m.cost_per_participant for m in ms],
        }, schema=TABLES["measures"].arrow_schema)

    def dates(self, day: np.ndarray) -> pa.Array:
        return pa.array(self.start64 + day.astype(np.int64))

    # ------------------------------------------------------------------ one chunk of customers
    def chunk(self, ci: int, lo: int, hi: int) -> dict[str, pa.RecordBatch]:
        rng = self._rng(1, ci)
        n, D = hi - lo, self.D
        last = D - 1
        signup = self.signup[lo:hi]
        sat = self.sat[lo:hi]
        first_order = self.first_order[lo:hi]
        ids = _ids("K", np.arange(lo, hi) + 1, self.id_width)

        # --- customer attributes
        seg = _sample(rng, SEGMENT_SHARE, n)
        region = _sample(rng, REGION_SHARE, n)
        home_store = 2 * region + (rng.random(n) < 0.4)
        online_pref = rng.beta(2.0 * SEGMENT_ONLINE[seg] / (1 - SEGMENT_ONLINE[seg]), 2.0)
        phone_share = SEGMENT_PHONE[seg]
        interest = _sample_rows(rng, SEGMENT_INTEREST[seg])
        member = rng.random(n) < SEGMENT_MEMBER[seg]
        delay = np.where(rng.random(n) < 0.5, 0, rng.exponential(250.0, n)).astype(np.int64)
        member_since = signup + delay
        member &= member_since <= last
        newsletter = rng.random(n) < 0.30 + 0.35 * online_pref
        lam = BASE_RATE * SEGMENT_RATE[seg] * rng.gamma(1.2, 1 / 1.2, n) * np.exp(0.3 * sat)
        drop_logit = BASE_DROP_LOGIT + SEGMENT_DROP[seg] - 0.45 * sat - 0.3 * member + 0.6 * rng.standard_normal(n)
        pdrop = 1.0 / (1.0 + np.exp(-drop_logit))

        # --- measure assignment (random within the eligible customers)
        groups, assigned, uplift, eff_lo, eff_hi = [], [], [], [], []
        for m in self.measures:
            elig = signup <= m.start - 30
            if m.eligible == "members":
                elig &= member & (member_since <= m.start)
            elif m.eligible == "newsletter":
                elig &= newsletter
            else:
                elig &= seg == SEGMENTS.index(m.target_segment)
            grp = np.where(elig, np.where(rng.random(n) < m.control_share, 2, 1), 0)  # 1 treatment, 2 control
            a = m.start + (rng.integers(0, m.rollout_days + 1, n) if m.rollout_days else np.zeros(n, np.int64))
            a = np.minimum(a, last)
            up = np.where(grp == 1, np.asarray(m.effect)[seg], 0.0)
            frm = a if m.effect_from == "assigned" else np.full(n, m.end)
            to = np.full(n, last) if m.effect_days is None else frm + m.effect_days - 1
            groups.append(grp)
            assigned.append(a)
            uplift.append(up)
            eff_lo.append(frm)
            eff_hi.append(to)
        max_mult = np.prod([1.0 + u for u in uplift], axis=0)

        # --- purchases: Poisson candidates in the seasonal clock, thinning for the measure effects,
        #     then BG/NBD dropout (keep only the first `allowed` repeat purchases)
        t0 = self.cum[signup]
        span = self.cum[D] - t0
        k = rng.poisson(lam * max_mult * span)
        cust = np.repeat(np.arange(n), k)
        u = t0[cust] + rng.random(len(cust)) * span[cust]
        day = np.clip(np.searchsorted(self.cum, u, side="right") - 1, 0, last)
        mult = np.ones(len(cust))
        for up, a, b in zip(uplift, eff_lo, eff_hi, strict=True):
            active = (up[cust] > 0) & (day >= a[cust]) & (day <= b[cust])
            mult[active] *= 1.0 + up[cust[active]]
        keep = rng.random(len(cust)) * max_mult[cust] < mult
        cust, day = cust[keep], day[keep]
        order = np.lexsort((day, cust))
        cust, day = cust[order], day[order]
        allowed = rng.geometric(pdrop) - first_order
        for m, grp, a in zip(self.measures, groups, assigned, strict=True):
            if m.retention != 1.0:  # alive at assignment -> the rest of the lifetime with a lower dropout
                before = np.bincount(cust[day < a[cust]], minlength=n)
                later = rng.geometric(pdrop * m.retention)
                better = (grp == 1) & (allowed > before)
                allowed = np.where(better, before + later, allowed)
        keep = _within_group_rank(cust, n) < allowed[cust]
        firsts = np.nonzero(first_order)[0]
        o_cust = np.concatenate([firsts, cust[keep]])
        o_day = np.concatenate([signup[firsts], day[keep]])
        order = np.lexsort((o_day, o_cust))
        o_cust, o_day = o_cust[order], o_day[order]

        # order channel: the signup purchase where the customer was won, Sundays online only
        r = rng.random(len(o_cust))
        ph, on = phone_share[o_cust], online_pref[o_cust]
        o_chan = np.where(r < ph, 2, np.where(r < ph + (1 - ph) * on, 1, 0))
        head = _group_starts(o_cust, n)[firsts]  # the signup purchase is each buyer's first order
        acq = self.acquired[lo:hi][firsts]
        o_chan[head[acq == ACQUISITION.index("store")]] = 0
        o_chan[head[acq == ACQUISITION.index("online")]] = 1
        o_chan[self.weekday[o_day] == 6] = 1

        # --- contacts after orders; complaints may end the relationship
        o_sat = sat[o_cust]
        p_contact = 0.045 * np.exp(-0.35 * o_sat) * np.array([0.8, 1.6, 1.2])[o_chan]
        c_ord = np.nonzero(rng.random(len(o_cust)) < p_contact)[0]
        c_cust = o_cust[c_ord]
        c_complaint = rng.random(len(c_ord)) < np.clip(0.35 * np.exp(-0.3 * sat[c_cust]), 0, 0.9)
        c_day = np.minimum(o_day[c_ord] + rng.integers(0, 11, len(c_ord)), last)
        status = np.where(c_complaint, _sample(rng, np.array([0.70, 0.22, 0.08]), len(c_ord)),
                          np.where(rng.random(len(c_ord)) < 0.02, 2, 0))
        res_delay = np.where(status == 0, rng.integers(0, 6, len(c_ord)), rng.integers(14, 91, len(c_ord)))
        res_day = np.where(status == 2, -1, c_day + res_delay)
        res_day[res_day > last] = -1
        churn = c_complaint & (rng.random(len(c_ord)) < CHURN_AFTER_COMPLAINT[status])
        cutoff = np.full(n, D + 1, dtype=np.int64)
        np.minimum.at(cutoff, c_cust[churn], c_day[churn])
        alive = o_day <= cutoff[o_cust]
        new_index = np.cumsum(alive) - 1
        c_keep = alive[c_ord]
        c_ord, c_cust, c_complaint = new_index[c_ord[c_keep]], c_cust[c_keep], c_complaint[c_keep]
        c_day, res_day = c_day[c_keep], res_day[c_keep]
        o_cust, o_day, o_chan = o_cust[alive], o_day[alive], o_chan[alive]
        n_orders = len(o_cust)

        # order numbers in date order within the chunk
        o_num = np.empty(n_orders, dtype=np.int64)
        o_num[np.lexsort((o_cust, o_day))] = self.next_order + np.arange(n_orders)
        self.next_order += n_orders
        o_store = np.where(o_chan == 0, np.where(rng.random(n_orders) < 0.85, home_store[o_cust],
                                                 rng.integers(0, 8, n_orders)), np.where(o_chan == 1, 8, -1))

        # --- lines
        o_seg = seg[o_cust]
        n_lines = 1 + rng.poisson(SEGMENT_LINES[o_seg] - 1 + 0.4 * (self.month[o_day] == 11))
        l_ord = np.repeat(np.arange(n_orders), n_lines)
        pos = _within_group_rank(l_ord, n_orders)
        l_month = self.month[o_day][l_ord]
        season = BASE_SHARE * CATEGORY_SEASON
        cat = np.empty(len(l_ord), dtype=np.int64)
        head = np.nonzero(pos == 0)[0]
        fav = rng.random(len(head)) < 0.4
        cat[head] = np.where(fav, interest[o_cust[l_ord[head]]], _sample_rows(rng, season[l_month[head]]))
        for p in range(1, int(pos.max(initial=0)) + 1):
            idx = np.nonzero(pos == p)[0]
            cat[idx] = _sample_rows(rng, season[l_month[idx]] * AFFINITY[cat[idx - 1]])
        rank = np.minimum(np.searchsorted(self.product_cdf, rng.random(len(cat)), side="right"),
                          PRODUCTS_PER_CATEGORY - 1)
        product = cat * PRODUCTS_PER_CATEGORY + rank
        qty = 1 + rng.poisson(SEGMENT_QTY[o_seg][l_ord] + CATEGORY_QTY[cat])
        gross = self.price[product] * qty
        disc = np.zeros(len(cat))
        l_cust, l_day = o_cust[l_ord], o_day[l_ord]
        for m, grp in zip(self.measures, groups, strict=True):
            if m.discount:
                hit = (grp[l_cust] == 1) & (l_day >= m.start) & (l_day <= m.end)
                disc[hit] = m.discount
        revenue = np.round(gross * (1 - disc), 2)
        rate = CATEGORY_MARGIN[cat] + rng.normal(0.0, 0.03, len(cat))
        margin = np.round(gross * rate - gross * disc, 2)

        # returns: a later negative line of the same order
        l_chan = o_chan[l_ord]
        ret = np.nonzero(rng.random(len(cat)) < np.array([0.02, 0.06, 0.03])[l_chan])[0]
        r_day = l_day[ret] + rng.integers(2, 31, len(ret))
        ret, r_day = ret[r_day <= last], r_day[r_day <= last]
        r_qty = np.where((qty[ret] > 1) & (rng.random(len(ret)) < 0.3),
                         rng.integers(1, np.maximum(qty[ret], 2)), qty[ret])
        share = r_qty / qty[ret]
        all_ord = np.concatenate([l_ord, l_ord[ret]])
        tx = {
            "customer_id": ids.take(pa.array(o_cust[all_ord])),
            "order_date": self.dates(np.concatenate([l_day, r_day])),
            "revenue": pa.array(np.concatenate([revenue, -np.round(revenue[ret] * share, 2)])),
            "order_id": _ids("B", o_num[all_ord], self.order_width),
            "product_id": _labels(self.product_ids, np.concatenate([product, product[ret]])),
            "category": _labels(CATEGORIES, np.concatenate([cat, cat[ret]])),
            "quantity": pa.array(np.concatenate([qty, -r_qty]).astype(np.int64)),
            "channel": _labels(CHANNELS, o_chan[all_ord]),
            "store": _labels(STORES + (ONLINE_STORE,), np.maximum(o_store[all_ord], 0), o_store[all_ord] < 0),
            "margin": pa.array(np.concatenate([margin, -np.round(margin[ret] * share, 2)])),
        }
        o_rev = np.bincount(l_ord, weights=revenue, minlength=n_orders)

        # --- contacts table (order-related plus general inquiries)
        oc = o_chan[c_ord]
        reason = np.where(c_complaint, _sample_rows(rng, COMPLAINT_MIX[oc]), _sample_rows(rng, INQUIRY_MIX[oc]))
        channel = _sample_rows(rng, CONTACT_CHANNEL_MIX[oc])
        comp = np.full(len(c_ord), np.nan)
        paid = c_complaint & (rng.random(len(c_ord)) < 0.4)
        goods = paid & np.isin(reason, [1, 2])  # Produktmangel, Falschlieferung: part of the order value
        comp[goods] = np.round(np.minimum(o_rev[c_ord[goods]] * rng.uniform(0.2, 1.0, goods.sum()), 150.0), 2)
        other = paid & ~goods
        comp[other] = rng.choice(np.array([5.0, 10.0, 15.0, 20.0]), other.sum())
        g_k = rng.poisson(0.05 * (last - signup + 1) / 365.0)
        g_cust = np.repeat(np.arange(n), g_k)
        g_day = signup[g_cust] + np.floor(rng.random(len(g_cust)) * (last - signup[g_cust] + 1)).astype(np.int64)
        g_ok = g_day <= cutoff[g_cust]
        g_cust, g_day = g_cust[g_ok], g_day[g_ok]
        g_reason = _sample(rng, GENERAL_INQUIRY_MIX, len(g_cust))
        g_reason = np.where((g_reason == 6) & ~member[g_cust], 0, g_reason)  # Bonuspunkte: members only
        g_chan = _sample(rng, np.array([0.45, 0.30, 0.05, 0.15, 0.05]), len(g_cust))
        g_res = np.where(rng.random(len(g_cust)) < 0.02, -1, g_day + rng.integers(0, 4, len(g_cust)))
        g_res[g_res > last] = -1
        k_complaint = np.concatenate([c_complaint, np.zeros(len(g_cust), bool)])
        k_res = np.concatenate([res_day, g_res])
        k_comp = np.concatenate([comp, np.full(len(g_cust), np.nan)])
        k_reason = np.concatenate([reason, g_reason])
        contacts = {
            "contact_date": self.dates(np.concatenate([c_day, g_day])),
            "customer_id": ids.take(pa.array(np.concatenate([c_cust, g_cust]))),
            "channel": _labels(CONTACT_CHANNELS, np.concatenate([channel, g_chan])),
            "type": _labels(("inquiry", "complaint"), k_complaint.astype(np.int64)),
            "reason": _labels(COMPLAINT_REASONS + INQUIRY_REASONS,
                              np.where(k_complaint, k_reason, len(COMPLAINT_REASONS) + k_reason)),
            "resolved_date": pa.array(self.start64 + np.maximum(k_res, 0), mask=k_res < 0),
            "compensation_cost": pa.array(k_comp, mask=np.isnan(k_comp)),
        }

        # --- surveys: a few days after a purchase, driven by the latent satisfaction
        o_start = _group_starts(o_cust, n)
        o_count = np.bincount(o_cust, minlength=n)
        resp = (o_count > 0) & (rng.random(n) < 0.14 * (1 + 0.35 * member))
        s_k = np.where(resp, 1 + rng.poisson(0.35, n), 0)
        s_cust = np.repeat(np.arange(n), s_k)
        s_ord = o_start[s_cust] + np.floor(rng.random(len(s_cust)) * o_count[s_cust]).astype(np.int64)
        s_day = o_day[s_ord] + rng.integers(1, 15, len(s_cust))
        ok = s_day <= last
        s_cust, s_ord, s_day = s_cust[ok], s_ord[ok], s_day[ok]
        m = len(s_cust)
        had_complaint = np.zeros(n_orders, bool)
        had_complaint[c_ord[c_complaint]] = True
        bad = had_complaint[s_ord]
        s_sat = sat[s_cust]
        nps = np.clip(np.round(7.2 + 1.9 * s_sat - 2.5 * bad + rng.normal(0, 1.2, m)), 0, 10).astype(np.int64)
        csat = np.clip(np.round(3.9 + 0.75 * s_sat - 1.0 * bad + rng.normal(0, 0.5, m)), 1, 5).astype(np.int64)
        sc = o_chan[s_ord]
        touch = np.where(sc == 0, 0, np.where(sc == 2, 2, np.where(rng.random(m) < 0.45, 3, 1)))
        csat_only = rng.random(m) < np.where(touch == 3, 0.5, 0.08)
        nps_only = ~csat_only & (rng.random(m) < 0.05)
        mood = np.where(csat_only, np.where(csat <= 2, 0, np.where(csat == 3, 1, 2)),
                        np.where(nps <= 6, 0, np.where(nps <= 8, 1, 2)))
        has_comment = rng.random(m) < np.array([0.55, 0.2, 0.35])[mood]
        pools = (COMMENTS_NEGATIVE, COMMENTS_NEUTRAL, COMMENTS_POSITIVE)
        offsets = np.array([0, len(COMMENTS_NEGATIVE), len(COMMENTS_NEGATIVE) + len(COMMENTS_NEUTRAL)])
        pick = offsets[mood] + np.floor(rng.random(m) * np.array([len(p) for p in pools])[mood]).astype(np.int64)
        anonymous = rng.random(m) < 0.10
        surveys = {
            "response_date": self.dates(s_day),
            "customer_id": ids.take(pa.array(s_cust, mask=anonymous)),
            "nps": pa.array(nps, mask=csat_only),
            "csat": pa.array(csat, mask=nps_only),
            "touchpoint": _labels(TOUCHPOINTS, touch),
            "comment": _labels(sum(pools, ()), pick, ~has_comment),
        }

        # --- points: earn on orders since member_since (double during M01 for its treatment group)
        earn_mask = member[o_cust] & (o_day >= member_since[o_cust]) & (o_rev >= 1.0)
        e_idx = np.nonzero(earn_mask)[0]
        e_cust, e_day = o_cust[e_idx], o_day[e_idx]
        earn = np.floor(o_rev[e_idx]).astype(np.int64)
        m1 = self.measures[0]
        double = (groups[0][e_cust] == 1) & (e_day >= m1.start) & (e_day <= (m1.end if m1.end is not None else last))
        earn[double] *= 2
        cum = _group_cumsum(e_cust, earn, n)
        blocks = cum // 500 - (cum - earn) // 500
        red = np.nonzero((blocks > 0) & (rng.random(len(e_idx)) < 0.6))[0]
        red_pts = -500 * blocks[red]
        red_day = np.minimum(e_day[red] + rng.integers(0, 46, len(red)), last)
        red_cust = e_cust[red]
        balance = np.bincount(e_cust, weights=earn, minlength=n) + np.bincount(red_cust, weights=red_pts, minlength=n)
        last_buy = np.full(n, -1, dtype=np.int64)
        np.maximum.at(last_buy, o_cust, o_day)
        exp_cust = np.nonzero(member & (balance > 0) & (last_buy >= 0) & (last_buy + 365 <= last))[0]
        p_cust = np.concatenate([e_cust, red_cust, exp_cust])
        p_pts = np.concatenate([earn, red_pts, -balance[exp_cust]]).astype(np.float64)
        p_type = np.concatenate([np.zeros(len(e_cust)), np.ones(len(red_cust)), np.full(len(exp_cust), 2)])
        points = {
            "customer_id": ids.take(pa.array(p_cust)),
            "date": self.dates(np.concatenate([e_day, red_day, last_buy[exp_cust] + 365])),
            "points": pa.array(p_pts),
            "type": _labels(("earn", "redeem", "expire"), p_type.astype(np.int64)),
            "value_per_point": pa.array(np.full(len(p_cust), VALUE_PER_POINT)),
        }

        # --- participants
        parts = []
        for mspec, grp, a in zip(self.measures, groups, assigned, strict=True):
            who = np.nonzero(grp > 0)[0]
            parts.append((mspec.measure_id, who, grp[who], a[who]))
        participants = {
            "measure_id": pa.concat_arrays([pa.array([mid] * len(w), type=pa.string()) for mid, w, _, _ in parts]),
            "customer_id": ids.take(pa.array(np.concatenate([w for _, w, _, _ in parts]))),
            "group": _labels(("", "treatment", "control"), np.concatenate([g for _, _, g, _ in parts])),
            "assigned_date": self.dates(np.concatenate([a for _, _, _, a in parts])),
        }

        # --- customers (tier from the revenue of the last 12 months)
        recent = o_day > last - 365
        rev12 = np.bincount(o_cust[recent], weights=o_rev[recent], minlength=n)
        tier = np.where(rev12 >= 900, 2, np.where(rev12 >= 300, 1, 0))
        ref = self.referred_by[lo:hi]
        customers = {
            "customer_id": ids,
            "segment": _labels(SEGMENTS, seg),
            "region": _labels(REGIONS, region),
            "signup_date": self.dates(signup),
            "loyalty_member": pa.array(member),
            "member_since": pa.array(self.start64 + member_since, mask=~member),
            "tier": _labels(TIERS, tier, ~member),
            "newsletter_opt_in": pa.array(newsletter),
            "acquired_via": _labels(ACQUISITION, self.acquired[lo:hi]),
            "referred_by": _ids("K", np.maximum(ref, 0) + 1, self.id_width).take(pa.array(np.arange(n), mask=ref < 0)),
        }
        return {
            "transactions": _batch("transactions", tx),
            "customers": _batch("customers", customers),
            "surveys": _batch("surveys", surveys),
            "contacts": _batch("contacts", contacts),
            "points": _batch("points", points),
            "measure_participants": _batch("measure_participants", participants),
        }


    # ------------------------------------------------------------------ targets (from the written actuals)
    def periods(self) -> list[tuple[str, date, date]]:
        out = []
        end = self.end
        for k in range(round((self.end - self.start).days / 365.25)):
            hi = _add_years(end, -k)
            lo = _add_years(end, -(k + 1)) + timedelta(days=1)
            if lo >= self.start:
                out.append(("year", lo, hi))
        for year in range(self.start.year, self.end.year + 1):
            for q in range(4):
                lo = date(year, 3 * q + 1, 1)
                hi = (date(year + 1, 1, 1) if q == 3 else date(year, 3 * q + 4, 1)) - timedelta(days=1)
                if lo >= self.start and hi <= self.end:
                    out.append(("quarter", lo, hi))
        return sorted(out, key=lambda p: (p[0], p[1]))

    def targets_table(self, snapshot) -> pa.Table:
        rng = self._rng(3)
        periods = self.periods()
        con = duckdb.connect()
        try:
            con.register("periods", pa.table({
                "kind": [p[0] for p in periods], "period_start": [p[1] for p in periods],
                "period_end": [p[2] for p in periods],
            }))
            params = {"tx": [str(f) for f in snapshot.files("transactions")],
                      "cu": [str(f) for f in snapshot.files("customers")],
                      "sv": [str(f) for f in snapshot.files("surveys")]}
            sales = con.execute(_TARGET_SQL, {"tx": params["tx"], "cu": params["cu"]}).fetchall()
            surveys = con.execute(_SURVEY_SQL, {"sv": params["sv"]}).fetchall() if params["sv"] else []
        finally:
            con.close()
        rows: list[tuple[str, date, date, str | None, float]] = []

        def add(kpi: str, lo: date, hi: date, segment: str | None, actual: float) -> None:
            if kpi == "nps":
                value = round(actual + rng.normal(2.0, 4.0), 1)
            elif kpi == "csat":
                value = round(min(actual + rng.normal(0.05, 0.1), 5.0), 2)
            else:
                f = float(np.clip(rng.normal(1.02, 0.05), 0.9, 1.15))
                value = actual * f
                if kpi in ("active_customers", "orders"):
                    value = float(round(value, -1) if value > 1000 else round(value))
                elif kpi == "revenue":
                    value = float(round(value, -2))
                elif kpi in ("repeat_purchase_rate",):
                    value = round(min(value, 1.0), 3)
                else:
                    value = round(value, 2)
            rows.append((kpi, lo, hi, segment, value))

        for kind, lo, hi, segment, active, orders, cents, repeaters in sales:
            if not active or not orders:
                continue
            actual = {
                "active_customers": active, "orders": orders, "revenue": cents / 100,
                "avg_order_value": cents / 100 / orders, "repeat_purchase_rate": repeaters / active,
                "orders_per_customer": orders / active,
            }
            if kind == "quarter":
                kpis = ("revenue", "orders", "active_customers") if segment is None else ()
            elif segment is None:
                kpis = tuple(actual)
            else:
                kpis = ("revenue", "active_customers", "repeat_purchase_rate")
            for kpi in kpis:
                add(kpi, lo, hi, segment, actual[kpi])
        for lo, hi, answers, promoters, detractors, csat_sum, csat_n in surveys:
            if answers:
                add("nps", lo, hi, None, 100.0 * (promoters - detractors) / answers)
            if csat_n:
                add("csat", lo, hi, None, csat_sum / csat_n)
        return pa.table({
            "kpi": [r[0] for r in rows], "period_start": [r[1] for r in rows], "period_end": [r[2] for r in rows],
            "segment": pa.array([r[3] for r in rows], type=pa.string()), "target": [float(r[4]) for r in rows],
        }, schema=TABLES["targets"].arrow_schema)


# KPI definitions for the targets (integer arithmetic, so the result is exact and deterministic):
# active_customers = customers with a purchase (a line with revenue > 0) in the period; orders = distinct
# order_id with revenue > 0; revenue = sum of revenue incl. returns; avg_order_value = revenue / orders;
# repeat_purchase_rate = share of active customers with >= 2 orders; orders_per_customer = orders / active;
# nps = % promoters (9-10) - % detractors (0-6) of the answers with nps; csat = mean csat (1-5).
_TARGET_SQL = """
with tx as (
    select t.customer_id, t.order_date, t.order_id, t.revenue > 0 as sale,
           cast(round(t.revenue * 100) as bigint) as cents, c.segment
    from read_parquet($tx) t left join read_parquet($cu) c using (customer_id)
), per_customer as (
    select p.kind, p.period_start, p.period_end, tx.segment, tx.customer_id,
           count(distinct tx.order_id) filter (where sale) as orders, sum(cents) as cents
    from periods p join tx on tx.order_date between p.period_start and p.period_end
    group by all
)
select kind, period_start, period_end, segment,
       count(*) filter (where orders > 0) as active, sum(orders)::bigint as orders, sum(cents)::bigint as cents,
       count(*) filter (where orders >= 2) as repeaters
from per_customer
group by grouping sets ((kind, period_start, period_end), (kind, period_start, period_end, segment))
order by kind desc, period_start, segment nulls first
"""
_SURVEY_SQL = """
select p.period_start, p.period_end, count(s.nps), count(*) filter (where s.nps >= 9),
       count(*) filter (where s.nps <= 6), coalesce(sum(s.csat), 0)::bigint, count(s.csat)
from periods p join read_parquet($sv) s on s.response_date between p.period_start and p.period_end
where p.kind = 'year'
group by all
order by p.period_start
"""

SIDE_TABLES = ("customers", "surveys", "contacts", "points", "measure_participants")


def generate(
    workspace: Workspace,
    customers: int = 20_000,
    seed: int = 42,
    years: int = 3,
    end_date: date | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> dict[str, int]:
    """Fill every contract table of `workspace` with demo data (replacing what is there) and mark it as
    demo. Returns the rows written per table. Deterministic for a given seed, size, years and end_date."""
    model = _Model(customers, seed, years, end_date)

    def report(fraction: float, message: str) -> None:
        if progress is not None:
            progress(min(max(fraction, 0.0), 1.0), message)

    n = model.n
    bounds = [(i, lo, min(lo + CHUNK_CUSTOMERS, n)) for i, lo in enumerate(range(0, n, CHUNK_CUSTOMERS))]
    paths = {t: workspace.staging_path() for t in SIDE_TABLES}
    writers: dict[str, pq.ParquetWriter] = {}
    rows: dict[str, int] = {}

    def transaction_batches() -> Iterator[pa.RecordBatch]:
        report(0.0, "Erzeuge Demodaten …")
        for ci, lo, hi in bounds:
            out = model.chunk(ci, lo, hi)
            for table in SIDE_TABLES:
                writers[table].write_batch(out[table])
            yield out["transactions"]
            report(0.7 * hi / n, f"Kunden {hi:,} von {n:,} simuliert".replace(",", "."))

    try:
        for table in SIDE_TABLES:
            writers[table] = pq.ParquetWriter(paths[table], TABLES[table].arrow_schema, compression="zstd")
        rows["transactions"] = workspace.write(
            "transactions", transaction_batches(), source=SOURCE, demo=True).rows_total
        for writer in writers.values():
            writer.close()
        writers.clear()
        report(0.8, "Speichere Kunden, Umfragen, Kontakte, Punkte …")
        for table in SIDE_TABLES:
            rows[table] = workspace.write(table, paths[table], source=SOURCE, demo=True).rows_total
        rows["measures"] = workspace.write("measures", model.measures_table(), source=SOURCE, demo=True).rows_total
        report(0.95, "Berechne Zielwerte …")
        targets = model.targets_table(workspace.snapshot())
        rows["targets"] = workspace.write("targets", targets, source=SOURCE, demo=True).rows_total
    finally:
        for writer in writers.values():
            writer.close()
        for path in paths.values():
            Path(path).unlink(missing_ok=True)
    report(1.0, "Demodaten fertig")
    return {t: rows[t] for t in TABLES}


def ensure_demo(workspace: Workspace, **kwargs) -> bool:
    """Generate demo data only if the workspace holds no table yet; True if it generated."""
    if not workspace.is_empty():
        return False
    generate(workspace, **kwargs)
    return True


__all__ = ["generate", "ensure_demo", "period", "default_end_date", "BUILT_IN_EFFECTS", "REFERENCE_DATE",
           "CATEGORIES", "SEGMENTS", "CHUNK_CUSTOMERS"]
