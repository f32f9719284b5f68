"""The chat answer: short enough to read on a cheap phone, one line per indicator, then who is silent."""

from __future__ import annotations

from core.i18n import Translate
from core.numbers import format_number
from summaries.model import IndicatorResult, Summary
from summaries.text_util import fmt_date, fmt_value, period_label, short, unit_label

LABEL_CHARS = 70  # indicator labels are whole sentences in the plan; the phone shows the start


def indicator_line(t: Translate, result: IndicatorResult, language: str, *, with_period: bool) -> str:
    mark = "✅" if result.status == "dat" else "⚠️"
    label = short(result.label_en if language == "en" else result.label_vi, LABEL_CHARS)
    target, status = fmt_value(result.target, result.measure), t(f"summary.status.{result.status}")
    if result.year_to_date.value is None and result.no_value:  # "—" with the reason, never 0% or 100%
        line = t("summary.text.indicator_no_value", mark=mark, id=result.id, label=label,
                 reason=t(result.no_value), target=target, status=status)
    else:
        line = t("summary.text.indicator", mark=mark, id=result.id, label=label,
                 value=fmt_value(result.year_to_date.value, result.measure), target=target, status=status)
    if with_period:
        line += " " + t("summary.text.in_period", value=fmt_value(result.period.value, result.measure))
    return line


def render_text(summary: Summary, t: Translate, language: str = "vi") -> str:
    """Title, one line per indicator (✅ reached / ⚠️ not yet), then "Chưa báo cáo: …"."""
    lines = [t("summary.text.title", period=period_label(t, summary.period), commune=summary.commune_name,
               date=fmt_date(summary.as_of))]
    if summary.is_empty:
        lines.append(t("summary.text.empty"))
    else:
        # "20.000" in Vietnamese, "20,000" in English: a large commune's count is read at a glance
        lines.append(t("summary.text.report_count",
                       count=format_number(len(summary.activities), decimals=0, language=language)))
    with_period = summary.period != summary.year_to_date
    if with_period:
        lines.append(t("summary.text.cumulative_note", period=period_label(t, summary.year_to_date)))
    lines.extend(indicator_line(t, r, language, with_period=with_period) for r in summary.indicators)
    if summary.petitions:  # from the register, as the DOCX and XLSX
        lines.append(t("summary.text.petitions", received=sum(r.received for r in summary.petitions),
                       handled=sum(r.handled for r in summary.petitions),
                       in_time=sum(r.in_time for r in summary.petitions), days=summary.answer_days))
    if summary.silent_units:
        names = ", ".join(unit_label(t, u.name) for u in summary.silent_units)
        lines.append(t("summary.text.silent", names=names))
    else:
        lines.append(t("summary.text.all_reported"))
    if summary.retired_forms:
        items = ", ".join(f"{form_id} ({count})" for form_id, count in summary.retired_forms.items())
        lines.append(t("summary.retired_forms", items=items))
    return "\n".join(lines)


def text_before_files(summary: Summary, t: Translate, language: str) -> str:
    """A render job's chat text, queued before its files (summaries/jobs.py, or its worker in worker_jobs.py)."""
    return render_text(summary, t, language) + "\n\n" + t("summary.files_coming")
