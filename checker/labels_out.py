"""Every label of the tool's output, once, in both languages: ``(zh, en)`` pairs.

Reporters (Markdown, HTML, CSV, terminal), the rule reference (``docs``) and the message renderer
read their words here; nothing else spells a status, grade or section title.  (The labels a park
may write in its evidence, e.g. Chinese enum labels, are the schemas' business, not this table's.)
"""

from __future__ import annotations

from .model import SECONDARY_MARK, Grade, Status

Pair = tuple[str, str]

STATUS: dict[Status, Pair] = {
    Status.CONFORM: ("符合", "Conform"),
    Status.NONCONFORMITY: ("不符合", "Nonconformity"),
    Status.OBSERVATION: ("观察项", "Observation"),
    Status.NOT_APPLICABLE: ("不适用", "Not applicable"),
    Status.ONSITE: ("需现场核实", "Needs on-site verification"),
    Status.NOT_EVALUATED: ("未评价", "Not evaluated"),
    Status.ERROR: ("错误", "Error"),
    Status.NOT_CHECKED: ("未检查", "Not checked"),
}

GRADE: dict[Grade, Pair] = {Grade.MAJOR: ("严重", "Major"), Grade.MINOR: ("一般", "Minor")}
STATUS_LABELS, GRADE_LABELS = STATUS, GRADE  # the names checker.model used for these tables

# The grade a rule declares for a breach, and the modal verb of its requirement (the rule reference).
RULE_GRADE: dict[str, Pair] = {"major": ("严重不符合", "major nonconformity"),
                               "minor": ("一般不符合", "minor nonconformity"),
                               "observation": ("观察项", "observation")}
OBLIGATION: dict[str, Pair] = {"应": ("应（要求）", "shall (requirement)"),
                               "宜": ("宜（建议）", "should (recommendation)"),
                               "鼓励": ("鼓励（建议）", "encouraged (recommendation)"),
                               "可": ("可（资料性）", "may (informative)")}

# A value a message template asks for and the evidence does not give.
NOT_GIVEN: Pair = ("（未提供）", "(not given)")
# A yes/no value of the evidence (a qualitative state, a boolean field).
HAVE: dict[bool, Pair] = {True: ("有", "yes"), False: ("无", "no")}

# Where an indicator's data come from.
SOURCE: dict[str, Pair] = {"statistics": ("统计记录", "statistics"),
                           "commissioned_report": ("委托核算报告", "commissioned report"),
                           "site_survey": ("现场调研", "site survey")}

# Why an option of a 二选一 indicator was not used.
OPTION_STATE: dict[str, Pair] = {"absent": ("未提供", "not given"), "not_applicable": ("不适用", "not applicable"),
                                 "candidate": ("指数较低", "lower index"), "duplicate": ("重复填写", "given twice"),
                                 "unusable": ("数据不可用", "unusable"), "no_lead": ("无引领值", "no lead value")}

