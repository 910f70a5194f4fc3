//! `/people` — the people register (人员登记) of the logged-in user's jurisdiction: a form to
//! record a person and the list of people recorded (on this device or received by sync).

use cunju_domain::authz::{self, Action};
use cunju_domain::directory::person::mask_id_number;
use cunju_domain::event::EntityKind;
use cunju_domain::projection::EntityState;
use cunju_domain::sync::Profile;
use leptos::prelude::*;
use leptos_router::components::A;
use serde_json::Value;

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
        {may_edit.then(|| view! { <PersonForm profile=profile.clone()/> })}
        {(!may_edit).then(|| view! {
            <p class="notice" data-testid="people-not-permitted">{move || i18n.t(Msg::PeopleNotPermitted)}</p>
        })}
        {may_read.then(|| view! { <PeopleList profile=profile.clone()/> })}
    }
}

/// Everyone recorded within the user's scope, most recently changed first.
#[component]
fn PeopleList(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let scope = profile.scope.clone();
    let people = LocalResource::new(move || {
        sync.revision.track();
        let scope = scope.clone();
        async move {
            let store = store::shared().await?;
            let mut people = store.query(EntityKind::Person, &scope).await?;
            people.sort_by(|a, b| b.last.cmp(&a.last));
            Ok::<_, store::StoreError>(people.into_iter().map(PersonRow::from).collect::<Vec<_>>())
        }
    });
    view! {
        <section class="people-list">
            <h2>{move || i18n.t(Msg::PeopleListHeading)}</h2>
            <Suspense fallback=move || view! { <p class="muted">{move || i18n.t(Msg::Loading)}</p> }>
                {move || people.get().map(|result| match result {
                    Err(err) => view! {
                        <p class="form-error" role="alert">{err.message(i18n.lang())}</p>
                    }.into_any(),
                    Ok(rows) if rows.is_empty() => view! {
                        <p class="muted" data-testid="people-empty">{move || i18n.t(Msg::PeopleEmpty)}</p>
                    }.into_any(),
                    Ok(rows) => view! {
                        <ul class="record-list" data-testid="people-list">
                            {rows.into_iter().map(|row| view! { <PersonItem row/> }).collect_view()}
                        </ul>
                    }.into_any(),
                })}
            </Suspense>
        </section>
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

impl From<EntityState> for PersonRow {
    fn from(state: EntityState) -> PersonRow {
        let text = |field: &str| {
            state
                .doc
                .get(field)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        PersonRow {
            id: state.id.to_string(),
            name: text("name"),
            sex: match state.doc.get("sex").and_then(Value::as_str) {
                Some("male") => Some(Msg::SexMale),
                Some("female") => Some(Msg::SexFemale),
                _ => None,
            },
            ethnicity: text("ethnicity"),
            id_masked: mask_id_number(&text("id_number")),
            unit: state.unit.to_string(),
        }
    }
}

#[component]
fn PersonItem(row: PersonRow) -> impl IntoView {
    let i18n = use_i18n();
    let sex = row.sex;
    view! {
        <li class="record-row" data-testid="person-row" data-entity=row.id.clone()>
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
        </li>
    }
}
