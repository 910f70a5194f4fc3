//! `/eligibility/new` — the township compiles a review batch (汇总初步候选人): the village or
//! community, the committee, the rule pack, election day and the formal list's publication
//! day, seats and margin, and the preliminary candidates in nomination-vote order — imported
//! from that unit's election roll when it has one, or picked from the directory. The domain
//! (`compile_batch`) takes the pack's rules in force and refuses bad input with the reason.

use std::sync::Arc;

use chrono::NaiveDate;
use cunju_domain::authz::{self, Action};
use cunju_domain::election::roll::from_doc;
use cunju_domain::eligibility::events::Nominee;
use cunju_domain::eligibility::pack::RulePack;
use cunju_domain::eligibility::{compile_batch, from_roll};
use cunju_domain::event::{EntityKind, EventBody, UnitKind};
use cunju_domain::ids::UnitId;
use cunju_domain::sync::Profile;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use super::data;
use crate::components::people_index::{PeopleIndex, SearchOutcome, shared_index};
use crate::components::require_login::RequireLogin;
use crate::i18n::eligibility::EligibilityMsg as E;
use crate::i18n::{Msg, use_i18n};
use crate::pages::elections_roll::candidates::post_label;
use crate::store;
use crate::sync::use_sync;

#[component]
pub fn BatchNew() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page-head">
            <a href="/eligibility" class="back">{move || i18n.t(E::BackToBatches)}</a>
            <h1>{move || i18n.t(E::NewBatch)}</h1>
        </section>
        <RequireLogin render=|profile| view! { <BatchForm profile/> }.into_any()/>
    }
}

/// A pack the form offers: the built-in default, or a cloned one on this device.
#[derive(Clone)]
struct PackChoice {
    label: String,
    pack: RulePack,
}

