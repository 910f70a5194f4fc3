//! `/people` — the people register (人员登记) of the logged-in user's jurisdiction: a search over
//! everyone recorded (on this device or received by sync) by name or identity number,
//! and a form to record a person. `/people/:id` (`person.rs`) shows one person.

use std::collections::HashMap;
use std::sync::Arc;

use cunju_domain::authz::{self, Action};
use cunju_domain::directory::person::mask_id_number;
use cunju_domain::event::Sex;
use cunju_domain::sync::Profile;
use leptos::prelude::*;
use leptos_router::components::A;

use super::units::load_units;
use crate::components::people_index::{PeopleIndex, PersonEntry, SearchOutcome, shared_index};
use crate::components::person_form::PersonForm;
use crate::i18n::{Msg, use_i18n};
use crate::store;
use crate::sync::use_sync;

#[component]
pub fn People() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    view! {
        <section class="page-head">
            <h1>{move || i18n.t(Msg::PeopleTitle)}</h1>
            <p class="muted">{move || i18n.t(Msg::PeopleIntro)}</p>
        </section>
        <Show
            when=move || sync.profile.with(Option::is_some)
            fallback=move || view! {
                // Until the cached session is read, "please log in" would flash at everyone.
                <Show when=move || sync.loaded.get() fallback=move || view! {
                    <p class="muted">{move || i18n.t(Msg::Loading)}</p>
                }>
                    <p class="notice" data-testid="people-need-login">
                        {move || i18n.t(Msg::PeopleNeedLogin)}" "
                        <A href="/login">{move || i18n.t(Msg::NavLogin)}</A>
                    </p>
                </Show>
            }
        >
            {move || sync.profile.get().map(|profile| view! { <Register profile/> })}
        </Show>
    }
}

/// The form (if the role may record people) and the list, for one user's scope.
#[component]
fn Register(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let may_edit = authz::permits(profile.role, Action::EditDirectory);
    let may_read = authz::permits(profile.role, Action::ReadDirectory);
    view! {
        {may_edit.then(|| view! {
            <p><a href="#person-form" class="button secondary" data-testid="people-new">{move || i18n.t(Msg::PeopleFormHeading)}</a></p>
        })}
        {may_read.then(|| view! { <PeopleList profile=profile.clone()/> })}
        {may_edit.then(|| view! { <div id="person-form"><PersonForm profile=profile.clone()/></div> })}
        {(!may_edit).then(|| view! {
            <p class="notice" data-testid="people-not-permitted">{move || i18n.t(Msg::PeopleNotPermitted)}</p>
        })}
    }
}

/// How many results a search shows; the rest are counted ("and N more").
const SHOWN: usize = 50;

