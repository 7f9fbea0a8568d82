"""Everything a review (báo cáo sơ kết / tổng kết) states, read from the database as plain dataclasses.

The documents (DOCX and PDF) are rendered from a ``ReviewData`` and nothing else, so tests can read a
file back and compare its figures with the data it was made from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ketnoi.core.roles import PROGRAMMES_VIEW
from ketnoi.core.scoping import user_scope
from ketnoi.core.text import vi_sort_key
from ketnoi.indicators.models import Target
from ketnoi.indicators.periods import parse_period
from ketnoi.indicators.selectors import indicator_result
from ketnoi.programmes.models import Programme, ProgressReport, Task
from ketnoi.programmes.selectors import reporting_rates, task_list, task_states

from .models import IssuedReview

ANNUAL, MIDTERM, FINAL = "annual", "midterm", "final"
KINDS = (ANNUAL, MIDTERM, FINAL)
NATIONAL = "VN"

STATUS_VI = {
    Task.Status.DONE: "Hoàn thành",
    Task.Status.IN_PROGRESS: "Đang thực hiện",
    Task.Status.NOT_STARTED: "Chưa triển khai",
    Task.Status.CANCELLED: "Dừng thực hiện",
}


# --- the data ----------------------------------------------------------------------------------


@dataclass
class AgencyRef:
    code: str
    name: str
    kind: str


@dataclass
class Party:
    """A party as it signed, and the agencies that carry its work today (through succession)."""

    original: AgencyRef
    current: list[AgencyRef]
    signer_name: str
    signer_title: str

    @property
    def succeeded(self) -> bool:
        return [a.code for a in self.current] != [self.original.code]


@dataclass
class IndicatorFigure:
    code: str
    name: str
    unit_label: str
    area_code: str  # "VN" for the country, else the province code
    area_name: str
    period: str
    value: Decimal | None
    target: Decimal | None
    baseline: Decimal | None
    higher_is_better: bool = True

    @property
    def national(self) -> bool:
        return self.area_code == NATIONAL

    @property
    def achievement(self) -> Decimal | None:
        """Per cent of the target reached (for lower-is-better indicators, target / value)."""
        if self.value is None or not self.target:
            return None
        if self.higher_is_better:
            ratio = self.value / self.target
        elif self.value:
            ratio = self.target / self.value
        else:
            return None
        return (ratio * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def met(self) -> bool | None:
        return None if self.achievement is None else self.achievement >= 100


@dataclass
class TaskRow:
    code: str
    title: str
    area_code: str
    lead: str
    co_agencies: list[str]
    due_date: dt.date | None
    status: str
    overdue: bool
    assignments: int
    done_assignments: int

    @property
    def status_label(self) -> str:
        return STATUS_VI.get(self.status, self.status) + (" (quá hạn)" if self.overdue else "")


@dataclass
class TaskCounts:
    total: int = 0
    done: int = 0
    in_progress: int = 0
    not_started: int = 0
    cancelled: int = 0
    overdue: int = 0

    @classmethod
    def of(cls, rows: list[TaskRow]) -> TaskCounts:
        counts = cls(total=len(rows))
        for row in rows:
            setattr(counts, row.status, getattr(counts, row.status) + 1)
            counts.overdue += row.overdue
        return counts


@dataclass
class AreaResult:
    code: str
    name: str
    tasks: list[TaskRow]
    counts: TaskCounts
    indicators: list[IndicatorFigure]  # national first, then provinces that have targets


@dataclass
class RateRow:
    label: str
    expected: int
    submitted: int
    on_time: int
    group: str = ""  # "level" (communes, provinces, central) or "area" (a province: its communes and itself)

    @property
    def rate(self) -> Decimal | None:
        return (
            (Decimal(100 * self.submitted) / self.expected).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            if self.expected
            else None
        )

    @property
    def timeliness(self) -> Decimal | None:
        return (
            (Decimal(100 * self.on_time) / self.expected).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            if self.expected
            else None
        )


@dataclass
class Narrative:
    period: str
    unit_name: str
    agency_name: str
    text: str


@dataclass
class YearFigure:
    period: str
    value: Decimal | None
    target: Decimal | None


@dataclass
class IndicatorSeries:
    """National values year by year (mid-term and final reviews)."""

    code: str
    name: str
    unit_label: str
    years: list[YearFigure]


@dataclass
class ReviewData:
    programme_code: str
    number_symbol: str
    programme_name: str
    document_title: str
    signed_on: dt.date | None
    place: str
    programme_start: dt.date
    programme_end: dt.date
    kind: str
    period: str
    window_start: dt.date
    window_end: dt.date
    as_of: dt.date
    parties: list[Party]
    areas: list[AreaResult]
    counts: TaskCounts
    rates: list[RateRow]
    narratives: list[Narrative]
    series: list[IndicatorSeries] = field(default_factory=list)
    next_targets: list[IndicatorFigure] = field(default_factory=list)
    issued: IssuedReview | None = None
    rates_total: RateRow | None = None  # every report of the window once

    @property
    def tasks(self) -> list[TaskRow]:
        return [task for area in self.areas for task in area.tasks]

    @property
    def indicators(self) -> list[IndicatorFigure]:
        """Every figure once (an indicator serving two areas appears under the first)."""
        seen, figures = set(), []
        for area in self.areas:
            for figure in area.indicators:
                if (figure.code, figure.area_code) not in seen:
                    seen.add((figure.code, figure.area_code))
                    figures.append(figure)
        return figures


# --- periods -----------------------------------------------------------------------------------


def review_periods(programme: Programme) -> list[tuple[str, str]]:
    """(period, kind) rows a programme has: a yearly review each year, the mid-term and the final one."""
    start, end = programme.period_start.year, programme.period_end.year
    rows = [(str(year), ANNUAL) for year in range(start, end + 1)]
    if end - start >= 2:
        rows.append((str(midterm_year(programme)), MIDTERM))
    rows.append((str(end), FINAL))
    return sorted(rows, key=lambda row: (row[0], KINDS.index(row[1])))


def midterm_year(programme: Programme) -> int:
    return (programme.period_start.year + programme.period_end.year) // 2


def review_window(programme: Programme, period: str, kind: str) -> tuple[dt.date, dt.date]:
    """The dates a review covers; raises ValidationError with a clear message for a bad period or kind."""
    if kind not in KINDS:
        raise ValidationError({"kind": _("Unknown kind %(kind)r: use annual, midterm or final.") % {"kind": kind}})
    text = (period or "").strip()
    try:
        spec = parse_period(text)
    except ValueError:
        spec = None
    if spec is None or spec.kind != "yearly":
        raise ValidationError(
            {"period": _("%(period)r is not a year: reviews are made for a year such as 2025.") % {"period": period}}
        )
    year, start, end = int(spec.code), programme.period_start.year, programme.period_end.year
    if not start <= year <= end:
        raise ValidationError(
            {
                "period": _("The programme runs %(start)s–%(end)s; there is no review for %(year)s.")
                % {"start": start, "end": end, "year": year}
            }
        )
    if kind == FINAL and year != end:
        raise ValidationError(
            {"period": _("The final review is made for the last year of the programme, %(end)s.") % {"end": end}}
        )
    if kind == MIDTERM and year >= end:
        raise ValidationError(
            {"period": _("A mid-term review is made before the last year of the programme (%(end)s).") % {"end": end}}
        )
    if kind == ANNUAL:
        return max(spec.start, programme.period_start), min(spec.end, programme.period_end)
    return programme.period_start, min(spec.end, programme.period_end)


def review_opens_on(period: str) -> dt.date:
    """The first day of the year a review is made for: before it, the review cannot be numbered."""
    return parse_period(period.strip()).start


def review_not_yet(period: str, day: dt.date | None = None) -> bool:
    """True when the review's year has not begun on ``day`` (today by default)."""
    return review_opens_on(period) > (day or timezone.localdate())


