//! Enrolment from a roster file (学员名单, `姓名,身份证号码`; decoded from UTF-8 or GBK by the
//! app): every row must name a person of the directory with that identity number and name.
//! Either every row is good and the trainees are returned, or every problem is listed by line
//! and nothing is enrolled.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::directory::person::mask_id_number;
use crate::directory::units::RowError;
use crate::ids::{EntityId, UnitId};

use super::events::Trainee;

/// A person of the directory, as the roster is matched against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownPerson {
    pub person: EntityId,
    pub name: String,
    pub id_number: String,
    pub unit: UnitId,
}

impl KnownPerson {
    pub fn trainee(&self) -> Trainee {
        Trainee {
            person: self.person.clone(),
            name: self.name.clone(),
            id_masked: mask_id_number(&self.id_number),
            unit: self.unit.clone(),
        }
    }
}

pub const ROSTER_HEADER_ZH: [&str; 2] = ["姓名", "身份证号码"];
pub const ROSTER_HEADER_EN: [&str; 2] = ["name", "id_number"];

/// What a roster would enrol.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RosterImport {
    pub to_enrol: Vec<Trainee>,
    /// Rows naming someone already enrolled.
    pub already: usize,
}

fn row(line: usize, zh: String, en: String) -> RowError {
    RowError {
        line,
        message_zh: zh,
        message_en: en,
    }
}

/// One cell of a roster read from a spreadsheet (`.xlsx`, read by the export worker).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "t", content = "v")]
pub enum SheetCell {
    Empty,
    Text(String),
    /// A numeric cell. Excel keeps 15 significant digits, so an 18-digit identity number typed
    /// into a number cell has already lost its last digits.
    Number(f64),
}

impl SheetCell {
    fn text(&self) -> String {
        match self {
            SheetCell::Empty => String::new(),
            SheetCell::Text(s) => s.trim().to_string(),
            SheetCell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{n:.0}"),
            SheetCell::Number(n) => n.to_string(),
        }
    }
}

/// A row of the file: its line (1-based, the header is line 1) and its fields, or why it could
/// not be read.
type Row = (usize, Result<Vec<String>, RowError>);

/// Plans a roster import from CSV text against the people of the directory and those already
/// `enrolled`.
pub fn plan_roster_import(
    text: &str,
    people: &[KnownPerson],
    enrolled: &[EntityId],
) -> Result<RosterImport, Vec<RowError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let rows = reader.records().enumerate().map(|(index, record)| {
        let line = index + 1;
        let fields = record
            .map(|r| r.iter().map(str::to_string).collect())
            .map_err(|e| {
                row(
                    line,
                    format!("无法读取该行：{e}"),
                    format!("cannot read the line: {e}"),
                )
            });
        (line, fields)
    });
    plan_rows(rows, people, enrolled)
}

/// Plans a roster import from the first sheet of a spreadsheet (rows from row 1, columns from
/// column A), with the same rules as CSV — and an identity number saved as a number is refused,
/// since its last digits are gone.
pub fn plan_roster_sheet(
    sheet: &[Vec<SheetCell>],
    people: &[KnownPerson],
    enrolled: &[EntityId],
) -> Result<RosterImport, Vec<RowError>> {
    let rows = sheet.iter().enumerate().map(|(index, cells)| {
        let line = index + 1;
        let fields = match cells.get(1) {
            Some(SheetCell::Number(_)) if line > 1 => Err(row(
                line,
                "身份证号码被保存成了数字，后几位已经丢失；请把该列设置为“文本”格式后重新输入".into(),
                "the identity number was saved as a number and has lost its last digits; format the column as text and type it again".into(),
            )),
            _ => Ok(cells.iter().map(SheetCell::text).collect()),
        };
        (line, fields)
    });
    plan_rows(rows, people, enrolled)
}

