//! `/people/:id` — one person: the fields of their record, the identity number (masked unless
//! the role may see it in full), the unit's name, their close relatives (近亲属, recorded and
//! implied) and the history of every event about them (what, who, when).

use cunju_domain::authz::{self, Action, Role};
use cunju_domain::directory::person::mask_id_number;
use cunju_domain::event::NewEvent;
use cunju_domain::event::{Event, EventBody, Relation};
use cunju_domain::ids::{EntityId, UnitId};
use cunju_domain::sync::Profile;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use serde_json::Value;

use super::people::sex_msg;
use super::units::load_units;
use crate::components::people_index::{SearchOutcome, shared_index};
use crate::components::require_login::RequireLogin;
use crate::i18n::{Lang, Msg, use_i18n};
use crate::platform;
use crate::store::{self, StoreError};
use crate::sync::use_sync;

/// Whether a role sees identity numbers in full on screen (`authz::Action::ViewFullIdNumber`).
fn sees_full_id(role: Role) -> bool {
    authz::permits(role, Action::ViewFullIdNumber)
}

#[component]
pub fn Person() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page-head">
            <A href="/people" attr:class="back">{move || i18n.t(Msg::PersonBack)}</A>
        </section>
        <RequireLogin render=|profile| view! { <PersonDetail profile/> }.into_any()/>
    }
}

/// Everything the screen shows about one person.
#[derive(Clone)]
struct Detail {
    entity: EntityId,
    unit_code: UnitId,
    may_edit: bool,
    name: String,
    sex: Option<Msg>,
    ethnicity: String,
    birth_date: String,
    id_number: String,
    phone: String,
    unit: String,
    relatives: Vec<(String, String, Relation)>,
    history: Vec<Event>,
}

