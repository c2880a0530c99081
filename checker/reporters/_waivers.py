"""What templates/_waivers.* read: the statement of applicability and the waivers, in one language.

Every value is plain text from the report; the templates escape it for their medium."""

from __future__ import annotations

from ..labels_out import REPORT, grade_label, in_language, status_label
from ..model import Grade, Report


def _person(p: object, lang: str) -> str:
    if not isinstance(p, dict):
        return ""
    name, position = str(p.get("name") or ""), p.get("position")
    if not position:
        return name
    return f"{name}（{position}）" if lang == "zh" else f"{name} ({position})"


def _statuses(judged: dict, lang: str) -> str:
    sep = "，" if lang == "zh" else ", "
    return sep.join(f"{status_label(s, None, lang)} {n}" for s, n in judged.items()) or "—"


def _where(row: dict) -> str:
    return f"{row['file']}:{row['line']}" if row.get("line") else str(row["file"])


def _soa_row(row: dict, codes: dict[str, str], t: dict[str, str], lang: str) -> dict:
    std = row.get("standard")
    outcome = t[f"outcome_{row['outcome']}"].format(taken=row["results_taken"], judged=row["results_judged"],
                                                    statuses=_statuses(row["judged"], lang))
    return {"standard": codes.get(std, std) if std else t["soa_every"], "clause": row["clause"],
            "justification": row.get("justification") or "", "decided_by": _person(row.get("decided_by"), lang),
            "date": row.get("date") or "", "outcome": outcome, "outcome_key": row["outcome"], "where": _where(row)}


def _covers(covers: dict, codes: dict[str, str], t: dict[str, str]) -> str:
    if "nonconformity" in covers:
        return str(covers["nonconformity"])
    code = codes.get(covers["standard"], covers["standard"])
    return f"{code} {covers['clause']}" if "clause" in covers else f"{code} {t['covers_rule']} {covers['rule']}"


def _waiver_row(w: dict, codes: dict[str, str], t: dict[str, str], lang: str) -> dict:
    return {"id": w["id"], "covers": _covers(w["covers"], codes, t), "ncs": ", ".join(w["nonconformities"]) or "—",
            "approver": _person(w["approver"], lang), "justification": w["justification"], "risk": w.get("risk") or "—",
            "start": _when(w["start"], w["start_written"]), "expiry": _when(w["expiry"], w["expiry_written"]),
            "state": t[f"state_{w['state']}"], "state_key": w["state"],
            "where": _where(w)}


def _when(day: str, written: str) -> str:
    """The Asia/Shanghai date, with the date-time as written when it was one."""
    return day if written == day else f"{day}（{written}）"


def _count(counts: dict, lang: str) -> str:
    sep = "，" if lang == "zh" else ", "
    parts = sep.join(f"{grade_label(g, lang)} {counts[g.value]}" for g in (Grade.MAJOR, Grade.MINOR))
    return f"{counts['total']}（{parts}）" if lang == "zh" else f"{counts['total']} ({parts})"


def waivers_view(report: Report, lang: str) -> dict:
    """The rows and counts of the two tables, in ``lang``."""
    t = in_language(REPORT, lang)
    codes = {p.id: p.code for p in report.packs}
    summary = report.summary()
    counts = [(t["ncs_without_waivers"], _count(summary["nonconformities"], lang)),
              (t["ncs_with_waivers"], _count(summary["not_waived"], lang)),
              (t["ncs_waived"], _count(summary["waived"], lang)),
              (t["ncs_lapsed"], _count(summary["waiver_not_in_force"], lang))]
    return {"soa": [_soa_row(r, codes, t, lang) for r in report.applicability],
            "waivers": [_waiver_row(w, codes, t, lang) for w in report.waivers],
            "counts": counts, "note": t["waivers_note"].format(date=report.bundle.get("audit_date")),
            "score_note": t["waivers_score_note"] if report.scores else None}
