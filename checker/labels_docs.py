"""The words of the documents an auditor files: the NCR forms (``--format docx``) and the register
workbook (``--format xlsx``), ``(zh, en)`` pairs like every table of checker.labels_out (statuses and
grades are read there; these are the forms' own field names, sheet names and status words).  Kept in
a module of its own so that checker.labels_out stays within the size every module keeps."""

from __future__ import annotations

from .labels_out import Pair

DOCUMENT: dict[str, Pair] = {
    "ncr_title": ("不符合项报告", "Nonconformity report"), "audit_info": ("审核信息", "Audit information"),
    "body": ("认证机构", "Certification body"), "audit_number": ("审核编号", "Audit number"),
    "audit_type": ("审核类型", "Audit type"), "audit_dates": ("审核日期", "Audit dates"),
    "auditee": ("受审核方", "Auditee"), "audit_date": ("审核/自查日期", "Audit / self-check date"),
    "number": ("不符合项编号", "NCR number"), "standard": ("标准", "Standard"),
    "standard_code": ("标准代号", "Standard code"), "standard_name": ("标准名称", "Standard name"),
    "clause": ("条款", "Clause"), "clause_title": ("条款标题", "Clause title"),
    "requirement": ("标准要求", "Requirement"), "finding": ("不符合事实描述", "Statement of nonconformity"),
    "evidence": ("客观证据", "Objective evidence"), "grade": ("不符合等级", "Grade"),
    "auditor": ("审核员", "Auditor"), "acknowledged": ("受审核方确认", "Auditee acknowledgement"),
    "acknowledged_by": ("受审核方确认人", "Acknowledged by"), "acknowledged_on": ("确认日期", "Acknowledged on"),
    "correction": ("纠正", "Correction"), "root_cause": ("原因分析", "Root-cause analysis"),
    "corrective_action": ("纠正措施", "Corrective action"), "due_date": ("完成期限", "Due date"),
    "completed_on": ("完成日期", "Completed on"), "verified_by": ("验证人", "Verification by"),
    "verified_on": ("验证日期", "Verification date"), "status": ("状态", "Status"),
    "remediation": ("整改建议", "Remediation"), "rules": ("规则", "Rules"), "signatures": ("签字", "Signatures"),
    "sign_auditor": ("审核员签字", "Auditor's signature"),
    "sign_auditee": ("受审核方代表签字", "Auditee representative's signature"),
    "sign_verifier": ("验证人签字", "Verifier's signature"), "date": ("日期", "Date"),
    "doc_version": ("版本", "version"), "verdict": ("结论", "Verdict"), "normative": ("规范性条款", "Normative"),
    "reason": ("理由", "Reason"), "register_sheet": ("不符合项登记表", "NC register"),
    "clauses_sheet": ("条款结论", "Clause verdicts"), "judgement": ("现场审核判定", "On-site judgement"),
    "tool_verdict": ("工具结论", "tool's verdict"), "evidence_seen": ("查看的证据", "evidence seen"),
    "waiver": ("豁免/接受的风险", "Waiver / accepted risk"), "approved_by": ("批准人", "approved by"),
    "in_force": ("有效", "in force"), "record_problems": ("记录问题", "Problems in the record"),
    "expired": ("已过期（不计为豁免）", "expired (not counted as waived)"),
}
JUDGEMENT_ACTION: dict[str, Pair] = {"confirm": ("确认", "confirmed"), "downgrade": ("降级", "downgraded"),
                                     "upgrade": ("升级", "upgraded"), "add": ("审核员新增", "added by the auditor"),
                                     "resolve": ("现场已解决", "resolved on site")}
NCR_STATUS: dict[str, Pair] = {"open": ("未关闭", "Open"), "planned": ("已制定措施", "Action planned"),
                               "completed": ("已完成，待验证", "Completed, awaiting verification"),
                               "closed": ("已关闭", "Closed"), "overdue": ("逾期", "Overdue")}
AUDIT_TYPE: dict[str, Pair] = {"stage1": ("第一阶段审核", "Stage 1 audit"), "stage2": ("第二阶段审核", "Stage 2 audit"),
                               "surveillance": ("监督审核", "Surveillance audit"),
                               "recertification": ("再认证审核", "Recertification audit"),
                               "special": ("特殊审核", "Special audit")}