#[component]
fn PersonDetail(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let params = use_params_map();
    if !authz::permits(profile.role, Action::ReadDirectory) {
        return view! {
            <p class="notice" data-testid="person-not-permitted">{move || i18n.t(Msg::PersonNotPermitted)}</p>
        }
        .into_any();
    }
    let full_id = sees_full_id(profile.role);
    let may_edit = authz::permits(profile.role, Action::EditDirectory);
    let scope = profile.scope.clone();
    let detail = LocalResource::new(move || {
        let revision = sync.revision.get();
        let id = params.with(|p| p.get("id").unwrap_or_default());
        let scope = scope.clone();
        async move {
            let Ok(id) = id.parse::<EntityId>() else {
                return Ok(None);
            };
            let store = store::shared().await?;
            let Some(state) = store.entity(&id).await? else {
                return Ok(None);
            };
            if !state.unit.is_within(&scope) {
                return Ok(None);
            }
            let index = shared_index(&store, &scope, revision).await?;
            let units = load_units(&store, &scope).await.unwrap_or_default();
            let text = |field: &str| {
                state
                    .doc
                    .get(field)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            let id_number = text("id_number");
            let relatives = index
                .kinship()
                .close_relatives_of(&id)
                .into_iter()
                .map(|(other, relation)| {
                    let name = index
                        .by_entity(&other)
                        .map(|e| e.name.clone())
                        .unwrap_or_else(|| other.to_string());
                    (other.to_string(), name, relation)
                })
                .collect();
            let unit = units
                .iter()
                .find(|u| u.code == state.unit)
                .map(|u| format!("{}（{}）", u.name, u.code))
                .unwrap_or_else(|| state.unit.to_string());
            let mut history = store.events_of(&id).await?;
            history.reverse();
            Ok::<_, StoreError>(Some(Detail {
                entity: id.clone(),
                unit_code: state.unit.clone(),
                may_edit,
                name: text("name"),
                sex: state
                    .doc
                    .get("sex")
                    .cloned()
                    .and_then(|v| serde_json::from_value(v).ok())
                    .map(sex_msg),
                ethnicity: text("ethnicity"),
                birth_date: text("birth_date"),
                id_number: if full_id {
                    id_number
                } else {
                    mask_id_number(&id_number)
                },
                phone: text("phone"),
                unit,
                relatives,
                history,
            }))
        }
    });
    view! {
        <Suspense fallback=move || view! { <p class="muted">{move || i18n.t(Msg::Loading)}</p> }>
            {move || detail.get().map(|result| match result {
                Err(err) => view! { <p class="form-error" role="alert">{err.message(i18n.lang())}</p> }.into_any(),
                Ok(None) => view! {
                    <p class="notice" data-testid="person-missing">{move || i18n.t(Msg::PersonMissing)}</p>
                }.into_any(),
                Ok(Some(d)) => view! { <DetailView d/> }.into_any(),
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn DetailView(d: Detail) -> impl IntoView {
    let i18n = use_i18n();
    let sex = d.sex;
    let field = move |label: Msg, value: String, testid: &'static str| {
        view! {
            <dt>{move || i18n.t(label)}</dt>
            <dd data-testid=testid>{value}</dd>
        }
    };
    view! {
        <article class="card person-detail" data-testid="person-detail">
            <h1 data-testid="person-detail-name">{d.name.clone()}</h1>
            <dl class="fields">
                <dt>{move || i18n.t(Msg::FieldSex)}</dt>
                <dd>{move || sex.map(|m| i18n.t(m)).unwrap_or("—")}</dd>
                {field(Msg::FieldEthnicity, d.ethnicity.clone(), "person-detail-ethnicity")}
                {field(Msg::PersonBirthDate, d.birth_date.clone(), "person-detail-birth")}
                {field(Msg::FieldIdNumber, d.id_number.clone(), "person-detail-id")}
                {field(Msg::PersonPhone, if d.phone.is_empty() { "—".into() } else { d.phone.clone() }, "person-detail-phone")}
                {field(Msg::PersonUnit, d.unit.clone(), "person-detail-unit")}
            </dl>
            <h2>{move || i18n.t(Msg::PersonRelatives)}</h2>
            {if d.relatives.is_empty() {
                view! { <p class="muted" data-testid="person-no-relatives">{move || i18n.t(Msg::PersonNoRelatives)}</p> }.into_any()
            } else {
                view! {
                    <ul class="record-list" data-testid="person-relatives">
                        {d.relatives.into_iter().map(|(id, name, relation)| view! {
                            <li class="record-row" data-testid="person-relative">
                                <A href=format!("/people/{id}")>{name}</A>
                                " · "<span class="muted">{move || relation_label(relation, i18n.lang())}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {d.may_edit.then(|| view! { <LinkRelative person=d.entity.clone() unit=d.unit_code.clone()/> })}
            <h2>{move || i18n.t(Msg::PersonHistory)}</h2>
            <ol class="history" data-testid="person-history">
                {d.history.into_iter().map(|ev| {
                    let kind = Msg::event_kind(&ev.body);
                    view! {
                        <li data-testid="person-history-item">
                            <strong>{move || i18n.t(kind)}</strong>
                            <span class="muted">" "{ev.actor.to_string()}" · "{platform::format_local_time(ev.hlc.wall_ms)}</span>
                        </li>
                    }
                }).collect_view()}
            </ol>
        </article>
    }
}

fn relation_label(relation: Relation, lang: Lang) -> &'static str {
    use Relation::*;
    match lang {
        Lang::Zh => relation.label_zh(),
        Lang::En => match relation {
            Spouse => "spouse",
            Parent => "parent",
            Child => "child",
            Sibling => "sibling",
            PaternalGrandparent => "paternal grandparent",
            MaternalGrandparent => "maternal grandparent",
            PaternalGrandchild => "grandchild (son's child)",
            MaternalGrandchild => "grandchild (daughter's child)",
        },
    }
}

const RELATIONS: [Relation; 8] = [
    Relation::Spouse,
    Relation::Parent,
    Relation::Child,
    Relation::Sibling,
    Relation::PaternalGrandparent,
    Relation::MaternalGrandparent,
    Relation::PaternalGrandchild,
    Relation::MaternalGrandchild,
];

/// Records that another person (found by full identity number) is this person's relative: one
/// `RelativeLinked` event; the inverse and implied relations come from the domain's `Kinship`.
#[component]
fn LinkRelative(person: EntityId, unit: UnitId) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let other_id = RwSignal::new(String::new());
    let relation = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Msg>);
    let saved = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let Some(profile) = sync.profile.get_untracked() else {
            error.set(Some(Msg::NeedLogin));
            return;
        };
        let Some(relation) = RELATIONS
            .into_iter()
            .find(|r| format!("{r:?}") == relation.get_untracked())
        else {
            error.set(Some(Msg::ErrRequired));
            return;
        };
        let typed = other_id.get_untracked().trim().to_uppercase();
        let (person, unit) = (person.clone(), unit.clone());
        leptos::task::spawn_local(async move {
            let result: Result<Result<(), Msg>, StoreError> = async {
                let store = store::shared().await?;
                let index =
                    shared_index(&store, &profile.scope, sync.revision.get_untracked()).await?;
                let other = match index.search(&typed, 2) {
                    SearchOutcome::Found { hits, total: 1 }
                        if index.entry(hits[0]).id_number == typed =>
                    {
                        index.entry(hits[0]).id.clone()
                    }
                    _ => return Ok(Err(Msg::RelativeNotFound)),
                };
                let draft = NewEvent {
                    actor: profile.user.clone(),
                    unit,
                    entity: person,
                    body: EventBody::RelativeLinked { other, relation },
                };
                if !authz::can_write_event(profile.role, &draft.body) {
                    return Ok(Err(Msg::PersonNotPermitted));
                }
                if draft.validate().is_err() {
                    return Ok(Err(Msg::RelativeSelf));
                }
                store.append(draft).await?;
                Ok(Ok(()))
            }
            .await;
            match result {
                Ok(Ok(())) => {
                    error.set(None);
                    other_id.set(String::new());
                    saved.set(true);
                    sync.after_local_change();
                }
                Ok(Err(msg)) => error.set(Some(msg)),
                Err(_) => error.set(Some(Msg::RelativeSaveFailed)),
            }
        });
    };
    view! {
        <form class="form link-relative" data-testid="relative-form" on:submit=submit novalidate>
            <h3>{move || i18n.t(Msg::RelativeAdd)}</h3>
            <label class="field">
                <span>{move || i18n.t(Msg::RelativeIdNumber)}</span>
                <input type="text" inputmode="numeric" autocomplete="off" data-testid="relative-id-number"
                    prop:value=move || other_id.get()
                    on:input=move |ev| other_id.set(event_target_value(&ev))/>
            </label>
            <label class="field">
                <span>{move || i18n.t(Msg::RelativeRelation)}</span>
                <select data-testid="relative-relation"
                    prop:value=move || relation.get()
                    on:change=move |ev| relation.set(event_target_value(&ev))>
                    <option value="">"—"</option>
                    {RELATIONS.into_iter().map(|r| view! {
                        <option value=format!("{r:?}")>{move || relation_label(r, i18n.lang())}</option>
                    }).collect_view()}
                </select>
            </label>
            <Show when=move || error.with(Option::is_some)>
                <p class="form-error" role="alert" data-testid="relative-error">
                    {move || error.get().map(|m| i18n.t(m))}
                </p>
            </Show>
            <Show when=move || saved.get()>
                <p class="form-ok" role="status" data-testid="relative-saved">{move || i18n.t(Msg::SavedOnDevice)}</p>
            </Show>
            <button type="submit" class="wide" data-testid="relative-submit">{move || i18n.t(Msg::RelativeAdd)}</button>
        </form>
    }
}