# Section titles and column heads of the reports.
REPORT: dict[str, Pair] = {
    "title": ("碳排放管理体系符合性报告", "Carbon emission management system conformity report"),
    "title_scored": ("零碳园区评价报告", "Zero-carbon park evaluation report"),
    "summary": ("概要", "Summary"),
    "verdicts": ("条款结论", "Verdicts by clause"),
    "ncs": ("不符合项清单", "Nonconformities"),
    "onsite": ("需现场核实的事项", "Items for on-site verification"),
    "gaps": ("所选标准的规则未读取的内容缺失", "Content gaps no rule of the selected standards reads"),
    "gaps_note": ("以下必填内容缺失或无效，但所选标准没有规则读取这些文件，因此不构成所选标准下的发现；仍请补全。",
                  "These required contents are missing or invalid, but no rule of the selected standards reads these "
                  "documents, so they are no finding under those standards; complete them all the same."),
    "obs": ("观察项", "Observations"),
    "na": ("不适用", "Not applicable"),
    "not_evaluated": ("未评价（依赖的不符合项关闭后再评价）",
                      "Not evaluated (judged once the nonconformity it depends on is closed)"),
    "depends": ("依赖于", "depends on"),
    "files": ("证据文件", "Evidence files"),
    "packs": ("规则包", "Rule packs"),
    "park": ("园区", "Park"),
    "period": ("报告期", "Reporting period"),
    "audit_date": ("审核/自查日期", "Audit / self-check date"),
    "standards": ("标准", "Standards"),
    "edition": ("版次", "edition"),
    "pack_version": ("规则包版本", "pack version"),
    "clause": ("条款", "Clause"),
    "clause_title": ("标题", "Title"),
    "verdict": ("结论", "Verdict"),
    "rules": ("规则", "Rules"),
    "no": ("编号", "No."),
    "requirement": ("要求", "Requirement"),
    "finding": ("不符合事实", "Finding"),
    "grade": ("等级", "Grade"),
    "evidence": ("证据位置", "Evidence"),
    "remediation": ("整改建议", "Remediation"),
    "none": ("无", "None"),
    "generated": ("生成时间", "Generated"),
    "tool": ("工具", "Tool"),
    "not_checked_note": ("“未检查”表示所选规则包尚无规则覆盖该条款，不代表符合。",
                         "\"Not checked\" means no rule of the selected packs covers the clause yet; "
                         "it is not a pass."),
    "item": ("事项", "Item"),
    "what": ("核实内容", "What to verify"),
    "reason": ("理由", "Reason"),
    "path": ("文件", "File"),
    "kind": ("类型", "Kind"),
    "score": ("评分", "Score"),
    "total": ("总分", "Total"),
    "base": ("基础分", "Base"),
    "bonus": ("加分", "Bonus"),
    "score_grade": ("级别", "Grade"),
    "not_eligible": ("不具备评级资格（基本要求未满足）", "not eligible for grading (basic requirement failed)"),
    "designation": ("零碳园区称号", "Zero-carbon park designation"),
    "yes": ("是", "Yes"),
    "no_": ("否", "No"),
    "weights": ("权重说明", "Weights"),
    "group": ("一级指标", "Group"),
    "weight": ("权重", "Weight"),
    "counted": ("计分指标数", "Indicators counted"),
    "subtotal": ("得分", "Subtotal"),
    "indicator": ("指标", "Indicator"),
    "value": ("现状值", "Value"),
    "lead": ("引领值", "Lead value"),
    "index": ("指数", "Index"),
    "contribution": ("贡献", "Contribution"),
    "source": ("数据来源", "Source"),
    "na_mark": ("（不适用）", "(not applicable)"),
    "editor_default": ("编辑默认值", "editor default"),
    "from_inputs": ("* 按附录 B 定义由分子、分母计算的值。",
                    "* computed from numerator and denominator as Annex B defines it."),
    "raise": ("提升得分最多的指标", "What would raise the score most"),
    "gap_line": ("内容缺失（所选标准无规则读取，不计为发现）",
                 "content gap (no rule of the selected standards reads it; no finding)"),
    "unused_line": ("未使用的文件（没有任何文档读取或引用）", "file not used (nothing reads or refers to it)"),
    # -- waivers work package: the statement of applicability and the waivers (templates/_waivers.*) --
    "soa": ("适用性声明", "Statement of applicability"),
    "soa_none": ("没有适用性声明：没有条款因园区的声明而不适用。",
                 "No statement of applicability: no clause is excluded by the park's statement."),
    "soa_note": ("声明只在证据包中没有可评价的证据时采纳：因缺少证据而得出的结果判为不适用；已提供的证据仍按条款评价。",
                 "A statement is taken only where the bundle holds nothing to judge: results that rest on absent "
                 "evidence become not applicable; evidence that is given is still judged."),
    "soa_standard": ("标准", "Standard"),
    "soa_every": ("所检查的各标准", "every standard checked"),
    "decided_by": ("决定人", "Decided by"),
    "decided_on": ("决定日期", "Date"),
    "outcome": ("结果", "What became of it"),
    "outcome_taken": ("已采纳：{taken} 项因缺少证据的结果判为不适用", "Taken: {taken} results resting on absent "
                      "evidence became not applicable"),
    "outcome_partly_taken": ("部分采纳：{taken} 项因缺少证据的结果判为不适用；"
                             "已提供的证据仍予评价（{judged} 项：{statuses}）",
                             "Partly taken: {taken} results resting on absent evidence became not applicable; the "
                             "evidence given was judged ({judged} results: {statuses})"),
    "outcome_not_taken": ("未采纳：已提供证据并按证据评价（{judged} 项：{statuses}）",
                          "Not taken: evidence was given and judged ({judged} results: {statuses})"),
    "outcome_no_results": ("未采纳：所检查的标准在该条款下没有规则结果", "Not taken: no rule of the standards checked "
                           "gave a result in this clause"),
    "outcome_outside": ("不涉及本次检查的标准", "Not about the standards checked"),
    "recorded_at": ("记录位置", "Recorded at"),
    "waivers": ("豁免与接受的风险", "Waivers and accepted risks"),
    "waivers_none": ("没有豁免：每个不符合项都计为未豁免。", "No waivers: every nonconformity counts as not waived."),
    "waivers_note": ("被豁免的不符合项仍是不符合项，状态与等级不变；严重不符合项不因豁免而视为关闭。"
                     "豁免是否有效按审核日期 {date} 判断（日期时间按北京时间取日期，失效日期当天仍有效）；"
                     "已失效或尚未生效的豁免视为未豁免。",
                     "A waived nonconformity stays a nonconformity, its status and grade unchanged; a waiver never "
                     "closes a major nonconformity. Whether a waiver is in force is judged on the audit date {date} "
                     "(date-times are taken as their date in Asia/Shanghai; the expiry day itself is in force); an "
                     "expired waiver or one not yet in force counts as not waived."),
    "waivers_score_note": ("豁免不改变得分与评级资格：得分按指标数据计算，豁免不提供数据；"
                           "评级资格取决于基本要求条款的不符合项，豁免不关闭不符合项。",
                           "Waivers change neither the score nor the eligibility for grading: the score is computed "
                           "from the indicator data, which a waiver does not supply; eligibility rests on the "
                           "nonconformities of the basic-requirement clauses, which a waiver does not close."),
    "ncs_without_waivers": ("不符合项（不计豁免）", "Nonconformities (waivers not counted)"),
    "ncs_with_waivers": ("未被有效豁免的不符合项（计入豁免）", "Nonconformities not waived (waivers counted)"),
    "ncs_waived": ("被有效豁免的不符合项", "Nonconformities waived by a waiver in force"),
    "waived_mark": ("已豁免 {id}（仍计为不符合项）", "waived by {id} (still a nonconformity)"),
    "ncs_lapsed": ("其豁免已失效或尚未生效的不符合项（计为未豁免）",
                   "Nonconformities whose waiver is expired or not yet in force (counted as not waived)"),
    "waiver_id": ("豁免编号", "Waiver"),
    "covers": ("豁免对象", "Covers"),
    "covers_rule": ("规则", "rule"),
    "covered_ncs": ("涉及的不符合项", "Nonconformities covered"),
    "approver": ("批准人", "Approved by"),
    "risk": ("风险说明", "Risk statement"),
    "waiver_start": ("生效日期", "In force from"),
    "waiver_expiry": ("失效日期（当天仍有效）", "Expiry (in force through)"),
    "waiver_state": ("状态", "State"),
    "state_in_force": ("有效", "In force"),
    "state_expired": ("已失效（视为未豁免）", "Expired (counts as not waived)"),
    "state_not_yet_in_force": ("尚未生效（视为未豁免）", "Not yet in force (counts as not waived)"),
    # -- work package "audit" (checker.audit, checker.readiness; templates/_audit.*.j2) --
    "audit_info": ("审核信息", "Audit information"),
    "audit_body": ("认证机构", "Certification body"),
    "audit_accreditation": ("认可编号", "Accreditation"),
    "audit_number": ("审核编号", "Audit number"),
    "audit_type": ("审核类型", "Audit type"),
    "audit_dates": ("审核日期", "Audit dates"),
    "audit_team": ("审核组", "Audit team"),
    "audit_name": ("姓名", "Name"),
    "audit_role": ("角色", "Role"),
    "audit_registration": ("注册证书编号", "Registration"),
    "audit_auditee": ("受审核方代表", "Auditee representatives"),
    "audit_scope": ("审核范围", "Audit scope"),
    "audit_criteria": ("审核准则", "Audit criteria"),
    "audit_sites": ("审核现场", "Sites"),
    "audit_record": ("审核信息文件", "Audit record"),
    "audit_date_used": ("规则计算所依据的日期", "Date the rules measure from"),
    "audit_date_manifest": ("取自证据包清单（bundle.yaml 的 audit_date）",
                            "from the bundle's manifest (audit_date of bundle.yaml)"),
    "audit_date_option": ("由 --audit-date 指定，替代清单中的", "given with --audit-date, in place of the manifest's"),
    "audit_conclusion": ("审核结论", "Audit conclusion"),
    "audit_grounds": ("依据", "Grounds"),
    "section_note": ("注", "Note"),  # under a table of a pack's report section (checker.sections)
    "audit_blocking": ("未关闭的严重不符合项（阻止推荐）", "Open major nonconformities (blocking a recommendation)"),
    "readiness": ("按 PDCA 环节的准备情况", "Readiness by PDCA area"),
    "readiness_area": ("环节", "Area"),
    "readiness_clauses": ("所含章条", "Clauses"),
    "readiness_total": ("规范性条款数", "Normative clauses"),
    "readiness_basis": ("对应依据", "Basis of the mapping"),
    "readiness_omitted": ("未给出 PDCA 视图", "No PDCA view"),
    "readiness_note": ("按条款表计数：一个条款及其各列项各计一次。",
                       "Counted as in the clause table: a clause and each of its list items count once each."),
    "fix_first": ("整改先后顺序", "What to fix first"),
    "fix_first_note": ("严重不符合项在前，其次是等待其关闭的结果较多的，再按条款顺序。",
                       "Majors first, then those the most results wait on, then clause order."),
    "fix_waiting": ("等待其关闭的结果", "Results waiting on it"),
    # the summary (Report.summary()): numbered nonconformities and rule results are different counts
    "errors": ("规则执行错误", "Rules that failed to run"),
    "sum_ncs": ("不符合项", "Nonconformities"),
    "sum_ncs_value": ("{total} 项（严重 {major} 项，一般 {minor} 项）", "{total} ({major} major, {minor} minor)"),
    "sum_ncs_note": ("按不符合项编号计数：同一缺陷的多条规则结果合并为一项。",
                     "Counted by nonconformity number: the rule results of one defect make one nonconformity."),
    "sum_results": ("其他规则结果", "Other rule results"),
    "sum_results_note": ("每条规则对每个对象的一次判定", "one per rule and subject"),
    "sum_title_only": ("仅依据条款标题", "Resting on clause titles only"),
    "sum_title_only_value": ("{results} 条规则结果，涉及 {ncs} 项不符合项、{clauses} 个条款结论",
                             "{results} rule results, in {ncs} nonconformities and {clauses} clause verdicts"),
    "title_only": ("仅依据标题", "title only"),
    "secondary": SECONDARY_MARK,
    "sum_secondary": ("依据二手资料", "Resting on secondary sources"),
    "secondary_note": ("标“来源：二手资料，非官方原文”的标准没有可得的官方原文：条款号、标题与阈值据公开二手资料整理，"
                       "规则包不引用任何原文；结论须对照官方原文确认。",
                       "Standards marked \"source: secondary reporting\" have no official text available: clause "
                       "numbers, titles and thresholds were gathered from public secondary reporting, the pack quotes "
                       "nothing as requirement text, and the verdicts must be confirmed against the official text."),
    "title_only_note": ("标“仅依据标题”的结论来自只知道条款标题的规则：该标准的来源文本没有这些条款的正文，"
                        "规则通过另一标准中的等同要求检查证据，结论未对照条款正文。",
                        "Verdicts marked \"title only\" come from rules that know the clause by its title only: "
                        "the standard's source holds no text for these clauses, the rules check the evidence "
                        "through an equivalent requirement of another standard, and the verdicts were not "
                        "compared with the clause text."),
    "basis": ("依据", "Basis"),
    "rule_count": ("规则 {n} 条", "{n} rules"),
    "card_major": ("严重不符合项", "Major nonconformities"),
    "card_minor": ("一般不符合项", "Minor nonconformities"),
    "standard_code": ("标准代号", "Standard code"),
    "standard_name": ("标准名称", "Standard title"),
}