# --- gathering ---------------------------------------------------------------------------------


def can_read_reviews(user) -> bool:
    """Reviews state national data: only users who see programmes country-wide may have them."""
    return user_scope(user, PROGRAMMES_VIEW).everywhere


def _ref(agency) -> AgencyRef:
    return AgencyRef(agency.code, agency.name_vi, agency.kind)


def _parties(programme: Programme, day: dt.date) -> list[Party]:
    parties = []
    for party in programme.parties.select_related("agency").order_by("order", "id"):
        current = party.agency.current_successors(day) or [party.agency]
        parties.append(Party(_ref(party.agency), [_ref(a) for a in current], party.signer_name, party.signer_title))
    return parties


def _current_name(agency, day: dt.date) -> str:
    current = agency.current_successors(day) or [agency]
    return "; ".join(a.name_vi for a in current)


def _province_targets(indicator, period: str) -> list:
    return list(
        Target.objects.filter(indicator=indicator, period=period, disaggregation="", unit__level="province")
        .select_related("unit")
        .order_by("unit__sort_key")
    )


def _figures(indicator, period: str) -> list[IndicatorFigure]:
    def figure(unit) -> IndicatorFigure:
        result = indicator_result(indicator, period=period, unit=unit)
        return IndicatorFigure(
            code=indicator.code,
            name=indicator.name_vi,
            unit_label=indicator.unit_label,
            area_code=unit.code if unit else NATIONAL,
            area_name=unit.name if unit else "Toàn quốc",
            period=result.period,
            value=result.value,
            target=result.target,
            baseline=result.baseline,
            higher_is_better=indicator.higher_is_better,
        )

    return [figure(None)] + [figure(target.unit) for target in _province_targets(indicator, period)]


