//! `/elections/:x/voters` — 选民登记: opens the roll if it is not open yet (unit from the
//! user's scope, committee type, posts and seats), then the voter list with its count, adding
//! one voter, importing a CSV (every bad row listed by line, nothing imported from a bad file)
//! and publishing the list with its count and date.

use cunju_domain::directory::person::mask_id_number;
use cunju_domain::directory::units::RowError;
use cunju_domain::election::ElectionType;
use cunju_domain::election::roll::{
    RollEvent, RollPlan, RollView, VoterCategory, parse_voter, plan_voter_import,
};
use cunju_domain::election::tally::{PostTitle, Seats};
use cunju_domain::election::template::{ElectoralMode, RulePackVersion, pack_in_force};
use cunju_domain::event::UnitKind;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use wasm_bindgen::JsCast;

use super::objections::Objections;
use super::{RollCtx, RollPage, Tab, parse_count, parse_day, refuse, submit, today};
use crate::components::file_io::{decode_text, read_chosen_file};
use crate::i18n::Lang;
use crate::i18n::elections_roll::RollMsg;
use crate::pages::units::load_units;
use crate::store;

#[component]
pub fn Voters() -> impl IntoView {
    view! { <RollPage tab=Tab::Voters render=|ctx| view! { <VotersTab ctx/> }.into_any()/> }
}

#[component]
fn VotersTab(ctx: RollCtx) -> impl IntoView {
    match ctx.view.clone() {
        None => view! { <OpenRoll ctx/> }.into_any(),
        Some(view) => view! {
            <Summary ctx=ctx.clone() view=view.clone()/>
            <AddVoter ctx=ctx.clone() view=view.clone()/>
            <Import ctx=ctx.clone() view=view.clone()/>
            <VoterList view=view.clone()/>
            <Objections ctx=ctx.clone() view/>
        }
        .into_any(),
    }
}

