//! 选民名单导入 — a CSV of voters (姓名,身份证号码,类别[,户号][,依据]; UTF-8, a BOM is ignored).
//! Every row is checked against the roll and the rest of the file; either all rows are good and
//! the import is planned as `VotersRegistered` events of at most `MAX_VOTERS_PER_EVENT` rows,
//! or every problem is listed by line and nothing may be imported.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::error::VoterProblem;
use super::event::{MAX_VOTERS_PER_EVENT, RollEvent, VoterCategory, VoterEntry};
use super::view::RollView;
use crate::directory::person::{IdNumber, age_on, mask_id_number};
use crate::directory::units::RowError;

/// The header written in templates; the English one is accepted too.
pub const VOTER_CSV_HEADER_ZH: [&str; 5] = ["姓名", "身份证号码", "类别", "户号", "依据"];
pub const VOTER_CSV_HEADER_EN: [&str; 5] = ["name", "id_number", "category", "household", "basis"];

fn row_error(line: usize, zh: impl Into<String>, en: impl Into<String>) -> RowError {
    RowError {
        line,
        message_zh: zh.into(),
        message_en: en.into(),
    }
}

fn problem(line: usize, who: &str, p: &VoterProblem) -> RowError {
    row_error(
        line,
        format!("{who}：{}", p.message_zh()),
        format!("{who}: {p}"),
    )
}

/// Checks one voter typed in a form (or read from a file) on its own: name, number, category
/// basis and age on `age_day`. Registration against the roll is checked by `RollView::check`.
pub fn parse_voter(
    name: &str,
    id_number: &str,
    category: VoterCategory,
    household: &str,
    basis: &str,
    age_day: NaiveDate,
    today: NaiveDate,
) -> Result<VoterEntry, VoterProblem> {
    let name = name.trim();
    if name.is_empty() {
        return Err(VoterProblem::NameMissing);
    }
    let id = IdNumber::parse(id_number, today).map_err(VoterProblem::BadIdNumber)?;
    let age = age_on(id.birth_date(), age_day);
    if age < 18 {
        return Err(VoterProblem::Underage { age });
    }
    let basis = Some(basis.trim().to_string()).filter(|b| !b.is_empty());
    if category.needs_basis() && basis.is_none() {
        return Err(VoterProblem::BasisMissing);
    }
    Ok(VoterEntry {
        name: name.to_string(),
        id_number: id,
        category,
        household: Some(household.trim().to_string()).filter(|h| !h.is_empty()),
        basis,
        person: None,
    })
}

/// Plans the import of a voter CSV into `roll` (already decoded to text).
pub fn plan_voter_import(
    text: &str,
    roll: &RollView,
    today: NaiveDate,
) -> Result<Vec<RollEvent>, Vec<RowError>> {
    if roll.plan.is_none() {
        return Err(vec![row_error(
            1,
            "尚未建立选民登记册，请先建立",
            "the roll is not open yet",
        )]);
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    match records.next() {
        Some(Ok(header)) => {
            let cols: Vec<&str> = header.iter().collect();
            let ok = |h: &[&str; 5]| (3..=5).contains(&cols.len()) && cols[..] == h[..cols.len()];
            if !ok(&VOTER_CSV_HEADER_ZH) && !ok(&VOTER_CSV_HEADER_EN) {
                return Err(vec![row_error(
                    1,
                    format!(
                        "表头应为“{}”（后两列可省略）",
                        VOTER_CSV_HEADER_ZH.join(",")
                    ),
                    format!(
                        "the header must be \"{}\" (the last two columns may be left out)",
                        VOTER_CSV_HEADER_EN.join(",")
                    ),
                )]);
            }
        }
        Some(Err(e)) => {
            return Err(vec![row_error(
                1,
                format!("无法读取表头：{e}"),
                format!("cannot read the header: {e}"),
            )]);
        }
        None => return Err(vec![row_error(1, "文件为空", "the file is empty")]),
    }

    let age_day = roll.age_day(today);
    let registered: BTreeMap<&str, &str> = roll
        .voters
        .iter()
        .map(|v| (v.id_number.as_str(), v.name.as_str()))
        .collect();
    let mut first_line: BTreeMap<String, usize> = BTreeMap::new();
    let mut errors = Vec::new();
    let mut entries = Vec::new();
    for (index, record) in records.enumerate() {
        let line = index + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(row_error(
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
        if !(3..=5).contains(&record.len()) {
            errors.push(row_error(
                line,
                format!("应有3至5列，实有{}列", record.len()),
                format!("expected 3 to 5 columns, found {}", record.len()),
            ));
            continue;
        }
        let field = |i: usize| record.get(i).unwrap_or("");
        let who = if field(0).is_empty() {
            mask_id_number(field(1))
        } else {
            field(0).to_string()
        };
        let Some(category) = VoterCategory::parse(field(2)) else {
            errors.push(problem(
                line,
                &who,
                &VoterProblem::BadCategory(field(2).to_string()),
            ));
            continue;
        };
        let entry = match parse_voter(
            field(0),
            field(1),
            category,
            field(3),
            field(4),
            age_day,
            today,
        ) {
            Ok(e) => e,
            Err(p) => {
                errors.push(problem(line, &who, &p));
                continue;
            }
        };
        let id = entry.id_number.as_str().to_string();
        if let Some(name) = registered.get(id.as_str()) {
            errors.push(problem(
                line,
                &who,
                &VoterProblem::AlreadyRegistered {
                    name: name.to_string(),
                },
            ));
            continue;
        }
        if let Some(first) = first_line.get(&id) {
            errors.push(problem(
                line,
                &who,
                &VoterProblem::RepeatedInFile { first: *first },
            ));
            continue;
        }
        first_line.insert(id, line);
        entries.push(entry);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if entries.is_empty() {
        return Err(vec![row_error(
            2,
            "文件中没有选民",
            "the file holds no voters",
        )]);
    }
    Ok(entries
        .chunks(MAX_VOTERS_PER_EVENT)
        .map(|c| RollEvent::VotersRegistered { voters: c.to_vec() })
        .collect())
}
