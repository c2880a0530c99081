"""Scores of scored standards (T/SEESA 010—2025 formula (1)), computed exactly from the pack's YAML table.

Nothing here knows a particular standard: groups, weights, indicators, lead values, scales, options
("二选一"), bonus groups, grade boundaries and the display rounding all come from ``scoring`` in the
pack manifest.

Arithmetic is exact (``fractions.Fraction``) from the values as written: a number read from YAML is
taken by its shortest decimal spelling (``0.1`` is 1/10, not the binary float), numerators and
denominators are divided exactly, and the total is compared with the grade bounds exactly.  Numbers
are rounded only when shown, by the pack's stated rule.

    index of an indicator   = min(F / F_L, 1)                      (note 1 to 6.2)
    subtotal of a group     = 100 × (sum of indices / j) × ω       (j: applicable indicators of the group)
    total S                 = sum of subtotals, bonus groups included

* A qualitative indicator's lead state counts 1 and the park's state is quantified against it: a
  value in [0, 1] (true/false and the pack's words such as 是/否 read as 1/0) is its index.
* "二选一": the pair counts once, with the better of its applicable options, whatever their order;
  if every option is declared not applicable the pair leaves the mean.
* An indicator declared not applicable *with a reason* leaves the mean; without a reason the
  declaration is not accepted (fail closed).  A group with no applicable indicator has an empty
  sum in formula (1): it contributes 0 and its weight is not redistributed (the report says so).
* An indicator whose data are missing or unusable is *not computed*: it stays in j and adds 0
  (the total is then a lower bound) and the score is marked provisional.  Every such indicator is
  accounted for by a finding: the data-check rules the pack names (``defect_rules``), evaluated by
  the engine, or, for an indicator with no data at all, a finding made here.

Eligibility is read from the engine's results: a nonconformity (or error) on a gate clause makes
the park not eligible for grading; the score is still computed and shown.

The package: ``numbers`` (exact values and display rounding), ``table`` (the pack's table and grade
bands), ``results`` (the score model), ``compute`` (formula (1) over a bundle), ``plan`` (what would
raise the score) and ``lint`` (the table's lint).
"""

from __future__ import annotations

from .compute import compute_score
from .lint import lint_scoring
from .numbers import HUNDRED, decimal_text, exact, fmt, fraction_text, number_json, round_half_up, round_up
from .plan import improvements, next_grade
from .results import Defect, GroupScore, IndicatorScore, Score
from .table import (
                    PAIR,
                    SCALES,
                    band_of,
                    band_text,
                    below_text,
                    grade_of,
                    lead_of,
                    options_of,
                    qualitative_words,
                    reading,
                    slot_of,
                    slot_table,
)

__all__ = ["HUNDRED", "PAIR", "SCALES", "Defect", "GroupScore", "IndicatorScore", "Score", "band_of", "band_text",
           "below_text", "compute_score", "decimal_text", "exact", "fmt", "fraction_text", "grade_of", "improvements",
           "lead_of", "lint_scoring", "next_grade", "number_json", "options_of", "qualitative_words", "reading",
           "round_half_up", "round_up", "slot_of", "slot_table"]
