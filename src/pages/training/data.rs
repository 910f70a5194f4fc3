//! What the training screens read from the device's store: classes, sessions and plans folded
//! by the domain, and one class's file (class + its sessions) for the rules.

use cunju_domain::event::EntityKind;
use cunju_domain::ids::{EntityId, UnitId};
use cunju_domain::training::events::{
    ClassDoc, ClassFile, PlanDoc, SessionDoc, class_doc, plan_doc, session_doc,
};
use cunju_domain::training::{CompletionRules, HoursRules};

pub use crate::platform::new_id;
use crate::store::{Store, StoreError};

/// Every class in scope, newest year first, then by number.
pub async fn classes(
    store: &Store,
    scope: &UnitId,
) -> Result<Vec<(EntityId, ClassDoc)>, StoreError> {
    let mut all: Vec<(EntityId, ClassDoc)> = store
        .query(EntityKind::TrainingClass, scope)
        .await?
        .into_iter()
        .map(|s| (s.id.clone(), class_doc(&s.doc)))
        .filter(|(_, d)| d.class.is_some())
        .collect();
    all.sort_by_key(|(id, d)| {
        let c = d.class.as_ref().expect("filtered");
        (-c.year, c.organiser_code.clone(), c.seq, id.clone())
    });
    Ok(all)
}

pub async fn sessions(
    store: &Store,
    scope: &UnitId,
) -> Result<Vec<(EntityId, SessionDoc)>, StoreError> {
    Ok(store
        .query(EntityKind::TrainingSession, scope)
        .await?
        .into_iter()
        .map(|s| (s.id.clone(), session_doc(&s.doc)))
        .collect())
}

pub async fn plans(store: &Store, scope: &UnitId) -> Result<Vec<(EntityId, PlanDoc)>, StoreError> {
    let mut all: Vec<(EntityId, PlanDoc)> = store
        .query(EntityKind::TrainingPlan, scope)
        .await?
        .into_iter()
        .filter_map(|s| plan_doc(&s.doc).map(|d| (s.id.clone(), d)))
        .collect();
    all.sort_by_key(|(id, p)| (-p.year, id.clone()));
    Ok(all)
}

/// One class with its sessions; `None` if it is not on this device.
pub async fn class_file(
    store: &Store,
    scope: &UnitId,
    id: &EntityId,
) -> Result<Option<ClassFile>, StoreError> {
    let Some(state) = store.entity(id).await? else {
        return Ok(None);
    };
    let doc = class_doc(&state.doc);
    let sessions = sessions(store, scope).await?;
    Ok(ClassFile::new(id, &doc, &sessions))
}

/// Every class in scope as files (for the dashboard).
pub async fn class_files(store: &Store, scope: &UnitId) -> Result<Vec<ClassFile>, StoreError> {
    let sessions = sessions(store, scope).await?;
    Ok(classes(store, scope)
        .await?
        .iter()
        .filter_map(|(id, doc)| ClassFile::new(id, doc, &sessions))
        .collect())
}

/// The counting rules in force (the §4.2 defaults; configuration comes with the admin screens).
pub fn rules() -> (HoursRules, CompletionRules) {
    (HoursRules::default(), CompletionRules::default())
}
