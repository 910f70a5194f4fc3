//! The jurisdiction tree (行政区划): unit kinds in their order, the rules for who may sit under
//! whom, and the unit CSV format (import with a line-by-line error report, and export).
//!
//! A unit's code extends its parent's code (`5001` ⊂ `5001001` ⊂ `5001001001`), which makes
//! "inside this scope" a prefix test everywhere (`UnitId::is_within`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::event::UnitKind;
use crate::ids::UnitId;

/// One unit of the tree as imported, exported and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    pub code: UnitId,
    pub name: String,
    pub kind: UnitKind,
    pub parent: Option<UnitId>,
}

/// The level of a kind: a child's level is always greater than its parent's.
pub fn level(kind: UnitKind) -> u8 {
    match kind {
        UnitKind::City => 0,
        UnitKind::District | UnitKind::County => 1,
        UnitKind::Township | UnitKind::Street => 2,
        UnitKind::Village | UnitKind::Community => 3,
        UnitKind::Group => 4,
    }
}

/// Whether a unit of kind `child` may sit directly under a unit of kind `parent`. Villages may
/// sit under a street and communities under a town (domain-spec §6.1), so only levels matter,
/// and a level may not be skipped except that a city may hold townships directly (县级市 cases
/// are modelled as districts).
pub fn may_contain(parent: UnitKind, child: UnitKind) -> bool {
    level(child) == level(parent) + 1
}

/// Names of a kind accepted in a CSV file: the Chinese label, common variants, or the English name.
pub fn parse_kind(text: &str) -> Option<UnitKind> {
    Some(match text.trim() {
        "市" | "city" => UnitKind::City,
        "区" | "district" => UnitKind::District,
        "县" | "自治县" | "county" => UnitKind::County,
        "乡镇" | "乡" | "镇" | "民族乡" | "township" => UnitKind::Township,
        "街道" | "street" => UnitKind::Street,
        "村" | "村委会" | "village" => UnitKind::Village,
        "社区" | "居委会" | "community" => UnitKind::Community,
        "小组" | "村民小组" | "居民小组" | "group" => UnitKind::Group,
        _ => return None,
    })
}

/// One problem in an import file, tied to its line (1 = the header line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    pub line: usize,
    pub message_zh: String,
    pub message_en: String,
}

impl RowError {
    fn new(line: usize, zh: impl Into<String>, en: impl Into<String>) -> RowError {
        RowError {
            line,
            message_zh: zh.into(),
            message_en: en.into(),
        }
    }
}

/// What importing a file would do, computed before anything is written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UnitImport {
    /// New units and units whose name changed, parents before children.
    pub to_record: Vec<Unit>,
    /// Rows identical to a unit already present.
    pub unchanged: usize,
}

/// The header written on export; import also accepts the English one.
pub const CSV_HEADER_ZH: [&str; 4] = ["代码", "名称", "类型", "上级代码"];
pub const CSV_HEADER_EN: [&str; 4] = ["code", "name", "kind", "parent"];
const MAX_NAME_CHARS: usize = 60;

/// Plans the import of a unit CSV (already decoded to text; a UTF-8 BOM is ignored) into a tree
/// that already holds `existing`. Either every row is valid and the plan is returned, or every
/// problem is listed by line and nothing may be imported.
pub fn plan_unit_import(text: &str, existing: &[Unit]) -> Result<UnitImport, Vec<RowError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut errors = Vec::new();
    let mut rows: Vec<(usize, Unit)> = Vec::new();
    let mut records = reader.records();

    match records.next() {
        Some(Ok(header)) => {
            let cols: Vec<&str> = header.iter().collect();
            if cols != CSV_HEADER_ZH && cols != CSV_HEADER_EN {
                errors.push(RowError::new(
                    1,
                    format!("表头应为“{}”", CSV_HEADER_ZH.join(",")),
                    format!("the header must be \"{}\"", CSV_HEADER_EN.join(",")),
                ));
                return Err(errors);
            }
        }
        Some(Err(e)) => {
            return Err(vec![RowError::new(
                1,
                format!("无法读取表头：{e}"),
                format!("cannot read the header: {e}"),
            )]);
        }
        None => return Err(vec![RowError::new(1, "文件为空", "the file is empty")]),
    }

    for (index, record) in records.enumerate() {
        let line = index + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(RowError::new(
                    line,
                    format!("无法读取该行：{e}"),
                    format!("cannot read the line: {e}"),
                ));
                continue;
            }
        };
        if record.iter().all(str::is_empty) {
            continue; // blank lines at the end of office exports
        }
        if record.len() != 4 {
            errors.push(RowError::new(
                line,
                format!("应有4列，实有{}列", record.len()),
                format!("expected 4 columns, found {}", record.len()),
            ));
            continue;
        }
        match parse_row(line, &record) {
            Ok(unit) => rows.push((line, unit)),
            Err(e) => errors.push(e),
        }
    }

    let existing_by_code: BTreeMap<&UnitId, &Unit> =
        existing.iter().map(|u| (&u.code, u)).collect();
    let mut in_file: BTreeMap<UnitId, (usize, UnitKind)> = BTreeMap::new();
    for (line, unit) in &rows {
        if let Some((first, _)) = in_file.get(&unit.code) {
            errors.push(RowError::new(
                *line,
                format!("代码{}与第{first}行重复", unit.code),
                format!("code {} repeats line {first}", unit.code),
            ));
        } else {
            in_file.insert(unit.code.clone(), (*line, unit.kind));
        }
    }

    let mut plan = UnitImport::default();
    for (line, unit) in &rows {
        if let Err(e) = check_placement(*line, unit, &in_file, &existing_by_code) {
            errors.push(e);
            continue;
        }
        match existing_by_code.get(&unit.code) {
            Some(old) if old.kind != unit.kind || old.parent != unit.parent => {
                errors.push(RowError::new(
                    *line,
                    format!("单位{}已存在，类型或上级不能通过导入更改", unit.code),
                    format!(
                        "unit {} exists; its kind or parent cannot be changed by import",
                        unit.code
                    ),
                ))
            }
            Some(old) if old.name == unit.name => plan.unchanged += 1,
            _ => plan.to_record.push(unit.clone()),
        }
    }

    if errors.is_empty() {
        plan.to_record
            .sort_by_key(|u| (level(u.kind), u.code.clone()));
        Ok(plan)
    } else {
        errors.sort_by_key(|e| e.line);
        Err(errors)
    }
}

