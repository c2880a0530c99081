# language: zh-CN
功能: T/CPQS ZC001—2025 第 10 章 绩效评价
  适当时，产业园区应确保使用和维护经校准或检定的监视和测量设备；应适时评价合规性并保留评价结果；
  应按计划的时间间隔实施内部审核；最高管理者应按照计划的时间间隔进行管理评审。

  背景:
    假如 一个在已编码条款上符合要求的园区证据包

  场景: 监视测量、合规性评价、内审和管理评审均按要求实施
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "10.1.1" 的结论为 "符合"
    并且 条款 "10.1.2" 的结论为 "符合"
    并且 条款 "10.2" 的结论为 "符合"
    并且 条款 "10.3" 的结论为 "符合"

  场景: 流量计在审核日已超出校准有效期
    假如 将文件 "monitoring.yaml" 中 "/equipment/0/calibrated_until" 设为 "2024-12-31"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "10.1.1" 的结论为 "不符合（一般）"

  场景: 严重偏离未调查
    假如 在文件 "monitoring.yaml" 中删除 "/deviations/0/investigation"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "10.1.1" 的结论为 "不符合（一般）"
    并且 不符合项引用条款 "10.1.1" 且证据位置为 "monitoring.yaml" 的 "/deviations/0"

  场景: 最近一次合规性评价距审核日超过 12 个月
    假如 将文件 "compliance_evaluation.yaml" 中 "/evaluations/0/date" 设为 "2023-11-25"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "10.1.2 a)" 的结论为 "不符合（严重）"

  场景: 报告期内没有内部审核
    假如 将文件 "internal_audit.yaml" 中 "/audits/0/date" 设为 "2023-11-12"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "10.2" 的结论为 "不符合（严重）"

  场景: 管理评审早于其引用的内部审核
    假如 将文件 "management_review.yaml" 中 "/reviews/0/date" 设为 "2024-10-30"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "10.3 d)" 的结论为 "不符合（一般）"

  场景: 对比所用的基准值与基准文件不一致
    假如 将文件 "monitoring.yaml" 中 "/comparisons/0/baseline_value" 设为 "0.86"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "10.1.1" 的结论为 "不符合（一般）"
    并且 不符合项引用条款 "10.1.1" 且证据位置为 "monitoring.yaml" 的 "/comparisons/0"

  场景: 监视测量记录与改进记录中同一年度的数值不一致
    假如 将文件 "improvement.yaml" 中 "/performance/1/value" 设为 "0.73"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "10.1.1" 的结论为 "不符合（一般）"
    并且 不符合项引用条款 "10.1.1" 且证据位置为 "monitoring.yaml" 的 "/comparisons/0"

  场景: 合规性评价发现未满足的要求却没有采取措施
    假如 将文件 "compliance_evaluation.yaml" 中 "/evaluations/0/unmet" 设为 "2"
    并且 在文件 "compliance_evaluation.yaml" 中删除 "/evaluations/0/actions"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "10.1.2 c)" 的结论为 "不符合（一般）"

  场景: 组织数据显示审核员属于其审核的部门，审核记录仍自称独立
    假如 将文件 "organization.yaml" 中 "/personnel/2/department" 设为 "经济发展局"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "10.2 (2)c)" 的结论为 "不符合（一般）"
    并且 不符合项引用条款 "10.2 (2)c)" 且证据位置为 "internal_audit.yaml" 的 "/audits/0/assignments/0"

  场景: 管理评审由部门负责人主持，记录却自称最高管理者
    假如 将文件 "management_review.yaml" 中 "/reviews/0/chaired_by/name" 设为 "刘局长"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "10.3" 的结论为 "不符合（一般）"
    并且 不符合项引用条款 "10.3" 且证据位置为 "management_review.yaml" 的 "/reviews/0/chaired_by"

  场景: 管理评审沿用上一评审期间的内审结果
    假如 将文件 "management_review.yaml" 中 "/reviews/0/review_period/start" 设为 "2024-11-13"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "10.3 d)" 的结论为 "不符合（一般）"
    并且 不符合项引用条款 "10.3 d)" 且证据位置为 "management_review.yaml" 的 "/reviews/0/audit_ref"

  场景: 管理评审引用的合规性评价不存在
    假如 将文件 "management_review.yaml" 中 "/reviews/0/compliance_ref" 设为 "CE-2022"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "10.3.1 d)" 的结论为 "不符合（一般）"

  场景: 内部审核日期在审核日之后，不能缩短此前的间隔
    假如 将文件 "internal_audit.yaml" 中 "/audits/0/date" 设为 "2025-04-10"
    并且 将文件 "internal_audit.yaml" 中 "/audits/0/report_date" 设为 "2025-04-15"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "10.2" 的结论为 "不符合（严重）"
    并且 不符合项引用条款 "10.2" 且证据位置为 "internal_audit.yaml" 的 ""

  场景: 审核方案规定每 6 个月审核一次，实际间隔更长
    假如 将文件 "internal_audit.yaml" 中 "/programme/interval_months" 设为 "6"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "10.2" 的结论为 "不符合（一般）"

  场景: 审核记录写明审核员属于其审核的部门
    假如 将文件 "internal_audit.yaml" 中 "/audits/0/auditors/0/department" 设为 "经济发展局"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "10.2 (2)c)" 的结论为 "不符合（一般）"

  场景: 审核报告日期早于审核日期
    假如 将文件 "internal_audit.yaml" 中 "/audits/0/report_date" 设为 "2024-11-01"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "10.2 (2)d)" 的结论为 "不符合（一般）"

  场景: 最近一次管理评审距审核日超过 12 个月
    假如 将文件 "management_review.yaml" 中 "/reviews/0/date" 设为 "2024-02-10"
    并且 在文件 "management_review.yaml" 中删除 "/reviews/0/audit_ref"
    并且 在文件 "management_review.yaml" 中删除 "/reviews/0/compliance_ref"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "10.3" 的结论为 "不符合（严重）"
