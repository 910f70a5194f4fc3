//! The in-memory index of the people in the user's scope, built once per load from the store's
//! projections so that searching 20,000 people on a phone never touches IndexedDB per keystroke:
//! by name (substring) or by identity number (the full number, or its last 4 or more digits).

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use cunju_domain::directory::kinship::Kinship;
use cunju_domain::event::{EntityKind, OrderKey, Relation, Sex};
use cunju_domain::ids::{EntityId, UnitId};
use cunju_domain::projection::EntityState;
use serde_json::Value;

use crate::store::{Store, StoreError};

/// The fewest trailing digits of an identity number a search accepts.
pub const MIN_ID_DIGITS: usize = 4;

/// One person as lists and searches need them.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonEntry {
    pub id: EntityId,
    pub name: String,
    pub sex: Option<Sex>,
    pub ethnicity: String,
    /// Upper case (a check digit `x` is stored as `X`).
    pub id_number: String,
    pub unit: UnitId,
    last: OrderKey,
}

/// What a search asked for and found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchOutcome {
    /// Positions in the index (most recently changed first), at most `limit`, and how many
    /// matched in all.
    Found { hits: Vec<usize>, total: usize },
    /// Digits were typed, but fewer than `MIN_ID_DIGITS`: too many would match.
    TooFewDigits,
}

/// Everyone in one scope, most recently changed first, with the links between them.
#[derive(Debug, Default)]
pub struct PeopleIndex {
    entries: Vec<PersonEntry>,
    by_id_number: HashMap<String, usize>,
    by_entity: HashMap<EntityId, usize>,
    links: Vec<(EntityId, EntityId, Relation)>,
}

impl PeopleIndex {
    /// Builds the index from person projections (any order).
    pub fn build(states: Vec<EntityState>) -> PeopleIndex {
        let mut index = PeopleIndex::default();
        let mut entries = Vec::with_capacity(states.len());
        for state in states {
            let text = |field: &str| {
                state
                    .doc
                    .get(field)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            if let Some(Value::Array(relatives)) = state.doc.get("relatives") {
                for link in relatives {
                    let other = link.get("other").cloned().map(serde_json::from_value);
                    let relation = link.get("relation").cloned().map(serde_json::from_value);
                    if let (Some(Ok(other)), Some(Ok(relation))) = (other, relation) {
                        index.links.push((state.id.clone(), other, relation));
                    }
                }
            }
            entries.push(PersonEntry {
                name: text("name"),
                sex: state
                    .doc
                    .get("sex")
                    .cloned()
                    .and_then(|v| serde_json::from_value(v).ok()),
                ethnicity: text("ethnicity"),
                id_number: text("id_number").to_ascii_uppercase(),
                id: state.id,
                unit: state.unit,
                last: state.last,
            });
        }
        entries.sort_by(|a, b| b.last.cmp(&a.last));
        for (pos, entry) in entries.iter().enumerate() {
            index.by_id_number.insert(entry.id_number.clone(), pos);
            index.by_entity.insert(entry.id.clone(), pos);
        }
        index.entries = entries;
        index
    }

    /// Reads every person within `scope` from the store and indexes them.
    pub async fn load(store: &Store, scope: &UnitId) -> Result<PeopleIndex, StoreError> {
        Ok(PeopleIndex::build(
            store.query(EntityKind::Person, scope).await?,
        ))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn entry(&self, pos: usize) -> &PersonEntry {
        &self.entries[pos]
    }

    pub fn by_entity(&self, id: &EntityId) -> Option<&PersonEntry> {
        self.by_entity.get(id).map(|pos| &self.entries[*pos])
    }

    /// People per unit (the unit a person's latest event is in), for the unit tree.
    pub fn count_by_unit(&self) -> HashMap<UnitId, usize> {
        let mut counts = HashMap::new();
        for entry in &self.entries {
            *counts.entry(entry.unit.clone()).or_default() += 1;
        }
        counts
    }

    /// The close relatives (近亲属) of everyone indexed, recorded and implied.
    pub fn kinship(&self) -> Kinship {
        Kinship::new(
            self.links.iter().cloned(),
            self.entries
                .iter()
                .filter_map(|e| e.sex.map(|s| (e.id.clone(), s))),
        )
    }

    /// Finds people by name (substring) or identity number (all 18 characters, or the last
    /// `MIN_ID_DIGITS` or more); an empty query lists everyone. At most `limit` hits.
    pub fn search(&self, query: &str, limit: usize) -> SearchOutcome {
        let query = query.trim();
        if query.is_empty() {
            return SearchOutcome::Found {
                hits: (0..self.entries.len().min(limit)).collect(),
                total: self.entries.len(),
            };
        }
        let upper = query.to_ascii_uppercase();
        let looks_like_id = upper
            .bytes()
            .enumerate()
            .all(|(i, b)| b.is_ascii_digit() || (b == b'X' && i + 1 == upper.len() && i > 0));
        if looks_like_id {
            if upper.len() < MIN_ID_DIGITS {
                return SearchOutcome::TooFewDigits;
            }
            if let Some(pos) = self.by_id_number.get(&upper) {
                return SearchOutcome::Found {
                    hits: vec![*pos],
                    total: 1,
                };
            }
            return self.collect(limit, |e| e.id_number.ends_with(&upper));
        }
        self.collect(limit, |e| e.name.contains(query))
    }

    fn collect(&self, limit: usize, matches: impl Fn(&PersonEntry) -> bool) -> SearchOutcome {
        let mut hits = Vec::new();
        let mut total = 0;
        for (pos, entry) in self.entries.iter().enumerate() {
            if matches(entry) {
                total += 1;
                if hits.len() < limit {
                    hits.push(pos);
                }
            }
        }
        SearchOutcome::Found { hits, total }
    }
}

thread_local! {
    /// The last index built, with the scope and store revision it was built for.
    static CACHE: RefCell<Option<(UnitId, u64, Arc<PeopleIndex>)>> = const { RefCell::new(None) };
}

/// The index of `scope` at store `revision` (`SyncState::revision`): built on first use and
/// again only after the store changed, shared by every screen that needs it.
pub async fn shared_index(
    store: &Store,
    scope: &UnitId,
    revision: u64,
) -> Result<Arc<PeopleIndex>, StoreError> {
    let cached = CACHE.with(|cell| {
        cell.borrow()
            .as_ref()
            .filter(|(s, r, _)| s == scope && *r == revision)
            .map(|(_, _, index)| index.clone())
    });
    if let Some(index) = cached {
        return Ok(index);
    }
    let index = Arc::new(PeopleIndex::load(store, scope).await?);
    CACHE.with(|cell| *cell.borrow_mut() = Some((scope.clone(), revision, index.clone())));
    Ok(index)
}
