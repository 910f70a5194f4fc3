//! `/eligibility/packs` — rule packs (规则包): the built-in default (CQ-candidate-2021, read
//! only) and the packs cloned on this district, each with its rules (kind, lookback, reviewing
//! departments, on/off) and its change history. A district admin clones a pack for a township
//! (or the district), switches rules on and off, switches a rule between HARD and WARN, sets
//! its lookback and its parameters; each change is checked by the domain (`RulePack::apply`)
//! before it is written as an event, so a refused change says why and writes nothing.

use cunju_domain::authz::{self, Action};
use cunju_domain::eligibility::events::{PackChanged, PackCloned};
use cunju_domain::eligibility::ledger::PackHistoryEntry;
use cunju_domain::eligibility::{PackChange, Rule, RuleKind, RulePack};
use cunju_domain::event::{EntityKind, EventBody, UnitKind};
use cunju_domain::ids::{EntityId, UnitId};
use cunju_domain::sync::Profile;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::data;
use crate::components::require_login::RequireLogin;
use crate::i18n::eligibility::EligibilityMsg as E;
use crate::i18n::{I18n, Lang, Msg, use_i18n};
use crate::store;
use crate::sync::{SyncState, use_sync};

#[component]
pub fn Packs() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page-head">
            <a href="/eligibility" class="back">{move || i18n.t(E::BackToBatches)}</a>
            <h1>{move || i18n.t(E::Packs)}</h1>
            <p class="muted">{move || i18n.t(E::PacksIntro)}</p>
        </section>
        <RequireLogin render=|profile| view! { <PackList profile/> }.into_any()/>
    }
}

/// A pack on the screen: the built-in default (`entity` None) or a cloned one.
#[derive(Clone)]
struct Shown {
    entity: Option<EntityId>,
    unit: Option<UnitId>,
    pack: RulePack,
    source: Option<(String, u32)>,
    history: Vec<PackHistoryEntry>,
}