/// Search by name or identity number over an index built once per load (and again only after
/// the store changed), so typing never reads IndexedDB.
#[component]
fn PeopleList(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let scope = profile.scope.clone();
    let query = RwSignal::new(String::new());
    let index = LocalResource::new(move || {
        let revision = sync.revision.get();
        let scope = scope.clone();
        async move {
            let store = store::shared().await?;
            let index = shared_index(&store, &scope, revision).await?;
            let units = load_units(&store, &scope).await.unwrap_or_default();
            let names: HashMap<String, String> = units
                .into_iter()
                .map(|u| (u.code.to_string(), u.name))
                .collect();
            Ok::<_, store::StoreError>((index, Arc::new(names)))
        }
    });
    view! {
        <section class="people-list">
            <h2>{move || i18n.t(Msg::PeopleListHeading)}</h2>
            <label class="field search">
                <span class="visually-hidden">{move || i18n.t(Msg::PeopleSearchLabel)}</span>
                <input type="search" data-testid="people-search" autocomplete="off"
                    placeholder=move || i18n.t(Msg::PeopleSearchLabel)
                    prop:value=move || query.get()
                    on:input=move |ev| query.set(event_target_value(&ev))/>
            </label>
            <Suspense fallback=move || view! { <p class="muted">{move || i18n.t(Msg::Loading)}</p> }>
                {move || index.get().map(|result| match result {
                    Err(err) => view! {
                        <p class="form-error" role="alert">{err.message(i18n.lang())}</p>
                    }.into_any(),
                    Ok((index, _)) if index.is_empty() => view! {
                        <p class="muted" data-testid="people-empty">{move || i18n.t(Msg::PeopleEmpty)}</p>
                    }.into_any(),
                    Ok((index, names)) => view! { <Results index names query/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Results(
    index: Arc<PeopleIndex>,
    names: Arc<HashMap<String, String>>,
    query: RwSignal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let outcome = {
        let index = index.clone();
        Memo::new(move |_| query.with(|q| index.search(q, SHOWN)))
    };
    move || {
        match outcome.get() {
        SearchOutcome::TooFewDigits => view! {
            <p class="muted" data-testid="people-search-hint">{move || i18n.t(Msg::PeopleSearchMoreDigits)}</p>
        }.into_any(),
        SearchOutcome::Found { total: 0, .. } => view! {
            <p class="muted" data-testid="people-no-match">{move || i18n.t(Msg::PeopleNoMatch)}</p>
        }.into_any(),
        SearchOutcome::Found { hits, total } => {
            let more = total - hits.len();
            let rows: Vec<PersonRow> = hits
                .iter()
                .map(|pos| PersonRow::new(index.entry(*pos), &names))
                .collect();
            view! {
                <p class="muted" data-testid="people-count" data-total=total>
                    {move || i18n.t(Msg::PeopleFound)}" "{total}
                </p>
                <ul class="record-list" data-testid="people-list">
                    {rows.into_iter().map(|row| view! { <PersonItem row/> }).collect_view()}
                </ul>
                {(more > 0).then(|| view! {
                    <p class="muted" data-testid="people-more">
                        {move || i18n.t(Msg::PeopleMoreBefore)}" "{more}" "{move || i18n.t(Msg::PeopleMoreAfter)}
                    </p>
                })}
            }.into_any()
        }
    }
    }
}

/// What one line of the list shows; the identity number is masked (domain-spec: privacy).
#[derive(Clone, Debug, PartialEq)]
struct PersonRow {
    id: String,
    name: String,
    sex: Option<Msg>,
    ethnicity: String,
    id_masked: String,
    unit: String,
}

impl PersonRow {
    fn new(entry: &PersonEntry, names: &HashMap<String, String>) -> PersonRow {
        let unit = entry.unit.to_string();
        PersonRow {
            id: entry.id.to_string(),
            name: entry.name.clone(),
            sex: entry.sex.map(sex_msg),
            ethnicity: entry.ethnicity.clone(),
            id_masked: mask_id_number(&entry.id_number),
            unit: names.get(&unit).cloned().unwrap_or(unit),
        }
    }
}

/// The label of a sex.
pub fn sex_msg(sex: Sex) -> Msg {
    match sex {
        Sex::Male => Msg::SexMale,
        Sex::Female => Msg::SexFemale,
    }
}

#[component]
fn PersonItem(row: PersonRow) -> impl IntoView {
    let i18n = use_i18n();
    let sex = row.sex;
    view! {
        <li class="record-row" data-testid="person-row" data-entity=row.id.clone()>
            <A href=format!("/people/{}", row.id) attr:class="record-link">
                <div class="record-main">
                    <strong data-testid="person-row-name">{row.name.clone()}</strong>
                    <span class="muted">
                        {move || sex.map(|m| i18n.t(m)).unwrap_or_default()}" · "{row.ethnicity.clone()}
                    </span>
                </div>
                <div class="record-sub muted">
                    <span data-testid="person-row-id">{row.id_masked.clone()}</span>
                    <span>{row.unit.clone()}</span>
                </div>
            </A>
        </li>
    }
}