# The columns of nonconformities.csv (checker.reporters.csv_report), by key; "remediation" only in a pre-check.
CSV_COLUMNS: dict[str, Pair] = {
    "id": ("编号", "No."), "clauses": ("标准条款", "Clauses"), "standards": ("标准", "Standards"),
    "title_only": ("仅依据标题的条款", "Clauses known by title only"), "requirement": ("要求", "Requirement"),
    "finding": ("不符合事实", "Finding"), "grade": ("等级", "Grade"), "evidence": ("证据位置", "Evidence location"),
    "remediation": ("整改建议", "Remediation"), "rules": ("规则", "Rules")}

# The working of a score.
SCORE: dict[str, Pair] = {
    "total": ("总分 S", "Total S"),
    "base": ("基础分", "Base"),
    "bonus": ("加分", "Bonus"),
    "grade": ("级别", "Grade"),
    "bound": ("满足的表 2 区间", "Table 2 band met"),
    "exact": ("精确值", "exact"),
    "not_computed": ("未计算", "not computed"),
    "no_data": ("没有指标数据，得分未计算。", "No indicator data: the score is not computed."),
    "provisional": ("暂定", "Provisional"),
    "provisional_note": ("得分依据有缺陷的数据，为暂定结果：共 {n} 项数据缺陷（见下表）；"
                         "未计算的指标按 0 计入其一级指标的平均，得分为下限。",
                         "The score rests on defective data and is provisional: {n} data defect(s) (listed below); "
                         "indicators not computed count 0 in their group's mean, so the total is a lower bound."),
    "not_eligible": ("不具备评级资格（基本要求未满足）", "not eligible for grading (basic requirement failed)"),
    "rounding": ("舍入规则", "Rounding"),
    "weights": ("权重说明", "Weights"),
    "group": ("一级指标", "Group"),
    "weight": ("权重 ω", "Weight ω"),
    "counted": ("适用指标数 j", "Applicable j"),
    "mean": ("平均指数", "Mean index"),
    "subtotal": ("得分", "Subtotal"),
    "note": ("说明", "Note"),
    "base_sum": ("基础分合计", "Base total"),
    "bonus_sum": ("加分合计", "Bonus total"),
    "no": ("序号", "No."),
    "indicator": ("指标", "Indicator"),
    "year": ("数据年度", "Data year"),
    "value": ("现状值 F", "Value F"),
    "lead": ("引领值 F_L", "Lead F_L"),
    "index": ("指数 min(F/F_L,1)", "Index min(F/F_L,1)"),
    "ind_weight": ("权重 ω/j", "Weight ω/j"),
    "contribution": ("贡献", "Contribution"),
    "source": ("来源与位置", "Source and location"),
    "option_used": ("二选一，采用", "二选一, used"),
    "option_other": ("另一项", "other"),
    "na": ("不适用", "not applicable"),
    "no_lead": ("无引领值，不计分", "no lead value, not scored"),
    "from_inputs": ("由分子、分母计算", "from numerator/denominator"),
    "defects": ("数据缺陷", "Data defects"),
    "where": ("位置", "Location"),
    "rule": ("规则", "Rule"),
    "finding": ("缺陷", "Defect"),
    "machinery": ("计分程序", "scoring"),
    "whole_file": ("整个文件", "whole file"),
    "next": ("达到上一级别所需的最小变化", "Smallest changes that would lift the grade"),
    "target": ("目标：{grade}（{bound}），总分需再提高 {needed} 分{strict}。",
               "Target: {grade} ({bound}); the total must rise by {needed} points{strict}."),
    "each_alone": ("下表每行单独即可达到（其余指标不变）：", "Each row alone is enough (other indicators unchanged):"),
    "strict": ("以上（须严格超过边界）", " or more (strictly past the bound)"),
    "combined_intro": ("单项指标提高均不足以达到；最少需同时提高以下 {n} 项：",
                       "No single indicator is enough; the fewest to raise together ({n}):"),
    "unreachable": ("即使所有指标达到引领值也达不到。", "Not reachable even with every indicator at its lead value."),
    "top": ("已是最高级别。", "Already the highest grade."),
    "now": ("现状", "Now"),
    "needed": ("需达到", "Needed"),
    "raise": ("提升得分最多的指标", "What would raise the score most"),
    "to_lead": ("达到引领值可加", "gain at the lead value"),
    "yes": ("是", "yes"),
    "no_": ("否", "no"),
    "designation": ("零碳园区称号", "Zero-carbon park designation"),
    "editor_default": ("编辑默认值", "editor default"),
}


