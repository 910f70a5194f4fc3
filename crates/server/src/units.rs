//! The jurisdiction tree on the server. Units are `unit_recorded` events — the event log is the
//! one source of truth — and the tree is folded from them on request (a district holds a few
//! hundred units). Importing a CSV file records each new or renamed unit as an event of the
//! server's device log; every rule about the file is the domain's `plan_unit_import`.

use std::collections::BTreeMap;

use cunju_domain::directory::units::{RowError, Unit, export_units_csv, level, plan_unit_import};
use cunju_domain::event::{EventBody, NewEvent};
use cunju_domain::ids::{EntityId, UnitId, UserId};
use cunju_domain::projection::{Projection, fold};

use crate::store::{self, SERVER_ACTOR, Store, StoreError, db_text};

/// Every unit by code, as the last `unit_recorded` event in canonical order says.
#[derive(Debug, Default)]
pub struct UnitTree(pub BTreeMap<UnitId, Unit>);

impl Projection for UnitTree {
    fn apply(&mut self, ev: &cunju_domain::event::Event) {
        if let EventBody::UnitRecorded {
            code,
            name,
            unit_kind,
            parent,
        } = &ev.body
        {
            self.0.insert(
                code.clone(),
                Unit {
                    code: code.clone(),
                    name: name.clone(),
                    kind: *unit_kind,
                    parent: parent.clone(),
                },
            );
        }
    }
}

/// The units within `scope` (all units if `None`), parents before children.
pub async fn units_within(store: &Store, scope: Option<&UnitId>) -> store::Result<Vec<Unit>> {
    let scope = scope.map(db_text).unwrap_or_default();
    let events = store.unit_events(&scope).await?;
    let mut units: Vec<Unit> = fold::<UnitTree>(&events).0.into_values().collect();
    units.sort_by_key(|u| (level(u.kind), u.code.clone()));
    Ok(units)
}

/// Why a unit file was not imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(
        "文件既不是 UTF-8 也不是 GB18030/GBK 编码，请另存为 UTF-8 CSV / the file is neither UTF-8 nor GB18030/GBK"
    )]
    Encoding,
    /// Every bad row, by line; nothing was imported.
    #[error("{} 行有误，未导入任何单位 / {} bad row(s), nothing imported", .0.len(), .0.len())]
    Rows(Vec<RowError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportReport {
    /// New and renamed units, each now a `unit_recorded` event.
    pub recorded: usize,
    /// Rows identical to a unit already present.
    pub unchanged: usize,
}

/// Decodes a CSV file as office software writes it: UTF-8 (with or without BOM), UTF-16 with
/// a BOM, or else GB18030 (a superset of GBK and GB2312).
pub fn decode_csv(bytes: &[u8]) -> Result<String, ImportError> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes)
        && encoding != encoding_rs::UTF_8
    {
        return encoding
            .decode_without_bom_handling_and_without_replacement(&bytes[bom..])
            .map(|text| text.into_owned())
            .ok_or(ImportError::Encoding);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_string());
    }
    encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|text| text.into_owned())
        .ok_or(ImportError::Encoding)
}

/// Imports a unit CSV file: every row valid, or nothing is written and every problem is
/// returned by line. Units already present with the same name are left alone, so importing
/// the same file twice records nothing the second time.
pub async fn import_csv(
    store: &Store,
    bytes: &[u8],
    now_ms: i64,
) -> Result<ImportReport, ImportError> {
    let text = decode_csv(bytes)?;
    let existing = units_within(store, None).await?;
    let plan = plan_unit_import(&text, &existing).map_err(ImportError::Rows)?;
    store
        .append_server_events(record_units(&plan.to_record), now_ms)
        .await?;
    Ok(ImportReport {
        recorded: plan.to_record.len(),
        unchanged: plan.unchanged,
    })
}

/// A `unit_recorded` draft per unit, written by the server.
pub fn record_units(units: &[Unit]) -> Vec<NewEvent> {
    let actor: UserId = SERVER_ACTOR.parse().expect("a valid user id");
    units
        .iter()
        .map(|u| NewEvent {
            actor: actor.clone(),
            unit: u.code.clone(),
            entity: EntityId::unit(&u.code),
            body: EventBody::UnitRecorded {
                code: u.code.clone(),
                name: u.name.clone(),
                unit_kind: u.kind,
                parent: u.parent.clone(),
            },
        })
        .collect()
}

/// The units within `scope` (all if `None`) as CSV in the import format.
pub async fn export_csv(store: &Store, scope: Option<&UnitId>) -> store::Result<String> {
    Ok(export_units_csv(&units_within(store, scope).await?))
}

/// The line-by-line error table printed by the command line.
pub fn error_table(errors: &[RowError]) -> String {
    let mut out = String::from("行号  问题 / problem\n");
    for e in errors {
        out.push_str(&format!(
            "{:>4}  {} / {}\n",
            e.line, e.message_zh, e.message_en
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_or_without_bom_is_read_as_is() {
        assert_eq!(decode_csv("代码".as_bytes()).unwrap(), "代码");
        assert_eq!(
            decode_csv("\u{feff}代码".as_bytes()).unwrap(),
            "\u{feff}代码",
            "the BOM is left for the planner, which ignores it"
        );
    }

    #[test]
    fn gbk_falls_back_to_gb18030() {
        let (gbk, _, _) =
            encoding_rs::GBK.encode("代码,名称,类型,上级代码\n5099001,青石镇,镇,5099\n");
        assert!(std::str::from_utf8(&gbk).is_err());
        let text = decode_csv(&gbk).unwrap();
        assert!(text.contains("青石镇"), "{text}");
    }

    #[test]
    fn utf16_with_a_bom_is_decoded() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "代码".encode_utf16() {
            bytes.extend(unit.to_le_bytes());
        }
        assert_eq!(decode_csv(&bytes).unwrap(), "代码");
    }

    #[test]
    fn bytes_in_no_known_encoding_are_refused() {
        assert!(matches!(
            decode_csv(&[0x81, 0x20, 0xFF]),
            Err(ImportError::Encoding)
        ));
    }
}
