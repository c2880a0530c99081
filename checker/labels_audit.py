"""The words of the certification workflow's outputs: the machine formats (JUnit, SARIF, OSCAL), the
printed report, the 不符合项报告 fields and the surveillance comparison, and the auditor's on-site
judgements.  Chinese first, English alongside, like every table of checker.labels_out."""

from __future__ import annotations

from .labels_out import Pair
from .model import SECONDARY_MARK

# --- work package "machine": the words of junit.xml, report.sarif and oscal-assessment-results.json ---
MACHINE: dict[str, Pair] = {
    "nc": ("不符合项编号", "Nonconformity"),
    "finding_or_message": ("说明", "Statement"),
    "source_basis": ("判断依据", "Basis"),
    "title_only": ("仅依据条款标题判断", "judged from the clause title only"),
    "secondary": SECONDARY_MARK,
    "suites": ("园区规则检查结果", "Rule results of the park"),
    "evidence_collected": ("证据审查", "Examination of the evidence"),
    "plan": ("检查方案：所选标准的规则包", "Assessment plan: the rule packs of the selected standards"),
    "plan_note": ("parkcheck 没有单独的评估计划文件；此处引用所用的规则包。",
                  "parkcheck has no separate assessment plan document; this refers to the rule packs used."),
    "results_title": ("{park}：按 {standards} 的检查结果", "{park}: results against {standards}"),
    "results_description": ("{park} 证据包的规则检查结果（审核/自查日期 {date}），共 {n} 项规则结果、{ncs} 项不符合。",
                            "Rule results on the evidence bundle of {park} (audit / self-check date {date}): "
                            "{n} rule results, {ncs} nonconformities."),
    "controls": ("所选标准中有规则覆盖的条款", "The clauses of the selected standards that rules cover"),
    "tool_description": ("依据标准条款的规则包检查园区证据包的工具。",
                         "Checks a park's evidence bundle against rule packs of the standards' clauses."),
    "pack": ("规则包", "Rule pack"),
    "evidence_file": ("证据文件", "Evidence file"),
    "bundle_root": ("证据包所在文件夹（报告中的文件路径均相对于它）",
                    "The folder of the evidence bundle (every file path of the report is relative to it)"),
    "undetermined": ("未判定（不作为符合）", "not determined (not taken as conformity)"),
    "judgement": ("审核员现场判定", "Auditor's on-site judgement"),
    "tool_verdict": ("工具原结论", "tool's verdict"),
    "waiver": ("豁免/接受的风险", "Waiver / accepted risk"),
    "in_force": ("有效", "in force"),
    "expired": ("已失效（不计为豁免）", "expired (not counted as waived)"),
}

# --- pdf work package: the printed report (checker.reporters.pdf_report, templates/report.pdf.html.j2) ---
PDF: dict[str, Pair] = {
    "page_of": ("第 {page} 页 共 {pages} 页", "Page {page} of {pages}"),
    "audit_info": ("审核信息", "Audit information"),
    "no_audit_info": ("未提供审核信息（audit.yaml / --audit）；以下为证据包所载的园区、报告期、审核日期与标准。",
                      "No audit information given (audit.yaml / --audit); below are the park, period, audit date "
                      "and standards the evidence bundle states."),
    "report_type": ("报告类型", "Type of report"),
    "precheck": ("预检", "Pre-check"),
    "audit": ("审核", "Audit"),
    "conclusion": ("审核结论", "Audit conclusion"),
    "signatures": ("签署", "Signatures"),
    "lead_auditor": ("审核组长", "Lead auditor"),
    "auditee": ("受审核方代表", "Auditee representative"),
    "signature": ("签字", "Signature"),
    "date": ("日期", "Date"),
    "nc_register": ("不符合项一览", "Nonconformities at a glance"),
    "details": ("不符合项详情", "Nonconformities in detail"),
    "observation": ("观察内容", "Observation"),
    "message": ("说明", "Note"),
    "gap": ("缺失内容", "Missing content"),
}