fn parse_row(line: usize, record: &csv::StringRecord) -> Result<Unit, RowError> {
    let code: UnitId = record[0].parse().map_err(|_| {
        RowError::new(
            line,
            format!("代码“{}”无效：应为2至18位数字", &record[0]),
            format!("code \"{}\" is not 2–18 digits", &record[0]),
        )
    })?;
    let name = record[1].to_string();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(RowError::new(
            line,
            format!("名称不能为空且不超过{MAX_NAME_CHARS}字"),
            format!("the name must be 1–{MAX_NAME_CHARS} characters"),
        ));
    }
    let kind = parse_kind(&record[2]).ok_or_else(|| {
        RowError::new(
            line,
            format!("类型“{}”无效：应为市、区、县、乡镇、街道、村、社区或小组", &record[2]),
            format!("kind \"{}\" is not one of city, district, county, township, street, village, community, group", &record[2]),
        )
    })?;
    let parent = if record[3].is_empty() {
        None
    } else {
        Some(record[3].parse::<UnitId>().map_err(|_| {
            RowError::new(
                line,
                format!("上级代码“{}”无效", &record[3]),
                format!("parent code \"{}\" is not valid", &record[3]),
            )
        })?)
    };
    Ok(Unit {
        code,
        name,
        kind,
        parent,
    })
}

fn check_placement(
    line: usize,
    unit: &Unit,
    in_file: &BTreeMap<UnitId, (usize, UnitKind)>,
    existing: &BTreeMap<&UnitId, &Unit>,
) -> Result<(), RowError> {
    let Some(parent) = &unit.parent else {
        return if unit.kind == UnitKind::City {
            Ok(())
        } else {
            Err(RowError::new(
                line,
                "只有市级单位可以没有上级代码",
                "only a city may have no parent",
            ))
        };
    };
    let parent_kind = in_file
        .get(parent)
        .map(|(_, k)| *k)
        .or_else(|| existing.get(parent).map(|u| u.kind))
        .ok_or_else(|| {
            RowError::new(
                line,
                format!("上级代码{parent}在文件和现有单位中都不存在"),
                format!("parent {parent} is neither in the file nor already present"),
            )
        })?;
    if !unit.code.is_within(parent) || &unit.code == parent {
        return Err(RowError::new(
            line,
            format!("代码{}应以上级代码{parent}开头", unit.code),
            format!(
                "code {} must start with its parent's code {parent}",
                unit.code
            ),
        ));
    }
    if !may_contain(parent_kind, unit.kind) {
        return Err(RowError::new(
            line,
            format!(
                "{}不能直接隶属于{}",
                unit.kind.label_zh(),
                parent_kind.label_zh()
            ),
            format!(
                "a {:?} cannot sit directly under a {:?}",
                unit.kind, parent_kind
            ),
        ));
    }
    Ok(())
}

