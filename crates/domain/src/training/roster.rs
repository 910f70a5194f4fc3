//! Enrolment from a roster file (学员名单, `姓名,身份证号码`; decoded from UTF-8 or GBK by the
//! app): every row must name a person of the directory with that identity number and name.
//! Either every row is good and the trainees are returned, or every problem is listed by line
//! and nothing is enrolled.

use std::collections::BTreeSet;

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

/// Plans a roster import against the people of the directory and those already `enrolled`.
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
    let mut records = reader.records();
    match records.next() {
        Some(Ok(header)) => {
            let cols: Vec<&str> = header.iter().take(2).collect();
            if cols != ROSTER_HEADER_ZH && cols != ROSTER_HEADER_EN {
                return Err(vec![row(
                    1,
                    format!("表头应为“{}”", ROSTER_HEADER_ZH.join(",")),
                    format!("the header must be \"{}\"", ROSTER_HEADER_EN.join(",")),
                )]);
            }
        }
        Some(Err(e)) => {
            return Err(vec![row(
                1,
                format!("无法读取表头：{e}"),
                format!("cannot read the header: {e}"),
            )]);
        }
        None => return Err(vec![row(1, "文件为空".into(), "the file is empty".into())]),
    }
    let mut errors = Vec::new();
    let mut plan = RosterImport::default();
    let mut seen = BTreeSet::new();
    for (index, record) in records.enumerate() {
        let line = index + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(row(
                    line,
                    format!("无法读取该行：{e}"),
                    format!("cannot read the line: {e}"),
                ));
                continue;
            }
        };
        if record.iter().all(str::is_empty) {
            continue;
        }
        let name = record.get(0).unwrap_or_default();
        let id = record.get(1).unwrap_or_default().to_ascii_uppercase();
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
}
