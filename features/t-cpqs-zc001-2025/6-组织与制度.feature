# language: zh-CN
功能: T/CPQS ZC001—2025 第 6 章 组织与制度
  最高管理者应参与碳排放管理体系的建设并履行 6.1 a)–d) 的职责；
  应建立由最高管理者参与的碳排放管理机构，该机构组成应包括最高管理者、相关部门负责人和碳排放管理人员，并明确管理机构各层级的相关职责。

  背景:
    假如 一个在已编码条款上符合要求的园区证据包

  场景: 机构组成完整、职责明确
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "6.1" 的结论为 "符合"
    并且 条款 "6.3" 的结论为 "符合"
    并且 条款 "6.4 (2)f)" 的结论为 "符合"

  场景: 机构中没有碳排放管理人员
    假如 在文件 "organization.yaml" 中删除 "/members/2"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "6.3" 的结论为 "不符合（一般）"
    并且 不符合项引用条款 "6.3" 且证据位置为 "organization.yaml" 的 ""

  场景大纲: 最高管理者的职责缺少一项
    假如 在文件 "organization.yaml" 中删除 "/leadership/<字段>"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "<条款>" 的结论为 "不符合（一般）"

    例子:
      | 字段             | 条款   |
      | resources        | 6.1 a) |
      | system           | 6.1 b) |
      | low_carbon_plan  | 6.1 c) |
      | criteria_methods | 6.1 d) |

  场景: 未建立碳排放管理平台但说明了理由
    假如 在文件 "organization.yaml" 中删除 "/duties/platform"
    并且 将文件 "organization.yaml" 中 "/duties/platform_not_needed" 设为 "依托市级平台"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "6.4 (2)f)" 的结论为 "符合"

  场景: 既未建立平台也未说明理由
    假如 在文件 "organization.yaml" 中删除 "/duties/platform"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 条款 "6.4 (2)f)" 的结论为 "不符合（一般）"

  场景: 机构中列为最高管理者的人不是园区的最高管理者
    假如 将文件 "organization.yaml" 中 "/members/0/name" 设为 "李明"
    当 按 "t-cpqs-zc001-2025" 检查该证据包
    那么 不符合项引用条款 "6.3" 且证据位置为 "organization.yaml" 的 "/members/0"
    并且 不符合项引用条款 "6.3" 且等级为 "不符合（一般）"