/// The form that opens the roll: the plan as far as registration and tally need it.
#[component]
fn OpenRoll(ctx: RollCtx) -> impl IntoView {
    let i18n = ctx.i18n;
    let scope = ctx.profile.scope.clone();
    let sync_units = ctx.sync.units;
    let units = LocalResource::new(move || {
        let scope = scope.clone();
        let known = sync_units.get();
        async move {
            let store = store::shared().await?;
            let mut units = load_units(&store, &scope).await?;
            for u in known {
                if u.code.is_within(&scope) && !units.iter().any(|k| k.code == u.code) {
                    units.push(u);
                }
            }
            units.retain(|u| matches!(u.kind, UnitKind::Village | UnitKind::Community));
            units.sort_by(|a, b| a.code.cmp(&b.code));
            Ok::<_, store::StoreError>(units)
        }
    });
    let unit = RwSignal::new(String::new());
    let mode = RwSignal::new("direct".to_string());
    let vice = RwSignal::new("0".to_string());
    let members = RwSignal::new("2".to_string());
    let women = RwSignal::new("0".to_string());
    let proxy_max = RwSignal::new("3".to_string());
    let e_day = RwSignal::new(String::new());
    let multi_ethnic = RwSignal::new(false);
    let ctx2 = ctx.clone();
    let open = move |_| {
        let lang = i18n.lang();
        let Some(units) = units.get_untracked().and_then(Result::ok) else {
            return;
        };
        let Some(u) = units
            .iter()
            .find(|u| u.code.as_str() == unit.get_untracked())
        else {
            return refuse(&ctx2, RollMsg::ChooseUnit.text(lang).into());
        };
        let committee = if u.kind == UnitKind::Village {
            ElectionType::Village
        } else {
            ElectionType::Resident
        };
        let counts = (
            parse_count(&vice.get_untracked()),
            parse_count(&members.get_untracked()),
            parse_count(&women.get_untracked()),
            parse_count(&proxy_max.get_untracked()),
        );
        let (Some(vice), Some(members), Some(women), Some(proxy_max)) = counts else {
            return refuse(&ctx2, RollMsg::BadNumber.text(lang).into());
        };
        let e_text = e_day.get_untracked();
        let election_day = parse_day(&e_text);
        if !e_text.trim().is_empty() && election_day.is_none() {
            return refuse(&ctx2, RollMsg::BadDate.text(lang).into());
        }
        let pack = pack_in_force(committee, election_day.unwrap_or_else(today)).unwrap_or(
            match committee {
                ElectionType::Village => RulePackVersion::CqVc2025,
                ElectionType::Resident => RulePackVersion::CqRc2025,
            },
        );
        let mode = match mode.get_untracked().as_str() {
            "household" => ElectoralMode::Household,
            "group_reps" => ElectoralMode::GroupReps,
            _ => ElectoralMode::Direct,
        };
        let seats = [
            (PostTitle::Chair, 1),
            (PostTitle::ViceChair, vice),
            (PostTitle::WomenMember, women),
            (PostTitle::Member, members),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(post, count)| Seats { post, count })
        .collect();
        let plan = RollPlan {
            unit: u.code.clone(),
            committee,
            mode,
            pack,
            seats,
            proxy_max_principals: proxy_max,
            multi_ethnic: multi_ethnic.get_untracked(),
            election_day,
        };
        submit(&ctx2, RollEvent::Opened { plan }, RollMsg::Opened, || ());
    };
    let num = move |label: RollMsg, signal: RwSignal<String>, testid: &'static str| {
        view! {
            <label class="field">
                <span>{move || i18n.t(label)}</span>
                <input type="number" min="0" inputmode="numeric" data-testid=testid
                    prop:value=move || signal.get() on:input=move |ev| signal.set(event_target_value(&ev))/>
            </label>
        }
    };
    view! {
        <form class="card form" data-testid="roll-open-form" on:submit=|ev| ev.prevent_default()>
            <h2>{move || i18n.t(RollMsg::OpenTitle)}</h2>
            <p class="muted">{move || i18n.t(RollMsg::OpenIntro)}</p>
            <label class="field">
                <span>{move || i18n.t(RollMsg::Unit)}</span>
                <select data-testid="roll-open-unit" on:change=move |ev| unit.set(event_target_value(&ev))>
                    <option value="">{move || i18n.t(RollMsg::ChooseUnit)}</option>
                    {move || units.get().and_then(Result::ok).map(|units| units.into_iter().map(|u| {
                        let code = u.code.to_string();
                        view! { <option value=code.clone()>{format!("{} {}", u.name, code)}</option> }
                    }).collect_view())}
                </select>
            </label>
            <label class="field">
                <span>{move || i18n.t(RollMsg::Mode)}</span>
                <select data-testid="roll-open-mode" on:change=move |ev| mode.set(event_target_value(&ev))>
                    <option value="direct">{move || i18n.t(RollMsg::ModeDirect)}</option>
                    <option value="household">{move || i18n.t(RollMsg::ModeHousehold)}</option>
                    <option value="group_reps">{move || i18n.t(RollMsg::ModeGroupReps)}</option>
                </select>
                <small class="hint">{move || i18n.t(RollMsg::ModeHint)}</small>
            </label>
            <p class="muted">{move || i18n.t(RollMsg::ChairOne)}</p>
            {num(RollMsg::SeatsVice, vice, "roll-open-vice")}
            {num(RollMsg::SeatsMember, members, "roll-open-members")}
            {num(RollMsg::SeatsWomen, women, "roll-open-women")}
            {num(RollMsg::ProxyMax, proxy_max, "roll-open-proxy-max")}
            <label class="field">
                <span>{move || i18n.t(RollMsg::ElectionDay)}</span>
                <input type="date" data-testid="roll-open-e" prop:value=move || e_day.get()
                    on:input=move |ev| e_day.set(event_target_value(&ev))/>
            </label>
            <label class="check">
                <input type="checkbox" prop:checked=move || multi_ethnic.get()
                    on:change=move |ev| multi_ethnic.set(event_target_checked(&ev))/>
                {move || i18n.t(RollMsg::MultiEthnic)}
            </label>
            <button type="button" class="wide" data-testid="roll-open-submit" on:click=open>
                {move || i18n.t(RollMsg::OpenSubmit)}
            </button>
        </form>
    }
}

