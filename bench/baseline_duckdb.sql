-- The 2024 seed rubric (rulesets/shenzhen/department-overall-2024.rules) written by hand
-- in DuckDB SQL: the baseline `perfrules score … --engine duckdb` is timed against.
--
-- What a careful analyst writes: typed columns (BOOLEAN, INTEGER, DECIMAL), bands compared
-- by cross-multiplication, caps with LEAST/GREATEST, ROUND(…, 2) on each indicator, the
-- total their sum. It reads the table `facts` and validates nothing: no missing, negative
-- or out-of-range values are reported, and a zero denominator gives NULL instead of an
-- error. The three rates that need a quotient (政府采购执行率, 项目完成及时性, the quarterly
-- 执行率) are divided with `/`, which DuckDB computes in DOUBLE: fast, not exact.
WITH rates AS (
  SELECT
    *,
    COALESCE("第一季度分季执行率", ROUND(ROUND("第一季度累计支出" / "第一季度指标金额", 4) / 0.25, 4)) AS q1,
    COALESCE("第二季度分季执行率", ROUND(ROUND("第二季度累计支出" / "第二季度指标金额", 4) / 0.50, 4)) AS q2,
    COALESCE("第三季度分季执行率", ROUND(ROUND("第三季度累计支出" / "第三季度指标金额", 4) / 0.75, 4)) AS q3,
    COALESCE("第四季度分季执行率", ROUND(ROUND("第四季度累计支出" / "第四季度指标金额", 4) / 1.00, 4)) AS q4
  FROM facts
),
scores AS (
  SELECT
    id,
    ROUND(LEAST(5, "预算编制符合职责和政策"::INT + "预算资金按重点合理分配"::INT + "专项资金预算编制细化合理"::INT
      + "分类编制准确调剂适度评分" + "预算分配不固化"::INT), 2) AS s1,
    GREATEST(5 - "预算编制不符合项数", 0)::DECIMAL(4, 2) AS s2,
    GREATEST(3 - "绩效目标不符合要求项数", 0)::DECIMAL(4, 2) AS s3,
    ROUND(LEAST(7, 2 * "绩效指标细化为工作任务"::INT + 2 * "绩效指标含效益指标"::INT + "绩效指标值清晰可衡量"::INT
      + "绩效指标可量化"::INT + "目标值测算有据评分"), 2) AS s4,
    ROUND(LEAST(2, CASE WHEN "实际采购金额" > "采购计划金额" THEN 0
                        ELSE LEAST("实际采购金额" / "采购计划金额", 1) END + "采购政策功能落实评分"), 2)::DECIMAL(4, 2) AS s5,
    CASE WHEN "存在违规支出" THEN 0
         ELSE ROUND("资金支出规范性评分" + "会计核算规范性评分"
           + GREATEST(0, 1 - 0.1 * CASE WHEN "调整调剂资金累计额" * 10 <= "部门预算总规模" THEN 0
               ELSE CEIL((100 * "调整调剂资金累计额" - 10 * "部门预算总规模") / "部门预算总规模") END), 2)::DECIMAL(4, 2)
         END AS s6,
    CASE WHEN "涉密免于公开" THEN 3
         ELSE (CASE WHEN NOT "部门预算已公开" THEN 0 WHEN "部门预算按规定公开" THEN 1.5 ELSE 1 END)
            + (CASE WHEN NOT "部门决算已公开" THEN 0 WHEN "部门决算按规定公开" THEN 1.5 ELSE 1 END) END AS s7,
    ("项目设立调整履行报批"::INT + "项目招投标验收合规"::INT)::DECIMAL(4, 2) AS s8,
    ROUND("监控机制有效评分" + CASE WHEN NOT "有检查监督证明材料" OR "专项资金绩效评价为差" THEN 0
                                    ELSE "主管资金检查监控有效"::INT END, 2) AS s9,
    ("资产配置合理保管完整"::INT + "资产处置规范收入上缴"::INT)::DECIMAL(4, 2) AS s10,
    CASE WHEN "固定资产原值总额" = 0 THEN NULL
         WHEN "在用固定资产原值" >= 0.9 * "固定资产原值总额" THEN 1
         WHEN "在用固定资产原值" >= 0.75 * "固定资产原值总额" THEN 0.7
         WHEN "在用固定资产原值" >= 0.6 * "固定资产原值总额" THEN 0.4 ELSE 0 END AS s11,
    CASE WHEN "核定编制数" = 0 THEN NULL WHEN "在编人数" <= "核定编制数" THEN 1 ELSE 0 END AS s12,
    CASE WHEN "在编人数" + "编外人员数" = 0 THEN NULL
         WHEN "编外人员数" < 0.05 * ("在编人数" + "编外人员数") THEN 1
         WHEN "编外人员数" <= 0.1 * ("在编人数" + "编外人员数") THEN 0.5 ELSE 0 END AS s13,
    (0.5 * "已制定财务内控制度"::INT + 1.5 * "财务内控制度有效执行"::INT + "已制定预算绩效管理制度"::INT)::DECIMAL(4, 2) AS s14,
    CASE WHEN "三公经费预算安排数" = 0 OR "日常公用经费调整预算数" = 0 THEN NULL
         ELSE (CASE WHEN "三公经费实际支出数" < 0.9 * "三公经费预算安排数" THEN 3
                    WHEN "三公经费实际支出数" <= "三公经费预算安排数" THEN 2 ELSE 0 END)
            + (CASE WHEN "日常公用经费决算数" < 0.9 * "日常公用经费调整预算数" THEN 3
                    WHEN "日常公用经费决算数" <= "日常公用经费调整预算数" THEN 2 ELSE 0 END) END AS s15,
    ROUND(LEAST(6, LEAST(q1, 1) + LEAST(q2, 1) + LEAST(q3, 1) + LEAST(q4, 1) + (q1 + q2 + q3 + q4) / 4 * 2), 2)
      ::DECIMAL(4, 2) AS s16,
    GREATEST(8 - 4 * "未完成重点工作数", 0)::DECIMAL(4, 2) AS s17,
    CASE WHEN "计划完成项目总数" = 0 THEN 6
         ELSE ROUND(LEAST("已完成项目数" / "计划完成项目总数", 1) * 6, 2)::DECIMAL(4, 2) END AS s18,
    ROUND("效果性评分", 2) AS s19,
    ("建立群众意见反映渠道"::INT + ("信访办理回复件数" >= "群众信访件数")::INT
      + ("信访及时办理回复件数" >= "群众信访件数")::INT)::DECIMAL(4, 2) AS s20,
    CASE WHEN "满意度" >= 0.95 THEN 6 WHEN "满意度" >= 0.9 THEN 4 WHEN "满意度" >= 0.8 THEN 2 ELSE 1 END AS s21
  FROM rates
)
SELECT
  *,
  s1 + s2 + s3 + s4 + s5 + s6 + s7 + s8 + s9 + s10 + s11 + s12 + s13 + s14 + s15 + s16 + s17 + s18 + s19
    + s20 + s21 AS total,
  CASE WHEN total >= 90 THEN '优' WHEN total >= 80 THEN '良' WHEN total >= 60 THEN '中' ELSE '差' END AS grade
FROM scores
