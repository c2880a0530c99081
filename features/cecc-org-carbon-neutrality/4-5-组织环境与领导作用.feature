# language: zh-CN
功能: 组织碳中和管理导则 第 4、5 章（有正文的条款）
  4.1.1 组织应确定与其实现碳中和战略目标相关并影响其实现碳中和管理体系预期结果的能力的各种外部和内部因素。
  4.1.2 组织应对外部和内部因素的相关信息进行监视和评审。
  4.3.3 范围一经界定，该范围内组织的所有活动、产品和服务均应纳入碳中和管理体系。
  5.2.1 最高管理者应在界定的碳中和管理体系范围内建立、实施并保持碳中和方针。

  背景:
    假如 一个在已编码条款上符合要求的园区证据包

  场景: 组织环境和领导作用的证据齐全
    当 按 "cecc-org-carbon-neutrality" 检查该证据包
    那么 条款 "4.1" 的结论为 "符合"
    并且 条款 "4.3" 的结论为 "符合"
    并且 条款 "5.1" 的结论为 "需现场核实"

  场景: 未监视和评审内外部因素
    假如 在文件 "context.yaml" 中删除 "/monitoring"
    当 按 "cecc-org-carbon-neutrality" 检查该证据包
    那么 条款 "4.1.2" 的结论为 "不符合（一般）"

  场景大纲: 确定范围时未考虑 4.3.2 的一项
    假如 在文件 "scope.yaml" 中删除 "/considerations/<字段>"
    当 按 "cecc-org-carbon-neutrality" 检查该证据包
    那么 条款 "<条款>" 的结论为 "不符合（一般）"

    例子:
      | 字段                         | 条款     |
      | internal_external_issues     | 4.3.2 a) |
      | compliance_obligations       | 4.3.2 b) |
      | activities_products_services | 4.3.2 c) |
      | control_and_influence        | 4.3.2 d) |

  场景: 范围内的活动未纳入碳中和管理体系
    假如 将文件 "scope.yaml" 中 "/activities/1/included" 设为 "false"
    当 按 "cecc-org-carbon-neutrality" 检查该证据包
    那么 条款 "4.3.3" 的结论为 "不符合（一般）"

  场景: 方针不是由最高管理者建立的
    假如 将文件 "policy.yaml" 中 "/issued_by/top_management" 设为 "false"
    当 按 "cecc-org-carbon-neutrality" 检查该证据包
    那么 条款 "5.2.1" 的结论为 "不符合（一般）"