/// Count, publication and the way to the printable list.
#[component]
fn Summary(ctx: RollCtx, view: RollView) -> impl IntoView {
    let i18n = ctx.i18n;
    let count = view.voters.len() as u32;
    let published = view.published().copied();
    let unit = view.unit().map(|u| u.to_string()).unwrap_or_default();
    let on = RwSignal::new(today().to_string());
    let x = ctx.x.clone();
    let publish = move |_| {
        let Some(day) = parse_day(&on.get_untracked()) else {
            return refuse(&ctx, RollMsg::BadDate.text(i18n.lang()).into());
        };
        submit(
            &ctx,
            RollEvent::ListPublished { on: day, count },
            RollMsg::Published,
            || (),
        );
    };
    view! {
        <section class="card roll-summary">
            <p>{move || i18n.t(RollMsg::Unit)}" "<strong>{unit.clone()}</strong></p>
            <p data-testid="roll-voter-count" data-count=count>
                {move || i18n.t(RollMsg::VoterCount)}" "<strong>{count}</strong>
            </p>
            {match published {
                Some(p) => view! {
                    <p data-testid="roll-published" data-count=p.count data-on=p.on.to_string()>
                        {move || i18n.t(RollMsg::PublishedOn)}" "{p.on.to_string()}" · "
                        {move || i18n.t(RollMsg::PublishedCount)}" "{p.count}
                    </p>
                }.into_any(),
                None => view! { <p class="muted">{move || i18n.t(RollMsg::NotPublished)}</p> }.into_any(),
            }}
            <div class="toolbar">
                <input type="date" data-testid="roll-publish-on" prop:value=move || on.get()
                    on:input=move |ev| on.set(event_target_value(&ev))/>
                <button type="button" data-testid="roll-publish" on:click=publish disabled=count == 0>
                    {move || i18n.t(RollMsg::Publish)}" ("{count}")"
                </button>
                <A href=format!("/elections/{x}/notices/voters") attr:class="button secondary"
                    attr:data-testid="roll-print-voters">
                    {move || i18n.t(RollMsg::PrintNotice)}
                </A>
            </div>
        </section>
    }
}