def _rates(programme: Programme, start: dt.date, end: dt.date, user) -> tuple[list[RateRow], RateRow]:
    """Reporting rates of every reporting period inside the window, added up per row label."""
    codes = set()
    for code in ProgressReport.objects.filter(programme=programme).values_list("period", flat=True).distinct():
        spec = parse_period(code)
        if start <= spec.start and spec.end <= end:
            codes.add(spec.code)
    rows: dict[str, RateRow] = {}
    total = RateRow("Tổng số", 0, 0, 0)
    with translation.override("vi"):  # the review is a Vietnamese document whatever the reader's language
        for code in sorted(codes):
            for rate in reporting_rates(programme=programme, period=code, user=user):
                target = total if rate.is_total else None
                if target is None:
                    group = "area" if rate.level == "area" else "level"
                    target = rows.setdefault(rate.label, RateRow(rate.label, 0, 0, 0, group))
                target.expected += rate.expected
                target.submitted += rate.submitted
                target.on_time += rate.on_time
    levels = [r for r in rows.values() if r.group == "level"]  # communes, provinces, central: as computed
    areas = sorted((r for r in rows.values() if r.group == "area"), key=lambda r: vi_sort_key(r.label))
    return levels + areas, total


def _narratives(programme: Programme, start: dt.date, end: dt.date) -> list[Narrative]:
    reports = (
        ProgressReport.objects.filter(programme=programme, state=ProgressReport.State.APPROVED)
        .exclude(narrative="")
        .select_related("unit__province", "agency")
    )
    items = []
    for report in reports:
        spec = parse_period(report.period)
        if not (start <= spec.start and spec.end <= end):
            continue
        unit = report.unit.name if report.unit_id else "Trung ương"
        level = 0 if report.unit_id is None else 1 if report.unit.level == "province" else 2
        if level == 2:
            unit = f"{report.unit.name}, {report.unit.province.name}"
        key = (level, report.unit.sort_key if report.unit_id else "", spec.start)
        items.append((key, Narrative(spec.code, unit, report.agency.name_vi, report.narrative.strip())))
    items.sort(key=lambda item: item[0])
    return [narrative for _key, narrative in items]


