# language: zh-CN
功能: T/CPQS ZC001—2025 第 5 章 产业园区所处环境
  产业园区在建立、实施、保持并持续改进碳排放管理体系时，应确定与其战略宗旨相关并影响其实现碳排放管理体系预期结果的内部和外部因素；
  应确定相关方及其要求，识别并及时评审适用的法律法规及其他要求；应确定体系的范围；应建立、实施、保持并持续改进碳管理体系。

  背景:
    假如 一个在已编码条款上符合要求的园区证据包

  场景: 所处环境、相关方和体系过程均已确定
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "5.1" 的结论为 "符合"
    并且 条款 "5.2" 的结论为 "符合"
    并且 条款 "5.4" 的结论为 "符合"

  场景大纲: 考虑内外部因素时缺少 5.1 的一项
    假如 在文件 "context.yaml" 中删除 "<字段>"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "<条款>" 的结论为 "不符合（一般）"

    例子:
      | 字段                     | 条款   |
      | /strategy_alignment      | 5.1 a) |
      | /monitoring              | 5.1 b) |
      | /performance_compliance  | 5.1 c) |
      | /interested_party_issues | 5.1 d) |

  场景: 没有建立风险与机遇的登记册
    假如 证据包中删除了文件 "risks.yaml"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "5.1 b)" 的结论为 "不符合（一般）"
    并且 条款 "7.6.1" 的结论为 "不符合（严重）"

  场景大纲: 法律法规及其他要求的识别不完整
    假如 将文件 "context.yaml" 中 "/legal_requirements/0/topics" 设为 "[carbon_reduction]"
    并且 将文件 "context.yaml" 中 "/legal_requirements/1/topics" 设为 "[<保留的方面>]"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "5.2 (2)a)" 的结论为 "不符合（一般）"
    并且 不符合项引用条款 "5.2 (2)a)" 且证据位置为 "context.yaml" 的 ""

    例子:
      | 保留的方面         |
      | energy_efficiency  |
      | energy_consumption |

  场景: 适用的法律法规超过一年未评审
    假如 将文件 "context.yaml" 中 "/legal_requirements/0/last_reviewed" 设为 "2023-06-30"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "5.2 (2)c)" 的结论为 "不符合（一般）"

  场景: 环境文件引用的发展规划不是最高管理者组织制定的规划
    假如 将文件 "context.yaml" 中 "/strategy_ref" 设为 "FX-PLAN-2016"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 不符合项引用条款 "5.1 a)" 且证据位置为 "context.yaml" 的 "/strategy_ref"

  场景: 内外部因素最近一次评估距审核日超过 12 个月
    假如 将文件 "context.yaml" 中 "/monitoring/last_review" 设为 "2023-12-10"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "5.1 b)" 的结论为 "不符合（一般）"

  场景: 范围文件引用的环境文件编号在证据包中不存在
    假如 将文件 "scope.yaml" 中 "/references/context" 设为 "FX-CMS-010"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 不符合项引用条款 "5.3 a)" 且证据位置为 "scope.yaml" 的 "/references"

  场景: 范围边界面积与园区概况不一致
    假如 将文件 "park_profile.yaml" 中 "/area_km2" 设为 "12.5"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 不符合项引用条款 "5.3" 且证据位置为 "park_profile.yaml" 的 "/area_km2"

  场景: 在用的范围文件版本不是清单中的有效版本
    假如 将文件 "scope.yaml" 中 "/control/version" 设为 "Z/9"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 不符合项引用条款 "5.3" 且证据位置为 "scope.yaml" 的 "/control"

  场景: 过程的归口部门不是组织机构中的部门
    假如 将文件 "management_system.yaml" 中 "/processes/0/owner" 设为 "碳管理处"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 不符合项引用条款 "5.4" 且证据位置为 "management_system.yaml" 的 "/processes/0"