#[component]
fn PackList(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    if !authz::permits(profile.role, Action::ReadRulePack) {
        return view! { <p class="notice" data-testid="not-permitted">{move || i18n.t(E::NotPermitted)}</p> }.into_any();
    }
    let scope = profile.scope.clone();
    let loaded = LocalResource::new(move || {
        let _ = sync.revision.get();
        let scope = scope.clone();
        async move {
            let store = store::shared().await?;
            let mut shown = vec![Shown {
                entity: None,
                unit: None,
                pack: RulePack::cq_candidate_2021(),
                source: None,
                history: Vec::new(),
            }];
            for (id, unit, ledger) in data::packs(&store, &scope).await? {
                if let Some(pack) = ledger.pack {
                    shown.push(Shown {
                        entity: Some(id),
                        unit: Some(unit),
                        pack,
                        source: ledger.source,
                        history: ledger.history,
                    });
                }
            }
            Ok::<_, store::StoreError>(shown)
        }
    });
    let picked = RwSignal::new(0usize);
    let editor = authz::permits(profile.role, Action::EditRulePack);
    let profile = StoredValue::new(profile);
    view! {
        <Suspense fallback=move || view! { <p class="muted">{move || i18n.t(Msg::Loading)}</p> }>
            {move || loaded.get().map(|r| match r {
                Err(e) => view! { <p class="form-error" role="alert">{e.message(i18n.lang())}</p> }.into_any(),
                Ok(shown) => {
                    let chosen = shown.get(picked.get_untracked()).cloned().unwrap_or_else(|| shown[0].clone());
                    view! {
                        <ul class="record-list" data-testid="pack-list">
                            {shown.iter().enumerate().map(|(i, s)| {
                                let unit_name = s.unit.as_ref().map(|u| sync.units.with_untracked(|all| data::unit_name(all, u)));
                                let label = format!("{} v{}", s.pack.id, s.pack.version);
                                view! {
                                    <li class="record-row" data-testid="pack-row" data-pack=s.pack.id.clone()>
                                        <button type="button" class:secondary=move || picked.get() != i data-testid="pack-pick"
                                            on:click=move |_| picked.set(i)>{label}</button>
                                        <span class="record-sub">{match unit_name {
                                            Some(n) => n,
                                            None => i18n.t(E::BuiltIn).to_string(),
                                        }}</span>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        {move || {
                            let s = shown.get(picked.get()).cloned().unwrap_or_else(|| chosen.clone());
                            view! { <PackView shown=s editor profile=profile.get_value()/> }
                        }}
                    }.into_any()
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn PackView(shown: Shown, editor: bool, profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let error = RwSignal::new(None::<String>);
    let editable = editor && shown.entity.is_some();
    let ctx = StoredValue::new(PackCtx {
        shown: shown.clone(),
        profile: profile.clone(),
        error,
        sync,
        i18n,
    });
    let header = format!("{} v{}", shown.pack.id, shown.pack.version);
    let source = shown.source.clone().map(|(id, v)| format!("{id} v{v}"));
    view! {
        <section class="card" data-testid="pack-view" data-pack=shown.pack.id.clone() data-version=shown.pack.version.to_string()>
            <h2>{header}</h2>
            {source.map(|s| view! { <p class="muted">{move || i18n.t(E::ClonedFrom)}" "{s.clone()}</p> })}
            {(!editable).then(|| view! { <p class="muted" data-testid="pack-read-only">{move || i18n.t(E::PackReadOnly)}</p> })}
            {move || error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="pack-error">{e}</p> })}
            {editor.then(|| view! { <CloneForm source=shown.pack.clone() profile=profile.clone()/> })}
        </section>
        <div class="table-scroll">
            <table class="data-table" data-testid="pack-rules">
                <thead><tr>
                    <th>{move || i18n.t(E::Rule)}</th>
                    <th>{move || i18n.t(E::Kind)}</th>
                    <th>{move || i18n.t(E::Lookback)}</th>
                    <th>{move || i18n.t(E::Department)}</th>
                    <th>{move || i18n.t(E::Enabled)}</th>
                </tr></thead>
                <tbody>
                    {shown.pack.rules.iter().cloned().map(|rule| view! { <RuleLine rule editable ctx/> }).collect_view()}
                </tbody>
            </table>
        </div>
        {(!shown.history.is_empty()).then(|| view! {
            <h2>{move || i18n.t(E::History)}</h2>
            <ul class="record-list" data-testid="pack-history">
                {shown.history.iter().map(|h| {
                    let when = chrono::DateTime::from_timestamp_millis(h.at_ms as i64)
                        .map(|t| t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M").to_string())
                        .unwrap_or_default();
                    let refused = h.refused.clone();
                    view! {
                        <li class="record-row" data-testid="pack-history-row">
                            <span class="record-main">{format!("v{}", h.version)}" · "{when}</span>
                            {refused.map(|r| view! { <span class="record-sub form-error">{move || i18n.t(E::ChangeRefused)}" "{r.clone()}</span> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        })}
    }
}

/// What a rule line needs to write a change.
#[derive(Clone)]
struct PackCtx {
    shown: Shown,
    profile: Profile,
    error: RwSignal<Option<String>>,
    sync: SyncState,
    i18n: I18n,
}

impl PackCtx {
    /// Checks `change` with the domain against the pack as shown and writes it; `false` if
    /// the domain refused it (the reason is shown).
    fn change(&self, change: PackChange) -> bool {
        let lang = self.i18n.lang();
        let (Some(entity), Some(unit)) = (self.shown.entity.clone(), self.shown.unit.clone())
        else {
            return false;
        };
        if let Err(e) = self.shown.pack.apply(std::slice::from_ref(&change)) {
            self.error.set(Some(match lang {
                Lang::Zh => e.message_zh(),
                Lang::En => e.to_string(),
            }));
            return false;
        }
        let body = EventBody::RulePackChanged(PackChanged {
            base_version: self.shown.pack.version,
            changes: vec![change],
        });
        let (profile, error, sync) = (self.profile.clone(), self.error, self.sync);
        spawn_local(async move {
            match data::append(&profile, &unit, &entity, body, lang).await {
                Ok(_) => {
                    error.set(None);
                    sync.after_local_change();
                }
                Err(e) => error.set(Some(e)),
            }
        });
        true
    }
}

#[component]
fn RuleLine(rule: Rule, editable: bool, ctx: StoredValue<PackCtx>) -> impl IntoView {
    let i18n = use_i18n();
    let id = rule.id.clone();
    let lookback = RwSignal::new(
        rule.lookback_years
            .map(|y| y.to_string())
            .unwrap_or_default(),
    );
    let kind = rule.kind;
    let departments: Vec<_> = rule.departments.clone();
    let (zh, en) = (rule.zh.clone(), rule.en.clone());
    let toggle = {
        let id = id.clone();
        let enabled = rule.enabled;
        move |ev: leptos::ev::Event| {
            let written = ctx.with_value(|c| {
                c.change(PackChange::SetEnabled {
                    rule: id.clone(),
                    enabled: !enabled,
                })
            });
            if !written {
                // Refused: the box shows the rule as it still is.
                event_target::<web_sys::HtmlInputElement>(&ev).set_checked(enabled);
            }
        }
    };
    let set_kind = {
        let id = id.clone();
        move |ev: leptos::ev::Event| {
            let kind = if event_target_value(&ev) == "WARN" {
                RuleKind::Warn
            } else {
                RuleKind::Hard
            };
            ctx.with_value(|c| {
                let _refused_shows_why = c.change(PackChange::SetKind {
                    rule: id.clone(),
                    kind,
                });
            })
        }
    };
    let save_lookback = {
        let id = id.clone();
        move |_| {
            let text = lookback.get_untracked();
            let years = if text.trim().is_empty() {
                None
            } else {
                match text.trim().parse::<u8>() {
                    Ok(y) => Some(y),
                    Err(_) => {
                        ctx.with_value(|c| c.error.set(Some(i18n.t(E::BadLookback).into())));
                        return;
                    }
                }
            };
            ctx.with_value(|c| {
                let _refused_shows_why = c.change(PackChange::SetLookback {
                    rule: id.clone(),
                    lookback_years: years,
                });
            })
        }
    };
    let post = kind == RuleKind::Post;
    let params: Vec<_> = rule
        .params
        .iter()
        .map(|(key, value)| view! { <Param rule=id.clone() key=key.clone() value=value.clone() editable ctx/> })
        .collect();
    view! {
        <tr data-testid="pack-rule" data-rule=id.to_string() data-enabled=rule.enabled.to_string() data-kind=format!("{kind:?}")
            data-lookback=rule.lookback_years.map(|y| y.to_string()).unwrap_or_default()>
            <td>{id.to_string()}" "{move || if i18n.lang() == Lang::Zh { zh.clone() } else { en.clone() }}{params}</td>
            <td>{if editable && !post {
                view! {
                    <select data-testid="pack-rule-kind" on:change=set_kind>
                        <option value="HARD" selected={kind == RuleKind::Hard}>{move || data::kind_label(RuleKind::Hard, i18n.lang())}</option>
                        <option value="WARN" selected={kind == RuleKind::Warn}>{move || data::kind_label(RuleKind::Warn, i18n.lang())}</option>
                    </select>
                }.into_any()
            } else {
                view! { <span>{move || data::kind_label(kind, i18n.lang())}</span> }.into_any()
            }}</td>
            <td>{if editable && !post {
                view! {
                    <span class="inline-form">
                        <input inputmode="numeric" size="3" data-testid="pack-rule-lookback" prop:value=move || lookback.get()
                            placeholder=move || i18n.t(E::Permanent)
                            on:input=move |ev| lookback.set(event_target_value(&ev))/>
                        <button type="button" class="secondary" data-testid="pack-rule-lookback-save" on:click=save_lookback>{move || i18n.t(E::Save)}</button>
                    </span>
                }.into_any()
            } else {
                let text = rule.lookback_years.map(|y| y.to_string());
                view! { <span>{move || text.clone().unwrap_or_else(|| if post { String::new() } else { i18n.t(E::Permanent).to_string() })}</span> }.into_any()
            }}</td>
            <td>{move || departments.iter().map(|d| data::department_label(*d, i18n.lang())).collect::<Vec<_>>().join("、")}</td>
            <td>{if editable {
                view! { <input type="checkbox" data-testid="pack-rule-enabled" prop:checked=rule.enabled on:change=toggle/> }.into_any()
            } else {
                view! { <span>{move || if rule.enabled { i18n.t(E::On) } else { i18n.t(E::Off) }}</span> }.into_any()
            }}</td>
        </tr>
    }
}

/// One parameter of a rule (e.g. N01 `intentional_only`): shown, and on a cloned pack set
/// (`PackChange::SetParam`).
#[component]
fn Param(
    rule: cunju_domain::eligibility::RuleId,
    key: String,
    value: String,
    editable: bool,
    ctx: StoredValue<PackCtx>,
) -> impl IntoView {
    let i18n = use_i18n();
    let label = key.clone();
    if !editable {
        return view! { <span class="record-sub" data-testid="pack-rule-param" data-key=key>{label}": "{value}</span> }.into_any();
    }
    let text = RwSignal::new(value);
    let save = {
        let key = key.clone();
        move |_| {
            ctx.with_value(|c| {
                let _refused_shows_why = c.change(PackChange::SetParam {
                    rule: rule.clone(),
                    key: key.clone(),
                    value: text.get_untracked().trim().to_string(),
                });
            })
        }
    };
    view! {
        <span class="inline-form" data-testid="pack-rule-param" data-key=key>
            <label>{label}" "
                <input data-testid="pack-rule-param-value" prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))/></label>
            <button type="button" class="secondary" data-testid="pack-rule-param-save" on:click=save>{move || i18n.t(E::Save)}</button>
        </span>
    }
    .into_any()
}

/// 复制规则包: a copy of the pack shown under a new id, recorded for one township (whose
/// devices then receive it) or for the district.
#[component]
fn CloneForm(source: RulePack, profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    // The admin's own unit is always offered; its townships once the unit tree has arrived.
    let scope = profile.scope.clone();
    let units = Memo::new(move |_| {
        sync.units.with(|all| {
            let mut list: Vec<(UnitId, String)> = all
                .iter()
                .filter(|u| u.code.is_within(&scope))
                .filter(|u| {
                    u.code == scope || matches!(u.kind, UnitKind::Township | UnitKind::Street)
                })
                .map(|u| (u.code.clone(), u.name.clone()))
                .collect();
            if !list.iter().any(|(code, _)| code == &scope) {
                list.insert(0, (scope.clone(), scope.to_string()));
            }
            list
        })
    });
    let new_id = RwSignal::new(String::new());
    let unit = RwSignal::new(String::new());
    Effect::new(move |_| {
        if unit.get_untracked().is_empty()
            && let Some(first) = units.with(|u| u.first().map(|u| u.0.to_string()))
        {
            unit.set(first);
        }
    });
    let error = RwSignal::new(None::<String>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let lang = i18n.lang();
        let pack = match source.clone_as(&new_id.get_untracked()) {
            Ok(p) => p,
            Err(e) => {
                error.set(Some(match lang {
                    Lang::Zh => e.message_zh(),
                    Lang::En => e.to_string(),
                }));
                return;
            }
        };
        let Ok(unit) = unit.get_untracked().parse::<UnitId>() else {
            return;
        };
        let body = EventBody::RulePackCloned(PackCloned {
            pack,
            source_id: source.id.clone(),
            source_version: source.version,
        });
        let profile = profile.clone();
        spawn_local(async move {
            let id = data::new_id(EntityKind::RulePack);
            match data::append(&profile, &unit, &id, body, lang).await {
                Ok(_) => {
                    error.set(None);
                    new_id.set(String::new());
                    sync.after_local_change();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form class="inline-form" on:submit=save data-testid="pack-clone">
            <label class="field"><span>{move || i18n.t(E::NewPackId)}</span>
                <input data-testid="pack-clone-id" prop:value=move || new_id.get() on:input=move |ev| new_id.set(event_target_value(&ev))/></label>
            <label class="field"><span>{move || i18n.t(E::PackFor)}</span>
                <select data-testid="pack-clone-unit" prop:value=move || unit.get() on:change=move |ev| unit.set(event_target_value(&ev))>
                    {move || units.get().into_iter().map(|(code, name)| view! { <option value=code.to_string()>{name}</option> }).collect_view()}
                </select></label>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="pack-clone-error">{e}</p> })}
            <button type="submit" data-testid="pack-clone-save">{move || i18n.t(E::Clone)}</button>
        </form>
    }
}