def review_data(*, programme: Programme, period: str, kind: str = ANNUAL, user=None, today: dt.date | None = None):
    """Gather a review of ``programme`` for ``period`` (a year) of ``kind`` (annual, midterm, final).

    Figures and task states are as of the end of the period (or ``today`` if earlier); agencies are
    named as they are ``today``, the date the document is written and issued.

    With a ``user``, only country-wide readers of programmes may have it (PermissionDenied otherwise);
    without one (the console), everything is read.
    """
    if user is not None and not can_read_reviews(user):
        raise PermissionDenied(PROGRAMMES_VIEW)
    start, end = review_window(programme, period, kind)
    today = today or timezone.localdate()
    as_of = min(end, today)
    year = str(end.year)
    programme = Programme.objects.select_related("document").get(pk=programme.pk)

    tasks = task_list(programme=programme).filter(Q(start_date__isnull=True) | Q(start_date__lte=end))
    states = task_states(tasks, today=as_of)
    rows_by_area: dict[int, list[TaskRow]] = {}
    indicators_by_area: dict[int, list] = {}
    for state in states:
        task = state.task
        rows_by_area.setdefault(task.content_area_id, []).append(
            TaskRow(
                code=task.code,
                title=task.title_vi,
                area_code=task.content_area.code,
                lead=_current_name(task.lead_agency, today),
                co_agencies=[_current_name(a, today) for a in task.co_agencies.all()],
                due_date=task.due_date,
                status=state.status,
                overdue=state.overdue,
                assignments=state.assignments,
                done_assignments=state.done_assignments,
            )
        )
        for indicator in task.indicators.all():
            listed = indicators_by_area.setdefault(task.content_area_id, [])
            if indicator not in listed:
                listed.append(indicator)

    areas = []
    for area in programme.content_areas.order_by("order", "code"):
        rows = rows_by_area.get(area.pk, [])
        figures = [f for indicator in indicators_by_area.get(area.pk, []) for f in _figures(indicator, year)]
        if area.added_on and area.added_on > end and not rows:
            continue
        areas.append(AreaResult(area.code, area.name_vi, rows, TaskCounts.of(rows), figures))

    all_indicators = []
    for area in programme.content_areas.order_by("order", "code"):
        for indicator in indicators_by_area.get(area.pk, []):
            if indicator not in all_indicators:
                all_indicators.append(indicator)
    series = []
    if kind != ANNUAL:
        for indicator in all_indicators:
            years = []
            for y in range(start.year, end.year + 1):
                result = indicator_result(indicator, period=str(y))
                years.append(YearFigure(str(y), result.value, result.target))
            series.append(IndicatorSeries(indicator.code, indicator.name_vi, indicator.unit_label, years))
    next_targets = []
    if end.year < programme.period_end.year:
        next_year = str(end.year + 1)
        for indicator in all_indicators:
            target = Target.objects.filter(indicator=indicator, unit_key=NATIONAL, period=next_year, disaggregation="")
            target = target.first()
            if target is not None:
                next_targets.append(
                    IndicatorFigure(
                        indicator.code,
                        indicator.name_vi,
                        indicator.unit_label,
                        NATIONAL,
                        "Toàn quốc",
                        next_year,
                        None,
                        target.target_value,
                        target.baseline_value,
                        indicator.higher_is_better,
                    )
                )

    rates, total = _rates(programme, start, end, user)
    data = ReviewData(
        programme_code=programme.code,
        number_symbol=programme.document.number_symbol,
        programme_name=programme.name_vi,
        document_title=programme.document.title,
        signed_on=programme.signed_on or programme.document.issued_on,
        place=programme.place or "Hà Nội",
        programme_start=programme.period_start,
        programme_end=programme.period_end,
        kind=kind,
        period=year,
        window_start=start,
        window_end=end,
        as_of=as_of,
        parties=_parties(programme, today),
        areas=areas,
        counts=TaskCounts.of([row for area in areas for row in area.tasks]),
        rates=rates,
        narratives=_narratives(programme, start, end),
        series=series,
        next_targets=next_targets,
        issued=IssuedReview.objects.filter(programme=programme, period=year, kind=kind).first(),
        rates_total=total,
    )
    return data


def programme_lookup(reference: str) -> Programme:
    """A programme by its code or its document's number and symbol (922/CTPH-BTTTT-UBDT)."""
    reference = (reference or "").strip()
    programme = (
        Programme.objects.select_related("document")
        .filter(Q(code=reference) | Q(document__number_symbol__iexact=reference))
        .first()
    )
    if programme is None:
        raise Programme.DoesNotExist(
            _("No programme %(ref)r (give its code or number and symbol).") % {"ref": reference}
        )
    return programme


def issuer_codes(programme: Programme, day: dt.date | None = None) -> list[str]:
    """Codes of the agencies that may issue the programme's reviews: its parties as they are today."""
    codes = []
    for party in _parties(programme, day or timezone.localdate()):
        for agency in party.current:
            if agency.code not in codes:
                codes.append(agency.code)
    return codes


def issue_check(programme: Programme, *, period: str, kind: str, issuer: str, day: dt.date | None = None) -> str:
    """The issuer's code if the review may be numbered on ``day``; else ValidationError saying why:
    a bad period or kind, a year that has not begun (the number would be dated before its period),
    or an issuer that is not a current party of the programme."""
    review_window(programme, period, kind)
    period = (period or "").strip()
    opens = review_opens_on(period)
    if opens > (day or timezone.localdate()):
        raise ValidationError(
            {
                "period": _(
                    "%(period)s has not begun: a review of it cannot be numbered before %(date)s "
                    "(the number is dated the day it is given)."
                )
                % {"period": period, "date": opens.strftime("%d/%m/%Y")}
            }
        )
    from ketnoi.core.text import normalize_text

    code = normalize_text(issuer or "").strip().upper()
    allowed = issuer_codes(programme)
    if code not in allowed:
        raise ValidationError(
            {
                "issuer": _("%(issuer)r is not a current party of the programme (use one of: %(codes)s).")
                % {"issuer": code, "codes": ", ".join(allowed)}
            }
        )
    return code


def next_number_symbol(issuer: str, year: int) -> str:
    """The number the issuer's next report of ``year`` would get now ("03/BC-BDTTG"), for confirmation."""
    from .models import DocumentNumber

    last = DocumentNumber.objects.filter(issuer=issuer, year=year).values_list("last_number", flat=True).first()
    return f"{(last or 0) + 1:02d}/BC-{issuer}"


def issued_reviews(*, programme: Programme) -> dict[tuple[str, str], IssuedReview]:
    return {(r.period, r.kind): r for r in IssuedReview.objects.filter(programme=programme)}
