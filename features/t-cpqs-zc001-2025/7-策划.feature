# language: zh-CN
功能: T/CPQS ZC001—2025 第 7 章 策划
  产业园区应结合碳排放基准制定目标并分解到各层级；应制定实施方案；应以年度为周期实施碳排放、碳交易、碳资产和碳中和评审；
  应建立碳排放管理基准，并在 7.5 a)–c) 所列情况下调整；应识别并应对风险和机遇。

  背景:
    假如 一个在已编码条款上符合要求的园区证据包

  场景: 目标、方案、评审、基准和风险应对均已策划
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "7.1" 的结论为 "需现场核实"
    并且 条款 "7.2" 的结论为 "符合"
    并且 条款 "7.3.2" 的结论为 "符合"
    并且 条款 "7.5" 的结论为 "符合"

  场景: 目标引用的基准不存在
    假如 将文件 "objectives.yaml" 中 "/objectives/0/baseline_ref" 设为 "BL-9"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 不符合项引用条款 "7.1" 且证据位置为 "objectives.yaml" 的 "/objectives/0"

  场景: 报告期内没有碳排放管理评审
    假如 将文件 "carbon_review.yaml" 中 "/reviews/0/date" 设为 "2023-11-30"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "7.3.2" 的结论为 "不符合（严重）"
    并且 不符合项引用条款 "7.3.2" 且等级为 "不符合（严重）"

  场景大纲: 碳排放管理评审缺少 7.3.2 的一项内容
    假如 在文件 "carbon_review.yaml" 中删除 "/reviews/0/items/<项>"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "7.3.2 <项>)" 的结论为 "不符合（一般）"

    例子:
      | 项 |
      | a  |
      | d  |
      | f  |
      | j  |

  场景: 排放因子变化后未调整基准
    假如 将文件 "baseline.yaml" 中 "/triggers/0/adjusted" 设为 "false"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "7.5 c)" 的结论为 "不符合（一般）"

  场景大纲: 风险和机遇登记册缺少一类
    假如 在文件 "risks.yaml" 中删除 "/items/<序号>"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "<条款>" 的结论为 "不符合（一般）"

    例子:
      | 序号 | 条款     |
      | 0    | 7.6.1 a) |
      | 2    | 7.6.1 c) |
      | 4    | 7.6.1 e) |

  场景: 指标引用的基准单位与指标不同
    假如 将文件 "objectives.yaml" 中 "/objectives/1/baseline_ref" 设为 "BL-1"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 不符合项引用条款 "7.1" 且证据位置为 "objectives.yaml" 的 "/objectives/1"

  场景: 目标没有目标值
    假如 在文件 "objectives.yaml" 中删除 "/objectives/0/target_value"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 不符合项引用条款 "7.1" 且证据位置为 "objectives.yaml" 的 "/objectives/0"

  场景: 指标的责任部门不在组织机构中
    假如 将文件 "objectives.yaml" 中 "/objectives/1/owner" 设为 "能源办"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 不符合项引用条款 "7.1" 且证据位置为 "objectives.yaml" 的 "/objectives/1"

  场景: 指标没有任何措施支撑
    假如 将文件 "implementation_plan.yaml" 中 "/measures/0/objective_ref" 设为 "OBJ-1"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 不符合项引用条款 "7.2" 且证据位置为 "objectives.yaml" 的 "/objectives/1"

  场景: 措施的完成日期早于开始日期
    假如 将文件 "implementation_plan.yaml" 中 "/measures/0/due" 设为 "2023-12-31"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "7.2 e)" 的结论为 "不符合（一般）"

  场景: 每个日历年都有碳资产评审，但最近一次距审核日超过 12 个月
    假如 将文件 "carbon_review.yaml" 中 "/reviews/2/date" 设为 "2024-01-15"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "7.3.4" 的结论为 "不符合（严重）"
    并且 不符合项引用条款 "7.3.4" 且证据位置为 "carbon_review.yaml" 的 "/reviews/2"

  场景: 重大变化后引用的评审早于变化日期
    假如 将文件 "carbon_review.yaml" 中 "/significant_changes/0/review_ref" 设为 "CR-2023-E"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 不符合项引用条款 "7.3.1" 且证据位置为 "carbon_review.yaml" 的 "/significant_changes/0"

  场景: 评审方法和准则文件不在文件化信息清单中
    假如 将文件 "carbon_review.yaml" 中 "/method/number" 设为 "FX-CM-039"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 不符合项引用条款 "7.3.1" 且证据位置为 "carbon_review.yaml" 的 "/method"

  场景: 绩效参数的单位与其基准不同
    假如 将文件 "performance_indicators.yaml" 中 "/indicators/0/unit" 设为 "tCO2"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 不符合项引用条款 "7.4" 且证据位置为 "performance_indicators.yaml" 的 "/indicators/0"

  场景: 绩效参数值超过 12 个月未评审
    假如 将文件 "performance_indicators.yaml" 中 "/values/0/reviewed_on" 设为 "2023-12-20"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 不符合项引用条款 "7.4" 且等级为 "不符合（一般）"

  场景: 基准调整后基准文件未重新发布
    假如 将文件 "baseline.yaml" 中 "/control/issue_date" 设为 "2024-01-05"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 不符合项引用条款 "7.5" 且证据位置为 "baseline.yaml" 的 "/triggers/0"

  场景: 基准在任何碳排放管理评审之前建立
    假如 将文件 "baseline.yaml" 中 "/baselines/0/established" 设为 "2022-12-01"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 不符合项引用条款 "7.5" 且证据位置为 "baseline.yaml" 的 "/baselines/0"

  场景: 风险等级不是判定准则规定的等级
    假如 将文件 "risks.yaml" 中 "/items/1/rating" 设为 "较重要"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 不符合项引用条款 "7.6.2 b)" 且证据位置为 "risks.yaml" 的 "/items/1"

  场景: 风险和机遇评估间隔超过 12 个月
    假如 在文件 "risks.yaml" 中删除 "/assessments/1"
    并且 将文件 "risks.yaml" 中 "/assessments/0/date" 设为 "2024-02-01"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "7.6.2 a)" 的结论为 "不符合（一般）"
