//! Tables for export: a module builds a [`Workbook`] from its records (a roster, an attendance
//! sheet, a completion list) and the app writes it out as CSV (here, no dependency) or as `.xlsx`
//! (in the on-demand export worker, so the spreadsheet writer stays out of the first load).
//! One shape for every export keeps CSV and XLSX saying the same thing.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::money::Fen;

/// One cell. Money stays integer fen until it is written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "t", content = "v")]
pub enum Cell {
    Empty,
    Text(String),
    Int(i64),
    /// Hours or other quantities in tenths (学时 1.5 is `Tenths(15)`).
    Tenths(i64),
    Money(Fen),
    Date(NaiveDate),
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// The cell as it reads in a CSV file or on screen (money as `1234.50`, tenths as `1.5`).
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Tenths(t) => {
                let sign = if *t < 0 { "-" } else { "" };
                format!("{sign}{}.{}", t.abs() / 10, t.abs() % 10)
            }
            Cell::Money(f) => {
                let sign = if f.0 < 0 { "-" } else { "" };
                format!("{sign}{}.{:02}", f.0.abs() / 100, f.0.abs() % 100)
            }
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
        }
    }
}

/// One sheet: title lines above the table (unit, period, …), the column headers, the rows, and
/// footer lines below it (totals in words, signatures).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Sheet {
    pub name: String,
    pub title: Vec<String>,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    pub footer: Vec<Vec<Cell>>,
}

/// A file to export: one or more sheets.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Workbook {
    pub sheets: Vec<Sheet>,
}

impl Sheet {
    /// The sheet as CSV (RFC 4180 quoting, CRLF line ends), with a UTF-8 BOM so that Chinese
    /// office software opens it with the right encoding. Title and footer lines are included.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("\u{feff}");
        let mut line = |cells: Vec<String>| {
            let quoted: Vec<String> = cells.iter().map(|c| csv_field(c)).collect();
            out.push_str(&quoted.join(","));
            out.push_str("\r\n");
        };
        for t in &self.title {
            line(vec![t.clone()]);
        }
        line(self.columns.clone());
        for row in self.rows.iter().chain(&self.footer) {
            line(row.iter().map(Cell::display).collect());
        }
        out
    }
}

fn csv_field(s: &str) -> String {
    // A leading = + - @ would be run as a formula by spreadsheet software; quote it as text.
    let formula = s.starts_with(['=', '+', '-', '@']) && s.parse::<f64>().is_err();
    if formula {
        return format!("\"'{}\"", s.replace('"', "\"\""));
    }
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet() -> Sheet {
        Sheet {
            name: "花名册".into(),
            title: vec!["演示区 2024年10月".into()],
            columns: vec!["姓名".into(), "金额".into(), "学时".into()],
            rows: vec![
                vec![
                    Cell::text("张三"),
                    Cell::Money(Fen(30000)),
                    Cell::Tenths(15),
                ],
                vec![Cell::text("李,\"四\""), Cell::Money(Fen(5)), Cell::Empty],
            ],
            footer: vec![vec![
                Cell::text("合计"),
                Cell::Money(Fen(30005)),
                Cell::Empty,
            ]],
        }
    }

    #[test]
    fn csv_has_bom_title_header_rows_and_footer() {
        let csv = sheet().to_csv();
        assert_eq!(
            csv,
            "\u{feff}演示区 2024年10月\r\n姓名,金额,学时\r\n张三,300.00,1.5\r\n\"李,\"\"四\"\"\",0.05,\r\n合计,300.05,\r\n"
        );
    }

    #[test]
    fn negative_amounts_and_tenths_keep_their_sign() {
        assert_eq!(Cell::Money(Fen(-5)).display(), "-0.05");
        assert_eq!(Cell::Money(Fen(-12345)).display(), "-123.45");
        assert_eq!(Cell::Tenths(-7).display(), "-0.7");
        assert_eq!(
            Cell::Date(NaiveDate::from_ymd_opt(2024, 3, 1).unwrap()).display(),
            "2024-03-01"
        );
    }

    #[test]
    fn formula_like_text_is_not_run_by_spreadsheets() {
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-12.5"), "-12.5");
    }
}
