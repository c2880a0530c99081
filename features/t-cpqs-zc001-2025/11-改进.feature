# language: zh-CN
功能: T/CPQS ZC001—2025 第 11 章 改进
  产业园区应依据评价的结果识别改进方向并制定改进方案；对不符合项应确定严重程度和原因、建立预防措施、制定并实施纠正措施、评审纠正措施的有效性；
  产业园区应证实碳排放管理绩效的持续改进。

  背景:
    假如 一个在已编码条款上符合要求的园区证据包

  场景: 不符合项得到处置、绩效持续改进
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "11.1" 的结论为 "符合"
    并且 条款 "11.2" 的结论为 "符合"
    并且 条款 "11.3" 的结论为 "需现场核实"

  场景大纲: 不符合项的处置缺少一步
    假如 在文件 "nonconformities.yaml" 中删除 "/items/0/<字段>"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "<条款>" 的结论为 "不符合（一般）"
    并且 不符合项引用条款 "<条款>" 且证据位置为 "nonconformities.yaml" 的 "/items/0"

    例子:
      | 字段                 | 条款    |
      | similar_checked      | 11.2 a) |
      | preventive_action    | 11.2 b) |
      | effectiveness_review | 11.2 d) |

  场景: 绩效未低于基准，不能证实持续改进
    假如 将文件 "improvement.yaml" 中 "/performance/1/value" 设为 "0.83"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "11.3" 的结论为 "不符合（一般）"
    并且 不符合项引用条款 "11.3" 且证据位置为 "improvement.yaml" 的 "/performance/1"

  场景: 纠正措施到期未完成，不符合项仍开启
    假如 在文件 "nonconformities.yaml" 中删除 "/items/0/corrective_action/completed"
    并且 在文件 "nonconformities.yaml" 中删除 "/items/0/effectiveness_review"
    并且 将文件 "nonconformities.yaml" 中 "/items/0/status" 设为 "open"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "11.2 c)" 的结论为 "不符合（一般）"
    并且 不符合项引用条款 "11.2 c)" 且证据位置为 "nonconformities.yaml" 的 "/items/0/corrective_action"

  场景: 纠正措施评审为无效，不符合项却已关闭
    假如 将文件 "nonconformities.yaml" 中 "/items/0/effectiveness_review/result" 设为 "not_effective"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "11.2 d)" 的结论为 "不符合（一般）"

  场景: 绩效低于基准但较上一年回退
    假如 将文件 "improvement.yaml" 中 "/performance/1/value" 设为 "0.78"
    并且 将文件 "monitoring.yaml" 中 "/comparisons/0/value" 设为 "0.78"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "11.3" 的结论为 "不符合（一般）"
    并且 不符合项引用条款 "11.3" 且证据位置为 "improvement.yaml" 的 "/performance/1"

  场景: 纠正措施晚于计划日期完成
    假如 将文件 "nonconformities.yaml" 中 "/items/0/corrective_action/completed" 设为 "2025-01-15"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "11.2 c)" 的结论为 "不符合（一般）"

  场景: 有效性评审早于纠正措施完成
    假如 将文件 "nonconformities.yaml" 中 "/items/0/effectiveness_review/date" 设为 "2024-12-10"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "11.2 d)" 的结论为 "不符合（一般）"
