//! What the eligibility screens read from the device's store and how they write: review
//! batches and rule packs folded by the domain (`BatchLedger`, `PackLedger`), the computed
//! basic conditions of the nominees from the directory, and one `append` that checks the
//! user's permission before it writes. Every device folds only what the server sent it, so a
//! township device has sign-offs but no HIT details, and a village device only verdict codes.

use std::collections::BTreeMap;

use cunju_domain::authz;
use cunju_domain::directory::units::Unit;
use cunju_domain::eligibility::access::may_write;
use cunju_domain::eligibility::ledger::basic_from_directory;
use cunju_domain::eligibility::{
    BasicCheck, BatchLedger, BatchStatus, Committee, Department, PackLedger, RuleKind, RuleResult,
    VerdictCode,
};
use cunju_domain::event::{EntityKind, Event, EventBody, NewEvent};
use cunju_domain::ids::{EntityId, UnitId};
use cunju_domain::projection::fold;
use cunju_domain::sync::Profile;

use crate::components::people_index::PeopleIndex;
use crate::i18n::Lang;
use crate::i18n::eligibility::EligibilityMsg as E;
pub use crate::platform::{new_id, today};
use crate::store::{self, Store, StoreError};

/// Every review batch on this device within `scope`, newest first.
pub async fn batches(
    store: &Store,
    scope: &UnitId,
) -> Result<Vec<(EntityId, BatchLedger)>, StoreError> {
    let mut all = Vec::new();
    for state in store.query(EntityKind::ReviewBatch, scope).await? {
        let events = store.events_of(&state.id).await?;
        all.push((state.id.clone(), BatchLedger::of(&events)));
    }
    all.sort_by(|a, b| b.0.cmp(&a.0));
    Ok(all)
}

/// One batch as this device knows it; `None` if no event of it is here.
pub async fn batch(store: &Store, id: &EntityId) -> Result<Option<BatchLedger>, StoreError> {
    let events = store.events_of(id).await?;
    Ok((!events.is_empty()).then(|| BatchLedger::of(&events)))
}

/// Every cloned rule pack on this device within `scope`, by id and version.
pub async fn packs(
    store: &Store,
    scope: &UnitId,
) -> Result<Vec<(EntityId, UnitId, PackLedger)>, StoreError> {
    let mut all = Vec::new();
    for state in store.query(EntityKind::RulePack, scope).await? {
        let events: Vec<Event> = store.events_of(&state.id).await?;
        let ledger: PackLedger = fold(&events);
        if ledger.pack.is_some() {
            all.push((state.id.clone(), state.unit.clone(), ledger));
        }
    }
    all.sort_by(|a, b| {
        a.2.pack
            .as_ref()
            .map(|p| &p.id)
            .cmp(&b.2.pack.as_ref().map(|p| &p.id))
            .then(a.0.cmp(&b.0))
    });
    Ok(all)
}

/// The computed basic conditions (B01, B03, B06) of the batch's nominees found in the
/// directory of this device; a nominee not found stays pending on them.
pub fn basics(index: &PeopleIndex, ledger: &BatchLedger) -> BTreeMap<EntityId, BasicCheck> {
    let (Some(c), Some(unit)) = (ledger.compiled.as_ref(), ledger.unit.as_ref()) else {
        return BTreeMap::new();
    };
    c.nominees
        .iter()
        .filter_map(|n| {
            let entry = index.by_entity(&n.person)?;
            basic_from_directory(
                &n.person,
                &entry.id_number,
                &entry.unit,
                unit,
                c.election_day,
            )
            .map(|check| (n.person.clone(), check))
        })
        .collect()
}

/// Checks that `profile` may write `body` (role, department, scope) and appends it; the error
/// is the text to show. Nothing is written on any error.
pub async fn append(
    profile: &Profile,
    unit: &UnitId,
    entity: &EntityId,
    body: EventBody,
    lang: Lang,
) -> Result<Event, String> {
    if !authz::can_write_event(profile.role, &body) || !may_write(profile, &body) {
        return Err(E::NotPermitted.text(lang).into());
    }
    if !unit.is_within(&profile.scope) {
        return Err(E::OutOfScope.text(lang).into());
    }
    let store = store::shared().await.map_err(|e| e.message(lang))?;
    store
        .append(NewEvent {
            actor: profile.user.clone(),
            unit: unit.clone(),
            entity: entity.clone(),
            body,
        })
        .await
        .map_err(|e| e.message(lang))
}

/// A unit's name from the cached unit tree, else its code.
pub fn unit_name(units: &[Unit], code: &UnitId) -> String {
    units
        .iter()
        .find(|u| &u.code == code)
        .map(|u| u.name.clone())
        .unwrap_or_else(|| code.to_string())
}

pub fn committee_label(c: Committee, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => c.label_zh(),
        Lang::En => c.label_en(),
    }
}

pub fn department_label(d: Department, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => d.label_zh(),
        Lang::En => d.label_en(),
    }
}

pub fn verdict_label(code: VerdictCode, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => code.label_zh(),
        Lang::En => code.label_en(),
    }
}

/// The CSS/test tag of a verdict code (`CLEAR`, `NOT_ELIGIBLE`, …).
pub fn verdict_tag(code: VerdictCode) -> String {
    serde_json::to_value(code)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

pub fn status_label(s: BatchStatus, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => s.label_zh(),
        Lang::En => s.label_en(),
    }
}

pub fn status_tag(s: BatchStatus) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

pub fn result_label(r: RuleResult, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => r.label_zh(),
        Lang::En => r.label_en(),
    }
}

pub fn kind_label(k: RuleKind, lang: Lang) -> &'static str {
    match (k, lang) {
        (_, Lang::Zh) => k.label_zh(),
        (RuleKind::Hard, Lang::En) => "Hard condition",
        (RuleKind::Warn, Lang::En) => "Inadvisable (WARN)",
        (RuleKind::Post, Lang::En) => "Composition (POST)",
    }
}

/// The committees a batch can be compiled for, in the order the form offers them.
pub const COMMITTEES: [Committee; 4] = Committee::ALL;