def index(lang: str) -> int:
    return 0 if lang == "zh" else 1


def in_language(table: dict[str, Pair], lang: str) -> dict[str, str]:
    """A table of pairs in one language."""
    i = index(lang)
    return {k: v[i] for k, v in table.items()}


def status_label(status: Status | str, grade: Grade | str | None, lang: str) -> str:
    """A status (with the grade of a nonconformity) in one language."""
    status, grade = Status(status), (Grade(grade) if grade else None)
    i = index(lang)
    label = STATUS[status][i]
    if status is Status.NONCONFORMITY and grade is not None:
        label = f"{label}（{GRADE[grade][i]}）" if lang == "zh" else f"{label} ({GRADE[grade][i]})"
    return label


def grade_label(grade: Grade | str, lang: str) -> str:
    return GRADE[Grade(grade)][index(lang)]


def source_label(source: str | None, lang: str) -> str:
    return SOURCE.get(source, ("", ""))[index(lang)] if source else ""


def have_label(value: bool, lang: str) -> str:
    return HAVE[value][index(lang)]

# The terminal view (checker.reporters.terminal): verdict line, counts, sections, the mode of the check.
TERMINAL: dict[str, Pair] = {
    "conclusion": ("结论", "Conclusion"),
    "major_minor": ("存在 {major} 项严重不符合、{minor} 项一般不符合",
                    "{major} major and {minor} minor nonconformities"),
    "minor_only": ("存在 {minor} 项一般不符合，无严重不符合", "{minor} minor nonconformities, no major one"),
    "none": ("未发现不符合", "no nonconformity found"),
    "onsite_open": ("另有 {n} 项需现场核实", "{n} items still need on-site verification"),
    "errors": ("{n} 项规则执行出错，结论不完整", "{n} rules failed to run: the result is incomplete"),
    "ncs": ("不符合项", "Nonconformities"),
    "results": ("其他规则结果", "Other rule results"),
    "nc_list": ("不符合项（严重在前）", "Nonconformities (major first)"),
    "obs_list": ("观察项", "Observations"),
    "onsite_list": ("需现场核实", "Needs on-site verification"),
    "what_closes": ("需提供", "To provide"),
    "found": ("发现", "Found"),
    "mode": ("检查类型", "Type of check"),
    "precheck": ("预检（显示整改所需资料）", "pre-check (what would close each finding is shown)"),
    "audit": ("审核（不提供整改建议）", "audit (no advice is given)"),
    "not_stated": ("未声明", "not stated"),
    "application": ("申报条件核对", "check against the application conditions"),
    "bundle_states": ("证据包声明的检查类型：", "the bundle states: "),
    "more_evidence": ("另有 {n} 处", "{n} more"),
    "clause_table_hint": ("逐条款结论表：加 --all 显示", "Clause-by-clause table: add --all"),
}
CHECK_TYPE: dict[str, Pair] = {"certification_audit": ("认证审核", "certification audit"),
                               "surveillance_audit": ("监督审核", "surveillance audit"),
                               "self_check": ("园区自查", "self-check"), "pre_assessment": ("预评估", "pre-assessment")}