/// One voter typed in: name, identity number, category (OLVC §13), household and basis.
#[component]
fn AddVoter(ctx: RollCtx, view: RollView) -> impl IntoView {
    let i18n = ctx.i18n;
    let name = RwSignal::new(String::new());
    let id_number = RwSignal::new(String::new());
    let category = RwSignal::new("1".to_string());
    let household = RwSignal::new(String::new());
    let basis = RwSignal::new(String::new());
    let age_day = view.age_day(today());
    let add = move |_| {
        let lang = i18n.lang();
        let cat =
            VoterCategory::parse(&category.get_untracked()).unwrap_or(VoterCategory::Resident);
        match parse_voter(
            &name.get_untracked(),
            &id_number.get_untracked(),
            cat,
            &household.get_untracked(),
            &basis.get_untracked(),
            age_day,
            today(),
        ) {
            Err(p) => refuse(
                &ctx,
                match lang {
                    Lang::Zh => p.message_zh(),
                    Lang::En => p.to_string(),
                },
            ),
            Ok(entry) => submit(
                &ctx,
                RollEvent::VotersRegistered {
                    voters: vec![entry],
                },
                RollMsg::VoterAdded,
                move || {
                    name.set(String::new());
                    id_number.set(String::new());
                },
            ),
        }
    };
    let text = move |label: RollMsg, signal: RwSignal<String>, testid: &'static str| {
        view! {
            <label class="field">
                <span>{move || i18n.t(label)}</span>
                <input type="text" data-testid=testid autocomplete="off"
                    prop:value=move || signal.get() on:input=move |ev| signal.set(event_target_value(&ev))/>
            </label>
        }
    };
    view! {
        <details class="card form roll-add">
            <summary data-testid="roll-add-open">{move || i18n.t(RollMsg::AddVoter)}</summary>
            {text(RollMsg::Name, name, "roll-add-name")}
            {text(RollMsg::IdNumber, id_number, "roll-add-id")}
            <label class="field">
                <span>{move || i18n.t(RollMsg::Category)}</span>
                <select data-testid="roll-add-category" on:change=move |ev| category.set(event_target_value(&ev))>
                    {VoterCategory::ALL.into_iter().map(|c| view! {
                        <option value=c.number().to_string()>
                            {move || match i18n.lang() { Lang::Zh => c.label_zh(), Lang::En => c.label_en() }}
                        </option>
                    }).collect_view()}
                </select>
            </label>
            {text(RollMsg::Household, household, "roll-add-household")}
            {text(RollMsg::Basis, basis, "roll-add-basis")}
            <button type="button" class="wide" data-testid="roll-add-submit" on:click=add>
                {move || i18n.t(RollMsg::AddVoterSubmit)}
            </button>
        </details>
    }
}

#[derive(Clone, PartialEq)]
enum Stage {
    Choose,
    Refused(Vec<RowError>),
    NotText,
    Ready(Vec<RollEvent>),
    Writing,
    Done(usize),
    Failed(String),
}

fn voters_in(events: &[RollEvent]) -> usize {
    events
        .iter()
        .map(|e| match e {
            RollEvent::VotersRegistered { voters } => voters.len(),
            _ => 0,
        })
        .sum()
}

