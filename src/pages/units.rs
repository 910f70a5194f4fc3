//! `/units` — the jurisdiction tree (单位) of the user's scope, from the `UnitRecorded` events on
//! this device (so it works offline): expand and collapse, people per unit, CSV export, and the
//! way to the import screen for roles that may edit the directory.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use cunju_domain::authz::{self, Action};
use cunju_domain::directory::units::{Unit, export_units_csv, level};
use cunju_domain::event::EntityKind;
use cunju_domain::ids::UnitId;
use cunju_domain::projection::EntityState;
use cunju_domain::sync::Profile;
use leptos::prelude::*;
use leptos_router::components::A;
use serde_json::Value;

use crate::components::file_io::download_text;
use crate::components::people_index::shared_index;
use crate::components::require_login::RequireLogin;
use crate::i18n::{Lang, Msg, use_i18n};
use crate::store::{self, Store, StoreError};
use crate::sync::use_sync;

/// A unit as recorded by its `UnitRecorded` projection; `None` for a malformed one.
pub fn unit_of(state: &EntityState) -> Option<Unit> {
    let doc = &state.doc;
    Some(Unit {
        code: serde_json::from_value(doc.get("code")?.clone()).ok()?,
        name: doc.get("name")?.as_str()?.to_string(),
        kind: serde_json::from_value(doc.get("unit_kind")?.clone()).ok()?,
        parent: match doc.get("parent") {
            None | Some(Value::Null) => None,
            Some(v) => Some(serde_json::from_value(v.clone()).ok()?),
        },
    })
}

/// Every unit within `scope` recorded on this device, parents before children.
pub async fn load_units(store: &Store, scope: &UnitId) -> Result<Vec<Unit>, StoreError> {
    let mut units: Vec<Unit> = store
        .query(EntityKind::Unit, scope)
        .await?
        .iter()
        .filter_map(unit_of)
        .collect();
    units.sort_by_key(|u| (level(u.kind), u.code.clone()));
    Ok(units)
}

/// The name of a unit kind in the UI language.
pub fn kind_label(kind: cunju_domain::event::UnitKind, lang: Lang) -> &'static str {
    use cunju_domain::event::UnitKind::*;
    match lang {
        Lang::Zh => kind.label_zh(),
        Lang::En => match kind {
            City => "city",
            District => "district",
            County => "county",
            Township => "township",
            Street => "street",
            Village => "village",
            Community => "community",
            Group => "group",
        },
    }
}

#[component]
pub fn Units() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page-head">
            <h1>{move || i18n.t(Msg::UnitsTitle)}</h1>
            <p class="muted">{move || i18n.t(Msg::UnitsIntro)}</p>
        </section>
        <RequireLogin render=|profile| view! { <UnitsOf profile/> }.into_any()/>
    }
}

/// What the tree needs: the units and the people counted per unit (self and below).
#[derive(Clone)]
struct TreeData {
    units: Vec<Unit>,
    people: HashMap<UnitId, usize>,
}

#[component]
fn UnitsOf(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let may_import = authz::permits(profile.role, Action::EditUnitTree);
    let may_count = authz::permits(profile.role, Action::ReadDirectory);
    let scope = profile.scope.clone();
    let data = LocalResource::new(move || {
        let revision = sync.revision.get();
        let scope = scope.clone();
        async move {
            let store = store::shared().await?;
            let units = load_units(&store, &scope).await?;
            let mut people = HashMap::new();
            if may_count {
                let direct = shared_index(&store, &scope, revision)
                    .await?
                    .count_by_unit();
                // A unit's count includes everyone below it: codes extend their parent's code.
                for unit in &units {
                    let n = direct
                        .iter()
                        .filter(|(code, _)| code.is_within(&unit.code))
                        .map(|(_, n)| n)
                        .sum();
                    people.insert(unit.code.clone(), n);
                }
            }
            Ok::<_, StoreError>(TreeData { units, people })
        }
    });
    // Which units are open lives as long as the screen, so a background sync that reloads the
    // tree does not fold up what the user opened. `None` until the first tree is shown.
    let expanded = RwSignal::new(None::<BTreeSet<UnitId>>);
    let export_error = RwSignal::new(None::<String>);
    let export = move |_| {
        let Some(Ok(tree)) = data.get_untracked() else {
            return;
        };
        let csv = export_units_csv(&tree.units);
        if let Err(err) = download_text("units.csv", "text/csv;charset=utf-8", &csv) {
            export_error.set(Some(err));
        }
    };
    view! {
        <div class="toolbar">
            {may_import.then(|| view! {
                <A href="/units/import" attr:class="button" attr:data-testid="units-import-link">
                    {move || i18n.t(Msg::UnitsImportLink)}
                </A>
            })}
            <button type="button" class="secondary" data-testid="units-export" on:click=export
                disabled=move || !matches!(data.get(), Some(Ok(ref t)) if !t.units.is_empty())>
                {move || i18n.t(Msg::UnitsExport)}
            </button>
        </div>
        <Show when=move || export_error.with(Option::is_some)>
            <p class="form-error" role="alert">{move || i18n.t(Msg::UnitsExportFailed)}</p>
        </Show>
        <Suspense fallback=move || view! { <p class="muted">{move || i18n.t(Msg::Loading)}</p> }>
            {move || data.get().map(|result| match result {
                Err(err) => view! { <p class="form-error" role="alert">{err.message(i18n.lang())}</p> }.into_any(),
                Ok(tree) if tree.units.is_empty() => view! {
                    <p class="muted" data-testid="units-empty">{move || i18n.t(Msg::UnitsEmpty)}</p>
                }.into_any(),
                Ok(tree) => view! { <Tree data=tree show_counts=may_count expanded/> }.into_any(),
            })}
        </Suspense>
    }
}