fn plan_rows(
    mut rows: impl Iterator<Item = Row>,
    people: &[KnownPerson],
    enrolled: &[EntityId],
) -> Result<RosterImport, Vec<RowError>> {
    match rows.next() {
        Some((_, Ok(header))) => {
            let cols: Vec<&str> = header.iter().take(2).map(String::as_str).collect();
            if cols != ROSTER_HEADER_ZH && cols != ROSTER_HEADER_EN {
                return Err(vec![row(
                    1,
                    format!("表头应为“{}”", ROSTER_HEADER_ZH.join(",")),
                    format!("the header must be \"{}\"", ROSTER_HEADER_EN.join(",")),
                )]);
            }
        }
        Some((_, Err(e))) => return Err(vec![e]),
        None => return Err(vec![row(1, "文件为空".into(), "the file is empty".into())]),
    }
    let mut errors = Vec::new();
    let mut plan = RosterImport::default();
    let mut seen = BTreeSet::new();
    for (line, record) in rows {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let name = record.first().map(|s| s.trim()).unwrap_or_default();
        let id = record
            .get(1)
            .map(|s| s.trim())
            .unwrap_or_default()
            .to_ascii_uppercase();
        if name.is_empty() || id.is_empty() {
            errors.push(row(
                line,
                "姓名和身份证号码都要填写".into(),
                "both name and identity number are required".into(),
            ));
            continue;
        }
        let Some(person) = people.iter().find(|p| p.id_number == id) else {
            errors.push(row(
                line,
                format!(
                    "名录中没有身份证号码为{}的人员，请先在“人员”中登记",
                    mask_id_number(&id)
                ),
                format!(
                    "no person with identity number {} in the directory",
                    mask_id_number(&id)
                ),
            ));
            continue;
        };
        if person.name != name {
            errors.push(row(
                line,
                format!("姓名“{name}”与名录中的“{}”不一致", person.name),
                format!(
                    "the name {name:?} differs from the directory's {:?}",
                    person.name
                ),
            ));
            continue;
        }
        if !seen.insert(person.person.clone()) {
            errors.push(row(
                line,
                format!("{name}在文件中重复出现"),
                format!("{name} appears twice in the file"),
            ));
            continue;
        }
        if enrolled.contains(&person.person) {
            plan.already += 1;
        } else {
            plan.to_enrol.push(person.trainee());
        }
    }
    if errors.is_empty() {
        Ok(plan)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn people() -> Vec<KnownPerson> {
        [
            ("张三", "500199199001011232"),
            ("李四", "50019919850505123X"),
        ]
        .iter()
        .enumerate()
        .map(|(i, (name, id))| KnownPerson {
            person: format!("person:p{i}").parse().unwrap(),
            name: (*name).into(),
            id_number: (*id).into(),
            unit: "5099001001".parse().unwrap(),
        })
        .collect()
    }

    #[test]
    fn a_good_roster_enrols_everyone_not_yet_enrolled() {
        let csv =
            "\u{feff}姓名,身份证号码\r\n张三,500199199001011232\r\n李四,50019919850505123x\r\n\r\n";
        let plan = plan_roster_import(csv, &people(), &["person:p0".parse().unwrap()]).unwrap();
        assert_eq!(plan.already, 1);
        assert_eq!(plan.to_enrol.len(), 1);
        assert_eq!(plan.to_enrol[0].name, "李四");
        assert_eq!(plan.to_enrol[0].id_masked, "5001**********123X");
    }

    #[test]
    fn every_bad_row_is_listed_by_line_and_nothing_is_enrolled() {
        let csv = "姓名,身份证号码\n张三,500199199001011232\n王五,500199200001011234\n李四,500199199001011232\n张三,500199199001011232\n,\n赵六\n";
        let errors = plan_roster_import(csv, &people(), &[]).unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 4, 5, 7]);
        assert!(errors[0].message_zh.contains("名录中没有"));
        assert!(errors[1].message_zh.contains("不一致"));
        assert!(errors[2].message_zh.contains("重复"));
        assert!(errors[3].message_zh.contains("都要填写"));
    }

    #[test]
    fn a_wrong_header_or_empty_file_is_refused() {
        assert_eq!(
            plan_roster_import("", &people(), &[]).unwrap_err()[0].line,
            1
        );
        let errors = plan_roster_import("代码,名称\n1,2\n", &people(), &[]).unwrap_err();
        assert!(errors[0].message_zh.contains("姓名,身份证号码"));
    }

    fn text(s: &str) -> SheetCell {
        SheetCell::Text(s.into())
    }

    #[test]
    fn a_spreadsheet_roster_follows_the_csv_rules_line_by_line() {
        let sheet = vec![
            vec![text("姓名"), text("身份证号码")],
            vec![text(" 张三 "), text("500199199001011232")],
            vec![SheetCell::Empty, SheetCell::Empty],
            vec![text("李四"), text("50019919850505123x")],
        ];
        let plan = plan_roster_sheet(&sheet, &people(), &[]).unwrap();
        assert_eq!(plan.to_enrol.len(), 2);
        assert_eq!(plan.to_enrol[1].name, "李四");

        let bad = vec![
            vec![text("姓名"), text("身份证号码")],
            vec![text("张三"), SheetCell::Number(500199199001011232.0)],
            vec![text("王五"), text("500199200001011234")],
            vec![text("李四"), text("50019919850505123X")],
        ];
        let errors = plan_roster_sheet(&bad, &people(), &[]).unwrap_err();
        assert_eq!(
            errors.iter().map(|e| e.line).collect::<Vec<_>>(),
            vec![2, 3]
        );
        assert!(errors[0].message_zh.contains("保存成了数字"), "{errors:?}");
        assert!(errors[1].message_zh.contains("名录中没有"));
    }

    #[test]
    fn a_spreadsheet_needs_the_header_in_its_first_row() {
        let sheet = vec![
            vec![text("2026年学员名单")],
            vec![text("姓名"), text("身份证号码")],
        ];
        let errors = plan_roster_sheet(&sheet, &people(), &[]).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 1);
        assert!(errors[0].message_zh.contains("表头应为"));
        assert_eq!(
            plan_roster_sheet(&[], &people(), &[]).unwrap_err()[0].message_zh,
            "文件为空"
        );
        // A name typed as a number is text like any other: it just matches no one.
        assert_eq!(SheetCell::Number(12.0).text(), "12");
        assert_eq!(SheetCell::Number(1.5).text(), "1.5");
    }
}