/// CSV import: planned by the domain against the roll; nothing is written from a bad file.
#[component]
fn Import(ctx: RollCtx, view: RollView) -> impl IntoView {
    let i18n = ctx.i18n;
    let stage = RwSignal::new(Stage::Choose);
    let view = StoredValue::new(view);
    let on_file = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        spawn_local(async move {
            let Some((_, bytes)) = read_chosen_file(&input).await else {
                return;
            };
            input.set_value("");
            stage.set(match decode_text(&bytes) {
                Err(_) => Stage::NotText,
                Ok((text, _)) => match plan_voter_import(&text, &view.get_value(), today()) {
                    Ok(events) => Stage::Ready(events),
                    Err(rows) => Stage::Refused(rows),
                },
            });
        });
    };
    let ctx2 = ctx.clone();
    let import = move |_| {
        let Stage::Ready(events) = stage.get_untracked() else {
            return;
        };
        let (profile, id, sync) = (ctx2.profile.clone(), ctx2.id.clone(), ctx2.sync);
        let lang = i18n.lang();
        let voters = voters_in(&events);
        stage.set(Stage::Writing);
        spawn_local(async move {
            // One transaction: the whole file is recorded or nothing of it.
            match super::record_all(&profile, &id, events, lang).await {
                Ok(()) => {
                    stage.set(Stage::Done(voters));
                    sync.after_local_change();
                }
                Err(e) => stage.set(Stage::Failed(e)),
            }
        });
    };
    view! {
        <section class="card form roll-import">
            <h2>{move || i18n.t(RollMsg::ImportTitle)}</h2>
            <label class="field">
                <span>{move || i18n.t(RollMsg::ImportChoose)}</span>
                <input type="file" accept=".csv,text/csv" data-testid="roll-import-file" on:change=on_file/>
                <small class="hint">{move || i18n.t(RollMsg::ImportFormat)}</small>
            </label>
            {move || match stage.get() {
                Stage::Choose => ().into_any(),
                Stage::NotText => view! {
                    <p class="form-error" role="alert">{move || i18n.t(RollMsg::ImportNotText)}</p>
                }.into_any(),
                Stage::Refused(rows) => view! { <ImportErrors rows/> }.into_any(),
                Stage::Ready(events) => {
                    let (n, batches) = (voters_in(&events), events.len());
                    view! {
                        <p data-testid="roll-import-plan" data-voters=n>
                            {move || i18n.t(RollMsg::ImportWill)}" "<strong>{n}</strong>" · "
                            {move || i18n.t(RollMsg::ImportBatches)}" "{batches}
                        </p>
                        <button type="button" class="wide" data-testid="roll-import-submit" on:click=import.clone()>
                            {move || i18n.t(RollMsg::ImportSubmit)}
                        </button>
                    }.into_any()
                }
                Stage::Writing => view! { <progress data-testid="roll-import-writing"></progress> }.into_any(),
                Stage::Done(n) => view! {
                    <p class="form-ok" role="status" data-testid="roll-import-done" data-voters=n>
                        {move || i18n.t(RollMsg::ImportDone)}" "{n}
                    </p>
                }.into_any(),
                Stage::Failed(e) => view! {
                    <p class="form-error" role="alert" data-testid="roll-import-failed">{e}</p>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn ImportErrors(rows: Vec<RowError>) -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    let n = rows.len();
    view! {
        <div class="import-errors" data-testid="roll-import-errors" role="alert">
            <p class="form-error">
                {move || i18n.t(RollMsg::ImportRefused)}" "{n}" · "{move || i18n.t(RollMsg::ImportNothing)}
            </p>
            <table class="error-table">
                <thead><tr>
                    <th>{move || i18n.t(RollMsg::Line)}</th>
                    <th>{move || i18n.t(RollMsg::Problem)}</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|row| {
                        let (zh, en) = (row.message_zh.clone(), row.message_en.clone());
                        view! {
                            <tr data-testid="roll-import-error-row" data-line=row.line>
                                <td>{row.line}</td>
                                <td>{move || match i18n.lang() { Lang::Zh => zh.clone(), Lang::En => en.clone() }}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// The list, newest last, filtered by name or the last digits of the number.
#[component]
fn VoterList(view: RollView) -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    let query = RwSignal::new(String::new());
    let voters = StoredValue::new(view.voters);
    const SHOWN: usize = 100;
    view! {
        <section class="roll-voters">
            <h2>{move || i18n.t(RollMsg::VoterList)}</h2>
            <input type="search" data-testid="roll-voter-search" placeholder=move || i18n.t(RollMsg::SearchVoters)
                prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev))/>
            {move || {
                let q = query.get();
                let q = q.trim();
                voters.with_value(|all| {
                    let hits: Vec<_> = all
                        .iter()
                        .filter(|v| q.is_empty() || v.name.contains(q) || v.id_number.as_str().ends_with(q))
                        .collect();
                    let total = hits.len();
                    view! {
                        <table class="roll-table" data-testid="roll-voter-table" data-total=total>
                            <thead><tr>
                                <th>"#"</th>
                                <th>{move || i18n.t(RollMsg::Name)}</th>
                                <th>{move || i18n.t(RollMsg::IdNumber)}</th>
                                <th>{move || i18n.t(RollMsg::Category)}</th>
                            </tr></thead>
                            <tbody>
                                {hits.into_iter().take(SHOWN).enumerate().map(|(i, v)| {
                                    let c = v.category;
                                    view! {
                                        <tr data-testid="roll-voter-row">
                                            <td>{i + 1}</td>
                                            <td>{v.name.clone()}</td>
                                            <td>{mask_id_number(v.id_number.as_str())}</td>
                                            <td>{c.number()}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                        {(total > SHOWN).then(|| view! {
                            <p class="muted">{move || i18n.t(RollMsg::MoreRows)}" "{total - SHOWN}</p>
                        })}
                    }
                })
            }}
        </section>
    }
}