# ncr work package: the 不符合项报告 fields, their statuses and the comparison with the previous audit
# (checker.ncr, checker.surveillance, templates/_ncr.*, parkcheck diff).
NCR: dict[str, Pair] = {
    "records": ("不符合项报告", "Nonconformity reports"),
    "records_note": ("状态由工具根据日期与验证推定；审核日期以本次检查所依据的日期为准。",
                     "The status is derived from the dates and the verification, against the date this check "
                     "measures from."),
    "number": ("不符合项编号", "NCR number"),
    "clause": ("条款", "Clause"),
    "grade": ("等级", "Grade"),
    "finding": ("不符合事实", "Finding"),
    "auditor": ("审核组长", "Lead auditor"),
    "acknowledged_by": ("受审核方确认人", "Acknowledged by (auditee)"),
    "acknowledged_on": ("确认日期", "Acknowledged on"),
    "correction": ("纠正", "Correction"),
    "root_cause": ("原因分析", "Root cause"),
    "corrective_action": ("纠正措施", "Corrective action"),
    "due_date": ("要求完成日期", "Due date"),
    "completed_on": ("完成日期", "Completed on"),
    "verified_by": ("验证人", "Verified by"),
    "verified_on": ("验证日期", "Verified on"),
    "status": ("状态", "Status"),
    "problems": ("纠正措施记录中的问题", "Problems in the corrective-action entry"),
    "documents": ("客观证据所在文件", "Documents holding the objective evidence"),
    "field": ("栏目", "Field"),
    "value": ("内容", "Entry"),
    "not_given": ("—", "—"),
    "open": ("未整改", "Open"),
    "planned": ("已制定措施", "Action planned"),
    "completed": ("已完成待验证", "Completed, not verified"),
    "overdue": ("已逾期", "Overdue"),
    "surveillance": ("与上次审核的比较", "Comparison with the previous audit"),
    "diff_title": ("不符合项比较：上次审核与本次审核", "Nonconformities: previous audit and this audit"),
    "previous": ("上次审核报告", "Previous audit's report"),
    "previous_date": ("上次审核日期", "Previous audit date"),
    "this_date": ("本次审核日期", "This audit's date"),
    "closed": ("已关闭", "Closed"),
    "still_open": ("仍未关闭", "Still open"),
    "recurring": ("再次发生", "Recurring"),
    "new": ("新发现", "New"),
    "count": ("数量", "Count"),
    "open_remaining": ("仍待关闭的不符合项", "Nonconformities still to close"),
    "previous_status": ("上次状态", "Previous status"),
    "status_now": ("当前状态", "Status now"),
    "recurring_of": ("重复的已关闭项", "Repeats the closed"),
    "note": ("说明", "Note"),
    "none": ("无", "None"),
}

# --- onsite work package (issue 14 item 3): the auditor's on-site judgements (checker.onsite, templates/_onsite.*)
ONSITE_LABELS: dict[str, Pair] = {
    "title": ("现场审核判定（审核员判断）", "On-site judgements (the auditor's)"),
    "note": ("下列结果由审核员现场判定：状态和等级为审核员的结论，工具原来的结论列在旁边。",
             "These results were judged on site by the auditor: status and grade are the auditor's, the tool's "
             "own verdict is shown beside them."),
    "item": ("事项", "Item"),
    "clauses": ("条款", "Clause"),
    "tool_verdict": ("工具结论", "Tool's verdict"),
    "auditor_verdict": ("审核员结论", "Auditor's verdict"),
    "action": ("判定", "Judgement"),
    "auditor": ("审核员", "Auditor"),
    "date": ("日期", "Date"),
    "evidence_seen": ("现场所见证据", "Evidence seen"),
    "nc": ("不符合项", "Nonconformity"),
    "where": ("记录位置", "Recorded at"),
    "no_tool_verdict": ("（审核员新增）", "(added by the auditor)"),
    "mark": ("审核员判定", "auditor's judgement"),
    "action_confirm": ("确认", "confirmed"),
    "action_downgrade": ("降级", "downgraded"),
    "action_upgrade": ("升级", "upgraded"),
    "action_add": ("新增", "added"),
    "action_resolve": ("现场核实", "verified on site"),
    "seen_document": ("文件", "Document"),
    "seen_record": ("记录", "Record"),
    "seen_interview": ("访谈", "Interview"),
    "seen_observation": ("现场观察", "Site observation"),
}
