//! `/elections/:x/candidates` — 提名 → 初步候选人 → 正式候选人, per post. A nominee must be a
//! registered voter; the formal list needs more candidates than seats (refused otherwise, with
//! the reason), and a margin outside the plan's is shown as a warning.

use std::collections::BTreeSet;

use cunju_domain::election::roll::{RollEvent, RollView};
use cunju_domain::election::tally::PostTitle;
use leptos::prelude::*;
use leptos_router::components::A;

use super::{
    NotOpened, RollCtx, RollPage, Tab, find_voter, parse_count, parse_day, refuse, submit, today,
};
use crate::i18n::Lang;
use crate::i18n::elections_roll::RollMsg;

#[component]
pub fn Candidates() -> impl IntoView {
    view! { <RollPage tab=Tab::Candidates render=|ctx| view! { <CandidatesTab ctx/> }.into_any()/> }
}

pub fn post_label(post: PostTitle, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => post.label_zh(),
        Lang::En => post.label_en(),
    }
}

#[component]
fn CandidatesTab(ctx: RollCtx) -> impl IntoView {
    let Some(view) = ctx.view.clone() else {
        return view! { <NotOpened x=ctx.x.clone()/> }.into_any();
    };
    let i18n = ctx.i18n;
    let x = ctx.x.clone();
    view! {
        <p>
            <A href=format!("/elections/{x}/notices/candidates") attr:class="button secondary"
                attr:data-testid="roll-print-candidates">{move || i18n.t(RollMsg::PrintNotice)}</A>
        </p>
        {view.posts().into_iter().map(|post| view! { <PostCandidates ctx=ctx.clone() view=view.clone() post/> }).collect_view()}
    }
    .into_any()
}

