# language: zh-CN
功能: T/CPQS ZC001—2025 第 8 章 支持
  产业园区应确定并提供所需的资源；人员应具备相应的能力；应建立有效的内、外部沟通机制并保留沟通交流的记录；
  应建立必要的文件和记录，并制定文件和记录的管理要求。

  背景:
    假如 一个在已编码条款上符合要求的园区证据包

  场景大纲: 资源配置缺少一类
    假如 在文件 "resources.yaml" 中删除 "/<字段>"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "<条款>" 的结论为 "不符合（一般）"

    例子:
      | 字段      | 条款   |
      | people    | 8.1 a) |
      | equipment | 8.1 b) |
      | budget    | 8.1 c) |
      | technical | 8.1 d) |

  场景: 资源配置所列人员的部门与组织机构文件不一致
    假如 将文件 "resources.yaml" 中 "/people/0/department" 设为 "生态环境分局"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "8.1 a)" 的结论为 "不符合（一般）"
    并且 不符合项引用条款 "8.1 a)" 且证据位置为 "resources.yaml" 的 "/people/0"

  场景: 资金预算没有金额
    假如 在文件 "resources.yaml" 中删除 "/budget/amount"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "8.1 c)" 的结论为 "不符合（一般）"

  场景: 没有任何人员的能力评价记录
    假如 在文件 "competence.yaml" 中删除 "/staff"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "8.2" 的结论为 "不符合（严重）"

  场景: 组织机构中的碳排放管理人员没有能力评价记录
    假如 将文件 "organization.yaml" 中 "/members/1/role" 设为 "carbon_manager"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "8.2" 的结论为 "不符合（一般）"
    并且 不符合项引用条款 "8.2" 且证据位置为 "organization.yaml" 的 "/members/1"

  场景: 能力评价记录中的部门与组织机构文件不一致
    假如 将文件 "competence.yaml" 中 "/staff/0/department" 设为 "规划建设局"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "8.2" 的结论为 "不符合（一般）"
    并且 不符合项引用条款 "8.2" 且证据位置为 "competence.yaml" 的 "/staff/0"

  场景: 能力评价日期晚于审核日期
    假如 将文件 "competence.yaml" 中 "/staff/0/evaluated" 设为 "2025-06-30"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 不符合项引用条款 "8.2" 且等级为 "不符合（一般）"

  场景: 宣传海报是否张贴需要现场查看
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "8.2 c)" 的结论为 "需现场核实"

  场景: 没有保留沟通交流的记录
    假如 在文件 "communication.yaml" 中删除 "/records"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "8.3" 的结论为 "不符合（严重）"

  场景: 沟通文件没有说明任何沟通方式是一项严重不符合
    假如 将文件 "communication.yaml" 中 "/mechanism" 设为 "{}"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "8.3" 的结论为 "不符合（严重）"
    并且 不符合项引用条款 "8.3" 且等级为 "不符合（严重）"

  场景: 没有规定企业数据采集与填报人员的能力要求
    假如 在文件 "competence.yaml" 中删除 "/roles/1"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "8.2" 的结论为 "不符合（一般）"

  场景: 负责外部信息传递的专人不在组织机构人员名单中
    假如 将文件 "communication.yaml" 中 "/mechanism/external_owner/name" 设为 "张敏"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "8.3 b)" 的结论为 "不符合（一般）"
    并且 不符合项引用条款 "8.3 b)" 且证据位置为 "communication.yaml" 的 "/mechanism"

  场景: 沟通记录引用的编号不在文件化信息清单中
    假如 将文件 "communication.yaml" 中 "/records/0/record/number" 设为 "FX-COM-2024-11"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "8.3" 的结论为 "不符合（一般）"
    并且 不符合项引用条款 "8.3" 且证据位置为 "communication.yaml" 的 "/records/0/record"

  场景: 在用文件的版本与文件化信息清单登记的版本不一致
    假如 将文件 "resources.yaml" 中 "/control/version" 设为 "A/1"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "8.4 (2)a)" 的结论为 "不符合（一般）"
    并且 不符合项引用条款 "8.4 (2)a)" 且证据位置为 "resources.yaml" 的 "/control"

  场景: 清单中已作废的版本仍在使用
    假如 将文件 "documented_information.yaml" 中 "/documents/3/status" 设为 "obsolete"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "8.4 (2)a)" 的结论为 "不符合（一般）"
    并且 不符合项引用条款 "8.4 (2)a)" 且证据位置为 "document_control.yaml" 的 "/control"

  场景: 在用文件在清单中登记为草稿
    假如 将文件 "documented_information.yaml" 中 "/documents/3/status" 设为 "draft"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 不符合项引用条款 "8.4 (2)a)" 且证据位置为 "document_control.yaml" 的 "/control"

  场景: 清单中有效文件的发布日期晚于审核日期
    假如 将文件 "documented_information.yaml" 中 "/documents/9/issue_date" 设为 "2025-06-01"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 不符合项引用条款 "8.4 (2)a)" 且证据位置为 "documented_information.yaml" 的 "/documents/9"

  场景: 文件管理规定未规定生命周期各环节
    假如 在文件 "document_control.yaml" 中删除 "/stages"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "8.4 (2)a)" 的结论为 "不符合（一般）"

  场景: 有效文件缺少批准人
    假如 在文件 "documented_information.yaml" 中删除 "/documents/1/approved_by"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "8.4 (2)b)" 的结论为 "不符合（一般）"
    并且 不符合项引用条款 "8.4 (2)b)" 且证据位置为 "documented_information.yaml" 的 "/documents/1"
