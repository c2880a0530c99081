"""What templates/_ncr.md.j2 and _ncr.html.j2 read: the 不符合项报告 fields of each nonconformity and
the comparison with the previous audit, in one language (also for ``parkcheck diff``)."""

from __future__ import annotations

from ..labels_audit import NCR
from ..labels_out import grade_label, in_language
from ..model import Report

__all__ = ["FIELDS", "ncr_view", "punctuation", "surveillance_view"]

FIELDS = ("auditor", "acknowledged_by", "acknowledged_on", "correction", "root_cause", "corrective_action",
          "due_date", "completed_on", "verified_by", "verified_on")
CATEGORIES = ("closed", "still_open", "recurring", "new")


def _document(d: dict, lang: str = "zh") -> str:
    name = " ".join(str(d[k]) for k in ("number", "title", "version") if d.get(k))
    where = f"{d.get('file')}:{d['line']}" if d.get("line") else str(d.get("file"))
    marks = punctuation(lang)
    return f"{name}{marks['lp']}{where}{marks['rp']}" if name else where


def _status(status: str | None, t: dict) -> str:
    return t.get(status, status) if status else t["not_given"]


def _clauses(clauses, codes: dict[str, str]) -> str:
    return ", ".join(f"{codes.get(s, s)} {c}" for s, c in clauses)


def record_rows(record: dict, t: dict, lang: str = "zh") -> list[tuple[str, str]]:
    """``(label, value)`` of each field of a record, in the order of the form."""
    rows = [(t[k], record[k] if record[k] is not None else t["not_given"]) for k in FIELDS]
    rows.append((t["status"], _status(record["status"], t)))
    rows.append((t["documents"], "; ".join(_document(d, lang) for d in record["documents"]) or t["not_given"]))
    return rows


def ncr_view(report: Report, lang: str) -> dict:
    """The records of the report's nonconformities and its comparison with the previous audit."""
    t = in_language(NCR, lang)
    codes = {p.id: p.code for p in report.packs}
    records = [{"id": nc.id, "grade": grade_label(nc.grade, lang), "clauses": _clauses(nc.clauses, codes),
                "rows": record_rows(nc.record, t, lang),
                "problems": [p[lang] for p in nc.record["problems"]]}
               for nc in report.nonconformities if nc.record is not None]
    surveillance = surveillance_view(report.surveillance, lang, codes) if report.surveillance else None
    return {"t": t, "records": records, "surveillance": surveillance, "standalone": False,
            "this_date": report.bundle.get("audit_date"), **punctuation(lang)}


def punctuation(lang: str) -> dict[str, str]:
    """Colon and brackets as each language writes them."""
    return {"colon": "：", "lp": "（", "rp": "）"} if lang == "zh" else {"colon": ": ", "lp": " (", "rp": ")"}


def surveillance_view(surveillance: dict, lang: str, codes: dict[str, str]) -> dict:
    """The comparison arranged for people: counts, then the nonconformities of each category."""
    t = in_language(NCR, lang)

    def entry(e: dict) -> dict:
        return {"id": e["id"], "grade": grade_label(e["grade"], lang),
                "clauses": _clauses([(c["standard"], c["clause"]) for c in e["clauses"]], codes),
                "finding": e["finding"][lang], "status": _status(e["status"], t),
                "previous_status": _status(e["previous_status"], t),
                "recurring_of": ", ".join(e.get("recurring_of") or []),
                "note": e["note"][lang] if e.get("note") else "",
                "record": record_rows(e["record"], t, lang) if e.get("record") else None,
                "problems": [p[lang] for p in e["record"]["problems"]] if e.get("record") else []}

    return {"previous": surveillance["previous"], "open_remaining": surveillance["open_remaining"],
            "categories": [{"key": c, "title": t[c], "count": surveillance["counts"][c],
                            "entries": [entry(e) for e in surveillance[c]]} for c in CATEGORIES]}