/// Writes units as CSV in the import format, with a UTF-8 BOM so office software opens it
/// correctly, parents before children.
pub fn export_units_csv(units: &[Unit]) -> String {
    let mut sorted: Vec<&Unit> = units.iter().collect();
    sorted.sort_by_key(|u| (level(u.kind), u.code.clone()));
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(CSV_HEADER_ZH)
        .expect("writing to memory");
    for u in sorted {
        writer
            .write_record([
                u.code.as_str(),
                &u.name,
                u.kind.label_zh(),
                u.parent.as_ref().map(UnitId::as_str).unwrap_or(""),
            ])
            .expect("writing to memory");
    }
    let bytes = writer.into_inner().expect("writing to memory");
    format!(
        "\u{feff}{}",
        String::from_utf8(bytes).expect("input was UTF-8")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(code: &str, name: &str, kind: UnitKind, parent: Option<&str>) -> Unit {
        Unit {
            code: code.parse().unwrap(),
            name: name.into(),
            kind,
            parent: parent.map(|p| p.parse().unwrap()),
        }
    }

    fn existing() -> Vec<Unit> {
        vec![
            unit("50", "重庆市", UnitKind::City, None),
            unit("5099", "演示区", UnitKind::District, Some("50")),
        ]
    }

    #[test]
    fn a_valid_file_plans_every_unit_parents_first() {
        let csv = "代码,名称,类型,上级代码\n5099001001,青石村,村,5099001\n5099001,青石镇,镇,5099\n5099002,河街街道,街道,5099\n5099002001,河街村,村,5099002\n";
        let plan = plan_unit_import(csv, &existing()).unwrap();
        let codes: Vec<&str> = plan.to_record.iter().map(|u| u.code.as_str()).collect();
        assert_eq!(codes, ["5099001", "5099002", "5099001001", "5099002001"]);
        assert_eq!(
            plan.to_record[3].kind,
            UnitKind::Village,
            "a village may sit under a street"
        );
    }

    #[test]
    fn one_bad_row_fails_the_whole_file_with_its_line_number() {
        let csv = "代码,名称,类型,上级代码\n5099001,青石镇,镇,5099\n5099001001,青石村,庄,5099001\n5099001002,白果村,村,5099001\n";
        let errors = plan_unit_import(csv, &existing()).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 3);
        assert!(
            errors[0].message_zh.contains("类型“庄”无效"),
            "{}",
            errors[0].message_zh
        );
    }

    #[test]
    fn every_error_is_reported_not_just_the_first() {
        let csv = "code,name,kind,parent\n5099001,青石镇,township,5099\n5099001,青石镇2,township,5099\n6001,外地,village,5099001\n5099001001,,village,5099001\n5099003,远镇,township,5098\n";
        let errors = plan_unit_import(csv, &existing()).unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 4, 5, 6], "{errors:#?}");
        assert!(errors[0].message_zh.contains("与第2行重复"));
        assert!(errors[1].message_zh.contains("应以上级代码5099001开头"));
        assert!(errors[3].message_zh.contains("不存在"));
    }

    #[test]
    fn a_level_may_not_be_skipped() {
        let csv = "代码,名称,类型,上级代码\n5099009,错村,村,5099\n";
        let errors = plan_unit_import(csv, &existing()).unwrap_err();
        assert!(
            errors[0].message_zh.contains("村不能直接隶属于区"),
            "{}",
            errors[0].message_zh
        );
    }

    #[test]
    fn bad_header_and_empty_file_are_refused() {
        assert_eq!(plan_unit_import("", &[]).unwrap_err()[0].line, 1);
        let errors = plan_unit_import("编号,名字\n1,2\n", &[]).unwrap_err();
        assert!(errors[0].message_zh.contains("表头"));
    }

    #[test]
    fn reimporting_an_export_changes_nothing_and_a_rename_is_an_update() {
        let mut units = existing();
        units.push(unit("5099001", "青石镇", UnitKind::Township, Some("5099")));
        let csv = export_units_csv(&units);
        assert!(csv.starts_with('\u{feff}'));
        let plan = plan_unit_import(&csv, &units).unwrap();
        assert_eq!(
            plan,
            UnitImport {
                to_record: vec![],
                unchanged: 3
            }
        );

        let renamed = csv.replace("青石镇", "青石新镇");
        let plan = plan_unit_import(&renamed, &units).unwrap();
        assert_eq!(plan.to_record.len(), 1);
        assert_eq!(plan.to_record[0].name, "青石新镇");

        let moved = csv.replace("5099001,青石镇,乡镇,5099", "5099001,青石镇,街道,5099");
        let errors = plan_unit_import(&moved, &units).unwrap_err();
        assert!(errors[0].message_zh.contains("不能通过导入更改"));
    }

    #[test]
    fn blank_trailing_lines_and_spaces_are_ignored() {
        let csv = "代码,名称,类型,上级代码\r\n 5099001 , 青石镇 ,镇, 5099\r\n,,,\r\n\r\n";
        let plan = plan_unit_import(csv, &existing()).unwrap();
        assert_eq!(plan.to_record[0].name, "青石镇");
    }
}
