//! The roster as a table for export (CSV here, XLSX where a writer is available): the spec's
//! header lines, one line per row with every column of domain-spec §3.4, and the footer with the
//! head count per level and the total in figures and in capital numerals (大写金额).

use super::roster::{Disclosure, PaymentMarker, Roster};
use crate::event::Sex;
use crate::export::{Cell, Sheet, Workbook};

pub const TITLE: &str = "社会工作职业资格津贴发放花名册";

pub const COLUMNS: [&str; 20] = [
    "序号",
    "姓名",
    "性别",
    "身份证号码",
    "社区/村",
    "岗位",
    "资格等级",
    "证书管理号",
    "取得证书日期",
    "登记证号",
    "登记有效期至",
    "起发月份",
    "月标准",
    "计发月数",
    "应发金额",
    "补发/扣回",
    "实发金额",
    "银行卡/社保卡号",
    "签领方式",
    "备注",
];

/// The header lines printed above the table.
pub fn header_lines(roster: &Roster) -> Vec<String> {
    let h = &roster.header;
    vec![
        TITLE.to_string(),
        format!(
            "单位：{}（{}）　发放期间：{}　标准版本：{}",
            h.unit_name,
            h.unit,
            h.period,
            roster.rate_versions.join("、")
        ),
        format!(
            "制表人：{}　审核人：{}　单位负责人：{}　（盖章）　制表日期：{}",
            h.prepared_by,
            h.reviewed_by.as_deref().unwrap_or(""),
            h.unit_head.as_deref().unwrap_or(""),
            h.date
        ),
    ]
}

/// The footer lines: head count per level, totals in figures and in words, signatures.
pub fn footer_cells(roster: &Roster) -> Vec<Vec<Cell>> {
    let mut out: Vec<Vec<Cell>> = roster
        .footer
        .head_count
        .iter()
        .rev()
        .map(|(level, n)| {
            vec![
                Cell::text(level.label_zh()),
                Cell::text(format!("{n}人")),
                Cell::Money(
                    roster
                        .rows
                        .iter()
                        .filter(|r| r.level == Some(*level))
                        .map(|r| r.net)
                        .fold(crate::money::Fen::ZERO, |a, b| crate::money::Fen(a.0 + b.0)),
                ),
            ]
        })
        .collect();
    out.push(vec![
        Cell::text("合计（小写）"),
        Cell::text(format!("{}人", roster.rows.len())),
        Cell::Money(roster.footer.total),
    ]);
    out.push(vec![
        Cell::text("合计（大写）"),
        Cell::text(roster.footer.total_capital.clone()),
    ]);
    out.push(vec![Cell::text(
        "制表人签字：　　　　审核人签字：　　　　单位负责人签字：",
    )]);
    out
}

/// The roster as a workbook of one sheet. `Disclosure::Full` only for the export to finance.
pub fn roster_workbook(roster: &Roster, disclosure: Disclosure) -> Workbook {
    let opt_text = |s: Option<String>| s.map_or(Cell::Empty, Cell::Text);
    let rows = roster
        .rows
        .iter()
        .map(|r| {
            vec![
                Cell::Int(i64::from(r.no)),
                Cell::text(r.name.clone()),
                Cell::text(match r.sex {
                    Sex::Male => "男",
                    Sex::Female => "女",
                }),
                Cell::text(r.id_number(disclosure)),
                Cell::text(r.community.clone()),
                opt_text(r.post.map(|p| p.label_zh().to_string())),
                opt_text(r.level.map(|l| l.label_zh().to_string())),
                opt_text(r.certificate.as_ref().map(|c| c.0.clone())),
                r.certificate
                    .as_ref()
                    .map_or(Cell::Empty, |c| Cell::Date(c.1)),
                opt_text(r.registration.as_ref().map(|c| c.0.clone())),
                r.registration
                    .as_ref()
                    .map_or(Cell::Empty, |c| Cell::Date(c.1)),
                opt_text(r.start_month.map(|m| m.to_string())),
                Cell::Money(r.monthly_rate),
                Cell::Int(i64::from(r.months_counted)),
                Cell::Money(r.amount_due),
                Cell::text(r.adjustments_text()),
                Cell::Money(r.net),
                opt_text(r.bank_card(disclosure)),
                Cell::text(match r.payment {
                    PaymentMarker::BankTransfer => "银行代发",
                    PaymentMarker::Signature => "本人签领",
                }),
                Cell::text(r.remarks.clone()),
            ]
        })
        .collect();
    Workbook {
        sheets: vec![Sheet {
            name: "发放花名册".into(),
            title: header_lines(roster),
            columns: COLUMNS.iter().map(|c| c.to_string()).collect(),
            rows,
            footer: footer_cells(roster),
        }],
    }
}

/// A file name for the export: `发放花名册_5099001001_2024-10_2024-12`.
pub fn file_stem(roster: &Roster) -> String {
    let h = &roster.header;
    format!(
        "发放花名册_{}_{}_{}",
        h.unit,
        h.period.from(),
        h.period.to()
    )
}
