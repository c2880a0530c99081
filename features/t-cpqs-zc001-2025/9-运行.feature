# language: zh-CN
功能: T/CPQS ZC001—2025 第 9 章 运行
  产业园区应策划、运行和控制与碳排放管理相关过程的要求；应建立数据质量控制制度、规定数据收集和量化方法、建立数据安全与保密要求；
  在碳排放、碳交易、碳资产和碳中和过程中应考虑 9.2.2–9.2.5 所列事项。

  背景:
    假如 一个在已编码条款上符合要求的园区证据包

  场景大纲: 运行策划与控制缺少一项
    假如 在文件 "operational_control.yaml" 中删除 "/<字段>"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "<条款>" 的结论为 "不符合（一般）"

    例子:
      | 字段                   | 条款   |
      | requirements           | 9.1 a) |
      | resources              | 9.1 b) |
      | criteria               | 9.1 c) |
      | process_control        | 9.1 d) |
      | documented_information | 9.1 e) |

  场景: 运行准则引用的文件不在文件化信息清单中
    假如 将文件 "operational_control.yaml" 中 "/criteria_documents/0/number" 设为 "FX-OPS-99"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "9.1 c)" 的结论为 "不符合（一般）"
    并且 不符合项引用条款 "9.1 c)" 且证据位置为 "operational_control.yaml" 的 "/criteria_documents/0"

  场景: 规定了数据安全培训但审核前 12 个月内没有培训记录
    假如 在文件 "competence.yaml" 中删除 "/training_records/1"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "9.2.1" 的结论为 "不符合（一般）"
    并且 不符合项引用条款 "9.2.1" 且证据位置为 "data_management.yaml" 的 "/security"

  场景: 数据安全要求未包括员工培训与安全意识
    假如 在文件 "data_management.yaml" 中删除 "/security/training"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "9.2.1" 的结论为 "不符合（一般）"

  场景: 未采用在线监测系统只是观察项
    假如 在文件 "data_management.yaml" 中删除 "/online_monitoring"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "9.2.1" 的结论为 "观察项"
    并且 没有不符合项

  场景大纲: 过程管理缺少一项考虑
    假如 在文件 "process_management.yaml" 中删除 "/<过程>/<项>"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "<条款>" 的结论为 "不符合（一般）"

    例子:
      | 过程       | 项 | 条款     |
      | emission   | e  | 9.2.2 e) |
      | trading    | c  | 9.2.3 c) |
      | asset      | a  | 9.2.4 a) |
      | neutrality | d  | 9.2.5 d) |

  场景: 过程管理文件没有碳交易过程管理是一项严重不符合
    假如 在文件 "process_management.yaml" 中删除 "/trading"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "9.2.3" 的结论为 "不符合（严重）"
    并且 不符合项引用条款 "9.2.3" 且等级为 "不符合（严重）"

  场景: 碳交易履约义务逾期完成
    假如 将文件 "process_management.yaml" 中 "/obligations" 设为 "[{id: OB-1, description: 配额清缴, deadline: 2024-12-31, fulfilled: 2025-02-10}]"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "9.2.3 c)" 的结论为 "不符合（一般）"
    并且 不符合项引用条款 "9.2.3 c)" 且证据位置为 "process_management.yaml" 的 "/obligations/0"

  场景: 数据管理制度没有任何数据安全要求是一项严重不符合
    假如 在文件 "data_management.yaml" 中删除 "/security"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "9.2.1" 的结论为 "不符合（严重）"