#[component]
fn BatchForm(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let navigate = use_navigate();
    if !authz::permits(profile.role, Action::CompileReviewBatch) {
        return view! { <p class="notice" data-testid="not-permitted">{move || i18n.t(E::NotPermitted)}</p> }.into_any();
    }
    // The unit tree may still be arriving (first sync): the choice follows it.
    let scope = profile.scope.clone();
    let units = Memo::new(move |_| {
        sync.units.with(|all| {
            all.iter()
                .filter(|u| matches!(u.kind, UnitKind::Village | UnitKind::Community))
                .filter(|u| u.code.is_within(&scope))
                .map(|u| (u.code.clone(), u.name.clone()))
                .collect::<Vec<(UnitId, String)>>()
        })
    });
    let unit = RwSignal::new(String::new());
    Effect::new(move |_| {
        if unit.get_untracked().is_empty()
            && let Some(first) = units.with(|u| u.first().map(|u| u.0.to_string()))
        {
            unit.set(first);
        }
    });
    let committee = RwSignal::new(0usize);
    let pack_pick = RwSignal::new(0usize);
    let election_day = RwSignal::new(String::new());
    let list_day = RwSignal::new(String::new());
    let seats = RwSignal::new("1".to_string());
    let margin = RwSignal::new("1".to_string());
    let nominees = RwSignal::new(Vec::<Nominee>::new());
    let query = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);

    let scope = profile.scope.clone();
    let packs = LocalResource::new(move || {
        let scope = scope.clone();
        async move {
            let store = store::shared().await?;
            let mut choices = vec![];
            for (_, _, ledger) in data::packs(&store, &scope).await? {
                if let Some(pack) = ledger.pack {
                    choices.push(PackChoice {
                        label: format!("{} v{}", pack.id, pack.version),
                        pack,
                    });
                }
            }
            let default = RulePack::cq_candidate_2021();
            choices.push(PackChoice {
                label: format!("{} v{}", default.id, default.version),
                pack: default,
            });
            Ok::<_, store::StoreError>(choices)
        }
    });
    // The people of the chosen unit, and its election rolls.
    let unit_data = LocalResource::new(move || {
        let code = unit.get();
        let revision = sync.revision.get();
        async move {
            let Ok(code) = code.parse::<UnitId>() else {
                return Ok(None);
            };
            let store = store::shared().await?;
            let index = shared_index(&store, &code, revision).await?;
            let rolls: Vec<_> = store
                .query(EntityKind::ElectionRoll, &code)
                .await?
                .into_iter()
                .filter_map(|s| from_doc(&s.doc))
                .collect();
            Ok::<_, store::StoreError>(Some((index, rolls)))
        }
    });

    let add = move |n: Nominee| {
        nominees.update(|list| {
            if !list.iter().any(|m| m.person == n.person) {
                list.push(n);
            }
        });
    };
    let profile = StoredValue::new(profile);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if saving.get_untracked() {
            return;
        }
        let lang = i18n.lang();
        let Ok(unit_id) = unit.get_untracked().parse::<UnitId>() else {
            error.set(Some(E::PickUnit.text(lang).into()));
            return;
        };
        let (Some(e_day), Some(l_day)) = (
            parse_day(&election_day.get_untracked()),
            parse_day(&list_day.get_untracked()),
        ) else {
            error.set(Some(E::BadDate.text(lang).into()));
            return;
        };
        let (Ok(seats), Ok(margin)) = (
            seats.get_untracked().trim().parse::<u8>(),
            margin.get_untracked().trim().parse::<u8>(),
        ) else {
            error.set(Some(E::BadNumber.text(lang).into()));
            return;
        };
        let Some(Ok(choices)) = packs.get_untracked() else {
            return;
        };
        let Some(choice) = choices.get(pack_pick.get_untracked()) else {
            return;
        };
        let compiled = match compile_batch(
            &choice.pack,
            data::COMMITTEES[committee.get_untracked()],
            e_day,
            l_day,
            seats,
            margin,
            nominees.get_untracked(),
        ) {
            Ok(c) => c,
            Err(e) => {
                error.set(Some(match lang {
                    crate::i18n::Lang::Zh => e.message_zh(),
                    crate::i18n::Lang::En => e.to_string(),
                }));
                return;
            }
        };
        let id = data::new_id(EntityKind::ReviewBatch);
        let profile = profile.get_value();
        let navigate = navigate.clone();
        saving.set(true);
        spawn_local(async move {
            let result = data::append(
                &profile,
                &unit_id,
                &id,
                EventBody::ReviewBatchCompiled(compiled),
                lang,
            )
            .await;
            saving.set(false);
            match result {
                Ok(_) => {
                    sync.after_local_change();
                    navigate(&format!("/eligibility/batches/{id}"), Default::default());
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let import =
        move |committee_ix: usize, day: Option<NaiveDate>, seat_count: u32, list: Vec<Nominee>| {
            committee.set(committee_ix);
            if let Some(d) = day {
                election_day.set(d.to_string());
            }
            seats.set(seat_count.max(1).to_string());
            nominees.set(list);
        };

    view! {
        <form class="form" on:submit=save data-testid="batch-form">
            <label class="field"><span>{move || i18n.t(E::Unit)}</span>
                <select data-testid="batch-unit" prop:value=move || unit.get()
                    on:change=move |ev| { unit.set(event_target_value(&ev)); nominees.set(Vec::new()); }>
                    {move || units.get().into_iter().map(|(code, name)| view! { <option value=code.to_string()>{name}" ("{code.to_string()}")"</option> }).collect_view()}
                </select>
            </label>
            <label class="field"><span>{move || i18n.t(E::Committee)}</span>
                <select data-testid="batch-committee" prop:value=move || committee.get().to_string()
                    on:change=move |ev| committee.set(event_target_value(&ev).parse().unwrap_or(0))>
                    {data::COMMITTEES.iter().enumerate().map(|(i, c)| {
                        let c = *c;
                        view! { <option value=i.to_string()>{move || data::committee_label(c, i18n.lang())}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label class="field"><span>{move || i18n.t(E::Pack)}</span>
                <select data-testid="batch-pack" on:change=move |ev| pack_pick.set(event_target_value(&ev).parse().unwrap_or(0))>
                    {move || packs.get().and_then(Result::ok).map(|choices| choices.into_iter().enumerate().map(|(i, c)| view! {
                        <option value=i.to_string()>{c.label}</option>
                    }).collect_view())}
                </select>
            </label>
            <label class="field"><span>{move || i18n.t(E::ElectionDay)}</span>
                <input type="date" data-testid="batch-election-day" prop:value=move || election_day.get()
                    on:input=move |ev| election_day.set(event_target_value(&ev))/></label>
            <label class="field"><span>{move || i18n.t(E::FormalListDay)}</span>
                <input type="date" data-testid="batch-list-day" prop:value=move || list_day.get()
                    on:input=move |ev| list_day.set(event_target_value(&ev))/></label>
            <label class="field"><span>{move || i18n.t(E::Seats)}</span>
                <input inputmode="numeric" data-testid="batch-seats" prop:value=move || seats.get()
                    on:input=move |ev| seats.set(event_target_value(&ev))/></label>
            <label class="field"><span>{move || i18n.t(E::Margin)}</span>
                <input inputmode="numeric" data-testid="batch-margin" prop:value=move || margin.get()
                    on:input=move |ev| margin.set(event_target_value(&ev))/></label>

            <h2>{move || i18n.t(E::Nominees)}</h2>
            <p class="muted">{move || i18n.t(E::NomineesHint)}</p>
            <ol class="record-list" data-testid="batch-nominees">
                {move || nominees.get().into_iter().enumerate().map(|(i, n)| {
                    let person = n.person.clone();
                    view! {
                        <li class="record-row" data-testid="batch-nominee">
                            <span class="record-main">{i + 1}". "{n.name.clone()}</span>
                            <span class="row-actions">
                                {(i > 0).then(|| view! {
                                    <button type="button" class="secondary" on:click=move |_| nominees.update(|l| l.swap(i - 1, i))>{move || i18n.t(E::MoveUp)}</button>
                                })}
                                <button type="button" class="secondary" data-testid="batch-nominee-remove"
                                    on:click=move |_| nominees.update(|l| l.retain(|m| m.person != person))>{move || i18n.t(E::Remove)}</button>
                            </span>
                        </li>
                    }
                }).collect_view()}
            </ol>
            <Suspense fallback=move || view! { <p class="muted">{move || i18n.t(Msg::Loading)}</p> }>
                {move || unit_data.get().map(|r| match r {
                    Err(e) => view! { <p class="form-error" role="alert">{e.message(i18n.lang())}</p> }.into_any(),
                    Ok(None) => ().into_any(),
                    Ok(Some((index, rolls))) => view! {
                        <RollImport rolls import/>
                        <PersonPicker index query add/>
                    }.into_any(),
                })}
            </Suspense>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="batch-error">{e}</p> })}
            <button type="submit" data-testid="batch-save" disabled=move || saving.get()>{move || i18n.t(E::Compile)}</button>
        </form>
    }
    .into_any()
}

/// One button per post of each election roll of the unit: fills the committee, election day,
/// seats and nominees from its preliminary candidates.
#[component]
fn RollImport(
    rolls: Vec<cunju_domain::election::roll::RollView>,
    import: impl Fn(usize, Option<NaiveDate>, u32, Vec<Nominee>) + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let warning = RwSignal::new(None::<String>);
    let buttons: Vec<_> = rolls
        .iter()
        .flat_map(|view| {
            view.posts()
                .into_iter()
                .filter_map(|post| from_roll(view, post).map(|f| (post, f)))
                .collect::<Vec<_>>()
        })
        .collect();
    if buttons.is_empty() {
        return ().into_any();
    }
    view! {
        <div class="toolbar" data-testid="roll-import">
            {buttons.into_iter().map(|(post, f)| {
                let import = import.clone();
                let committee_ix = data::COMMITTEES.iter().position(|c| *c == f.committee).unwrap_or(0);
                let on_click = move |_| {
                    warning.set((!f.unlinked.is_empty()).then(|| f.unlinked.join("、")));
                    import(committee_ix, f.election_day, f.seats, f.nominees.clone());
                };
                view! {
                    <button type="button" class="secondary" data-testid="roll-import-post" on:click=on_click>
                        {move || i18n.t(E::ImportFromElection)}" · "{move || post_label(post, i18n.lang())}
                    </button>
                }
            }).collect_view()}
            {move || warning.get().map(|names| view! {
                <p class="notice" data-testid="roll-import-unlinked">{move || i18n.t(E::ImportUnlinked)}" "{names.clone()}</p>
            })}
        </div>
    }
    .into_any()
}

/// Search the unit's directory by name or the last digits of the ID number; tap to add.
#[component]
fn PersonPicker(
    index: Arc<PeopleIndex>,
    query: RwSignal<String>,
    add: impl Fn(Nominee) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let index = StoredValue::new(index);
    let hits = move || {
        let q = query.get();
        if q.trim().is_empty() {
            return Err(None);
        }
        index.with_value(|index| match index.search(&q, 8) {
            SearchOutcome::TooFewDigits => Err(Some(Msg::PeopleSearchMoreDigits)),
            SearchOutcome::Found { hits, .. } if hits.is_empty() => Err(Some(Msg::PeopleNoMatch)),
            SearchOutcome::Found { hits, .. } => Ok(hits
                .into_iter()
                .map(|pos| {
                    let e = index.entry(pos);
                    (
                        e.id.clone(),
                        e.name.clone(),
                        cunju_domain::directory::person::mask_id_number(&e.id_number),
                    )
                })
                .collect::<Vec<_>>()),
        })
    };
    view! {
        <label class="field"><span>{move || i18n.t(E::PickPerson)}</span>
            <input type="search" data-testid="batch-person-search" autocomplete="off" prop:value=move || query.get()
                on:input=move |ev| query.set(event_target_value(&ev))/></label>
        {move || match hits() {
            Err(None) => ().into_any(),
            Err(Some(msg)) => view! { <p class="muted">{move || i18n.t(msg)}</p> }.into_any(),
            Ok(list) => view! {
                <ul class="record-list" data-testid="batch-person-hits">
                    {list.into_iter().map(|(person, name, masked)| {
                        let nominee = Nominee { person, name: name.clone() };
                        view! {
                            <li class="record-row">
                                <button type="button" class="secondary" data-testid="batch-person-add"
                                    on:click=move |_| { add(nominee.clone()); query.set(String::new()); }>
                                    {name}" "<span class="muted">{masked}</span>" ＋"
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any(),
        }}
    }
}

fn parse_day(text: &str) -> Option<NaiveDate> {
    text.trim().parse().ok()
}
