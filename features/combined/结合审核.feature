# language: zh-CN
功能: 结合审核：一份证据包同时对照多个管理体系标准
  认证机构常对园区同时审核多个标准。同一证据缺陷只写一次不符合项，并列出它违反的各标准条款。

  背景:
    假如 一个在已编码条款上符合要求的园区证据包

  场景: 报告期内缺少管理评审，三个标准各有对应条款
    假如 将文件 "management_review.yaml" 中 "/reviews/0/date" 设为 "2023-12-18"
    当 按 "t-cpqs-zc001-2025"、"cecc-org-carbon-neutrality" 和 "q-cecc-zcp-cj-01-2025" 结合审核该证据包
    那么 只有 1 项不符合项引用 "t-cpqs-zc001-2025" 的条款 "10.3"
    并且 该不符合项同时引用 "cecc-org-carbon-neutrality" 的条款 "9.3" 和 "q-cecc-zcp-cj-01-2025" 的条款 "9.3"

  场景: 仅有标题的条款如实标明
    当 按 "t-cpqs-zc001-2025"、"cecc-org-carbon-neutrality" 和 "q-cecc-zcp-cj-01-2025" 结合审核该证据包
    那么 "q-cecc-zcp-cj-01-2025" 的全部结果均标明依据为“仅有标题”
    并且 没有不符合项