#[component]
fn PostCandidates(ctx: RollCtx, view: RollView, post: PostTitle) -> impl IntoView {
    let i18n = ctx.i18n;
    let seats = view.seats(post);
    let who = RwSignal::new(String::new());
    let votes = RwSignal::new(String::new());
    let minority = RwSignal::new(false);
    let view = StoredValue::new(view);
    let ctx = StoredValue::new(ctx);
    let nominate = move |_| {
        let lang = i18n.lang();
        let c = ctx.get_value();
        let Some(id_number) = view.with_value(|v| find_voter(v, &who.get_untracked())) else {
            return refuse(&c, RollMsg::VoterNotFound.text(lang).into());
        };
        let Some(nomination_votes) = parse_count(&votes.get_untracked()) else {
            return refuse(&c, RollMsg::BadNumber.text(lang).into());
        };
        submit(
            &c,
            RollEvent::Nominated {
                post,
                id_number,
                nomination_votes,
                minority: minority.get_untracked(),
            },
            RollMsg::Nominated,
            move || {
                who.set(String::new());
                votes.set(String::new());
            },
        );
    };
    let nominees = view.with_value(|v| {
        v.nominations_for(post)
            .into_iter()
            .map(|n| {
                (
                    n.id_number.clone(),
                    v.label(&n.id_number),
                    n.nomination_votes,
                )
            })
            .collect::<Vec<_>>()
    });
    let preliminary = view.with_value(|v| v.preliminary_for(post).map(|l| l.candidates.clone()));
    let formal = view.with_value(|v| v.formal_for(post).cloned());
    // Checked nominees (for the preliminary list) and preliminary candidates (for the formal).
    let picked = RwSignal::new(BTreeSet::<String>::new());
    let formal_day = RwSignal::new(today().to_string());
    let pool: Vec<_> = match &preliminary {
        Some(list) => nominees
            .iter()
            .filter(|n| list.contains(&n.0))
            .cloned()
            .collect(),
        None => nominees.clone(),
    };
    let ordered = {
        let nominees = nominees.clone();
        move || -> Vec<_> {
            let p = picked.get_untracked();
            nominees
                .iter()
                .filter(|n| p.contains(n.0.as_str()))
                .map(|n| n.0.clone())
                .collect()
        }
    };
    let ordered2 = ordered.clone();
    let fix_preliminary = move |_| {
        let candidates = ordered();
        submit(
            &ctx.get_value(),
            RollEvent::PreliminaryFixed { post, candidates },
            RollMsg::PreliminaryFixed,
            move || picked.set(BTreeSet::new()),
        );
    };
    let fix_formal = move |_| {
        let c = ctx.get_value();
        let Some(published_on) = parse_day(&formal_day.get_untracked()) else {
            return refuse(&c, RollMsg::BadDate.text(i18n.lang()).into());
        };
        let candidates = ordered2();
        submit(
            &c,
            RollEvent::FormalFixed {
                post,
                candidates,
                published_on,
            },
            RollMsg::FormalFixed,
            move || picked.set(BTreeSet::new()),
        );
    };
    let warning = formal.as_ref().and_then(|f| {
        view.with_value(|v| v.formal_margin_warning(post, f.candidates.len() as u32))
    });
    let slug = format!("{post:?}").to_lowercase();
    view! {
        <section class="card roll-post" data-testid=format!("roll-post-{slug}")>
            <h2>{move || post_label(post, i18n.lang())}" · "{move || i18n.t(RollMsg::Seats)}" "{seats}</h2>
            <div class="form">
                <label class="field">
                    <span>{move || i18n.t(RollMsg::NomineeWho)}</span>
                    <input type="text" data-testid="roll-nominee" prop:value=move || who.get()
                        on:input=move |ev| who.set(event_target_value(&ev))/>
                </label>
                <label class="field">
                    <span>{move || i18n.t(RollMsg::NominationVotes)}</span>
                    <input type="number" min="0" inputmode="numeric" data-testid="roll-nomination-votes"
                        prop:value=move || votes.get() on:input=move |ev| votes.set(event_target_value(&ev))/>
                </label>
                <label class="check">
                    <input type="checkbox" prop:checked=move || minority.get()
                        on:change=move |ev| minority.set(event_target_checked(&ev))/>
                    {move || i18n.t(RollMsg::Minority)}
                </label>
                <button type="button" data-testid="roll-nominate" on:click=nominate>{move || i18n.t(RollMsg::Nominate)}</button>
            </div>
            <h3>{move || i18n.t(match preliminary { Some(_) => RollMsg::PreliminaryList, None => RollMsg::Nominations })}</h3>
            <ul class="roll-pick">
                {pool.into_iter().map(|(id, label, votes)| {
                    let key = id.as_str().to_string();
                    let key2 = key.clone();
                    view! {
                        <li>
                            <label class="check">
                                <input type="checkbox" data-testid="roll-pick"
                                    prop:checked=move || picked.with(|p| p.contains(&key))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        let k = key2.clone();
                                        picked.update(|p| { if on { p.insert(k); } else { p.remove(&k); } });
                                    }/>
                                {label}" · "{move || i18n.t(RollMsg::NominationVotes)}" "{votes}
                            </label>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <div class="toolbar">
                <button type="button" class="secondary" data-testid="roll-fix-preliminary" on:click=fix_preliminary>
                    {move || i18n.t(RollMsg::FixPreliminary)}
                </button>
                <input type="date" data-testid="roll-formal-day" prop:value=move || formal_day.get()
                    on:input=move |ev| formal_day.set(event_target_value(&ev))/>
                <button type="button" data-testid="roll-fix-formal" on:click=fix_formal>
                    {move || i18n.t(RollMsg::FixFormal)}
                </button>
            </div>
            {formal.map(|f| {
                let names: Vec<String> = view.with_value(|v| f.candidates.iter().map(|c| v.label(c)).collect());
                let n = names.len();
                view! {
                    <h3>{move || i18n.t(RollMsg::FormalList)}</h3>
                    <ol data-testid="roll-formal-list" data-count=n>
                        {names.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
                    </ol>
                }
            })}
            {warning.map(|w| view! {
                <p class="notice" data-testid="roll-margin-warning">
                    {move || match i18n.lang() { Lang::Zh => w.zh.clone(), Lang::En => w.en.clone() }}
                </p>
            })}
        </section>
    }
}