/// One visible row of the tree.
#[derive(Clone, PartialEq)]
struct Row {
    unit: Unit,
    depth: usize,
    has_children: bool,
    people: Option<usize>,
}

/// The tree as a flat list of the rows that are visible: a child shows when all its ancestors
/// are expanded. The top units start expanded; `expanded` outlives a reload of the data.
#[component]
fn Tree(
    data: TreeData,
    show_counts: bool,
    expanded: RwSignal<Option<BTreeSet<UnitId>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let codes: BTreeSet<UnitId> = data.units.iter().map(|u| u.code.clone()).collect();
    let mut children: BTreeMap<Option<UnitId>, Vec<Unit>> = BTreeMap::new();
    for unit in &data.units {
        // A unit whose parent is outside the scope is a root here.
        let parent = unit.parent.clone().filter(|p| codes.contains(p));
        children.entry(parent).or_default().push(unit.clone());
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| a.code.cmp(&b.code));
    }
    let roots: BTreeSet<UnitId> = children
        .get(&None)
        .map(|l| l.iter().map(|u| u.code.clone()).collect())
        .unwrap_or_default();
    if expanded.with_untracked(Option::is_none) {
        expanded.set(Some(roots));
    }
    let people = data.people;
    let rows = move || {
        let open = expanded.get().unwrap_or_default();
        let mut rows = Vec::new();
        let mut stack: Vec<(Unit, usize)> = children
            .get(&None)
            .map(|l| l.iter().rev().map(|u| (u.clone(), 0)).collect())
            .unwrap_or_default();
        while let Some((unit, depth)) = stack.pop() {
            let kids = children.get(&Some(unit.code.clone()));
            if open.contains(&unit.code)
                && let Some(kids) = kids
            {
                stack.extend(kids.iter().rev().map(|k| (k.clone(), depth + 1)));
            }
            rows.push(Row {
                people: show_counts.then(|| people.get(&unit.code).copied().unwrap_or(0)),
                has_children: kids.is_some_and(|k| !k.is_empty()),
                unit,
                depth,
            });
        }
        rows
    };
    view! {
        <ul class="unit-tree" data-testid="unit-tree" role="tree">
            <For each=rows key=|row| (row.unit.code.clone(), row.has_children) let:row>
                {
                    let code = row.unit.code.clone();
                    let toggle_code = code.clone();
                    let is_open = Signal::derive(move || {
                        expanded.with(|e| e.as_ref().is_some_and(|e| e.contains(&code)))
                    });
                    let toggle = move |_| {
                        expanded.update(|e| {
                            let e = e.get_or_insert_default();
                            if !e.remove(&toggle_code) {
                                e.insert(toggle_code.clone());
                            }
                        })
                    };
                    let kind = row.unit.kind;
                    view! {
                        <li class="unit-node" data-testid="unit-node" data-code=row.unit.code.to_string()
                            role="treeitem" style=format!("--depth:{}", row.depth)
                            aria-expanded=move || row.has_children.then(|| is_open.get().to_string())>
                            {if row.has_children {
                                view! {
                                    <button type="button" class="tree-toggle" data-testid="unit-toggle"
                                        on:click=toggle
                                        aria-label=move || if is_open.get() { i18n.t(Msg::UnitsCollapse) } else { i18n.t(Msg::UnitsExpand) }>
                                        {move || if is_open.get() { "▾" } else { "▸" }}
                                    </button>
                                }.into_any()
                            } else {
                                view! { <span class="tree-toggle leaf"></span> }.into_any()
                            }}
                            <span class="unit-name">{row.unit.name.clone()}</span>
                            <span class="unit-kind muted">{move || kind_label(kind, i18n.lang())}</span>
                            <span class="unit-code muted">{row.unit.code.to_string()}</span>
                            {row.people.map(|n| view! {
                                <span class="unit-count" data-testid="unit-people">
                                    {n}" "{move || i18n.t(Msg::UnitsPeopleSuffix)}
                                </span>
                            })}
                        </li>
                    }
                }
            </For>
        </ul>
    }
}
