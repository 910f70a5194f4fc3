//! `/elections/:x/tally` — 计票录入 (township supervisor): per box, the ballots issued and
//! collected, then per post the valid and void ballots and each candidate's votes; the first
//! round or the re-run (另行选举) for the seats the first round left empty, and tie votes.
//! Numeric keypads, one save per box and post; a later entry corrects an earlier one.

use cunju_domain::authz::{self, Action};
use cunju_domain::directory::kinship::Kinship;
use cunju_domain::directory::person::IdNumber;
use cunju_domain::election::roll::{RollEvent, RollView, RoundStatus, TallyRound, VoteCount};
use cunju_domain::election::tally::{PostTitle, RoundResult};
use leptos::prelude::*;

use super::candidates::post_label;
use super::{NotOpened, RollCtx, RollPage, Tab, parse_count, refuse, submit};
use crate::i18n::elections_roll::RollMsg;

#[component]
pub fn TallyEntry() -> impl IntoView {
    view! { <RollPage tab=Tab::Tally render=|ctx| view! { <TallyTab ctx/> }.into_any()/> }
}

/// The posts and their candidates on a round's ballot.
fn ballot(view: &RollView, round: TallyRound) -> Vec<(PostTitle, Vec<IdNumber>)> {
    match round {
        TallyRound::First => view
            .posts()
            .into_iter()
            .map(|post| {
                let list = match view.formal_for(post) {
                    Some(l) => l.candidates.clone(),
                    None => view
                        .nominations_for(post)
                        .iter()
                        .map(|n| n.id_number.clone())
                        .collect(),
                };
                (post, list)
            })
            .collect(),
        TallyRound::Rerun => {
            let Some(results) = view.results(&Kinship::default()) else {
                return Vec::new();
            };
            let mut posts: Vec<(PostTitle, Vec<IdNumber>)> = Vec::new();
            for b in &results.rerun_ballots {
                let ids: Vec<IdNumber> = b
                    .candidates
                    .iter()
                    .filter_map(|k| cunju_domain::election::roll::voter_of_key(view, k))
                    .map(|v| v.id_number.clone())
                    .collect();
                match posts.iter_mut().find(|(p, _)| *p == b.post) {
                    Some((_, list)) => list.extend(ids),
                    None => posts.push((b.post, ids)),
                }
            }
            posts
        }
    }
}

/// The tied candidates waiting for a tie vote, per post, in `round`.
fn pending_ties(view: &RollView, round: TallyRound) -> Vec<(PostTitle, Vec<IdNumber>)> {
    let Some(results) = view.results(&Kinship::default()) else {
        return Vec::new();
    };
    let status = match round {
        TallyRound::First => Some(&results.first),
        TallyRound::Rerun => results.rerun.as_ref(),
    };
    let Some(RoundStatus::Decided(RoundResult::Counted(outcome))) = status else {
        return Vec::new();
    };
    outcome
        .tie_votes
        .iter()
        .map(|t| {
            let ids = t
                .among
                .iter()
                .filter_map(|k| cunju_domain::election::roll::voter_of_key(view, k))
                .map(|v| v.id_number.clone())
                .collect();
            (t.post, ids)
        })
        .collect()
}

#[component]
fn TallyTab(ctx: RollCtx) -> impl IntoView {
    let Some(view) = ctx.view.clone() else {
        return view! { <NotOpened x=ctx.x.clone()/> }.into_any();
    };
    let i18n = ctx.i18n;
    if !authz::permits(ctx.profile.role, Action::EnterElectionTally) {
        return view! { <p class="notice" data-testid="roll-tally-not-permitted">{move || i18n.t(RollMsg::TallyNotPermitted)}</p> }.into_any();
    }
    if view.boxes.is_empty() {
        return view! { <p class="notice" data-testid="roll-no-boxes">{move || i18n.t(RollMsg::NoBoxes)}</p> }.into_any();
    }
    let round = RwSignal::new(TallyRound::First);
    let view = StoredValue::new(view);
    view! {
        <div class="toolbar roll-rounds">
            <button type="button" data-testid="roll-round-first"
                class=move || if round.get() == TallyRound::First { "" } else { "secondary" }
                on:click=move |_| round.set(TallyRound::First)>{move || i18n.t(RollMsg::RoundFirst)}</button>
            <button type="button" data-testid="roll-round-rerun"
                class=move || if round.get() == TallyRound::Rerun { "" } else { "secondary" }
                on:click=move |_| round.set(TallyRound::Rerun)>{move || i18n.t(RollMsg::RoundRerun)}</button>
        </div>
        {move || {
            let r = round.get();
            let posts = view.with_value(|v| ballot(v, r));
            let ties = view.with_value(|v| pending_ties(v, r));
            if posts.is_empty() {
                return view! { <p class="muted" data-testid="roll-no-rerun">{move || i18n.t(RollMsg::NoRerun)}</p> }.into_any();
            }
            let boxes: Vec<String> = view.with_value(|v| v.boxes.iter().map(|b| b.no.clone()).collect());
            view! {
                {boxes.into_iter().map(|box_no| view! {
                    <BoxCount ctx=ctx.clone() view=view.get_value() round=r box_no posts=posts.clone()/>
                }).collect_view()}
                {ties.into_iter().map(|(post, among)| view! {
                    <TieCount ctx=ctx.clone() view=view.get_value() round=r post among/>
                }).collect_view()}
            }.into_any()
        }}
    }
    .into_any()
}

fn number_input(signal: RwSignal<String>, testid: String) -> impl IntoView {
    view! {
        <input type="number" min="0" inputmode="numeric" class="count" data-testid=testid
            prop:value=move || signal.get() on:input=move |ev| signal.set(event_target_value(&ev))/>
    }
}

#[component]
fn BoxCount(
    ctx: RollCtx,
    view: RollView,
    round: TallyRound,
    box_no: String,
    posts: Vec<(PostTitle, Vec<IdNumber>)>,
) -> impl IntoView {
    let i18n = ctx.i18n;
    let sheet = view
        .ballots
        .iter()
        .find(|b| b.round == round && b.box_no == box_no);
    let issued = RwSignal::new(sheet.map(|s| s.issued.to_string()).unwrap_or_default());
    let returned = RwSignal::new(sheet.map(|s| s.returned.to_string()).unwrap_or_default());
    let c = ctx.clone();
    let b = box_no.clone();
    let save = move |_| {
        let (Some(issued), Some(returned)) = (
            parse_count(&issued.get_untracked()),
            parse_count(&returned.get_untracked()),
        ) else {
            return refuse(&c, RollMsg::BadNumber.text(i18n.lang()).into());
        };
        submit(
            &c,
            RollEvent::BallotsCounted {
                round,
                box_no: b.clone(),
                issued,
                returned,
            },
            RollMsg::CountSaved,
            || (),
        );
    };
    view! {
        <section class="card roll-box" data-testid=format!("roll-count-box-{box_no}")>
            <h2>{move || i18n.t(RollMsg::BoxNo)}" "{box_no.clone()}</h2>
            <div class="count-grid">
                <label>{move || i18n.t(RollMsg::Issued)}{number_input(issued, "roll-issued".into())}</label>
                <label>{move || i18n.t(RollMsg::Returned)}{number_input(returned, "roll-returned".into())}</label>
                <button type="button" data-testid="roll-save-ballots" on:click=save>{move || i18n.t(RollMsg::Save)}</button>
            </div>
            {posts.into_iter().map(|(post, candidates)| view! {
                <PostCount ctx=ctx.clone() view=view.clone() round box_no=box_no.clone() post candidates/>
            }).collect_view()}
        </section>
    }
}

#[component]
fn PostCount(
    ctx: RollCtx,
    view: RollView,
    round: TallyRound,
    box_no: String,
    post: PostTitle,
    candidates: Vec<IdNumber>,
) -> impl IntoView {
    let i18n = ctx.i18n;
    let sheet = view
        .votes
        .iter()
        .find(|s| s.round == round && s.box_no == box_no && s.post == post)
        .cloned();
    let valid = RwSignal::new(
        sheet
            .as_ref()
            .map(|s| s.valid.to_string())
            .unwrap_or_default(),
    );
    let invalid = RwSignal::new(
        sheet
            .as_ref()
            .map(|s| s.invalid.to_string())
            .unwrap_or_default(),
    );
    let rows: Vec<(IdNumber, String, RwSignal<String>)> = candidates
        .into_iter()
        .map(|id| {
            let prior = sheet
                .as_ref()
                .and_then(|s| s.votes.iter().find(|v| v.id_number == id))
                .map(|v| v.votes.to_string())
                .unwrap_or_default();
            let label = view.label(&id);
            (id, label, RwSignal::new(prior))
        })
        .collect();
    let inputs = rows.clone();
    let slug = format!("{post:?}").to_lowercase();
    let save = move |_| {
        let lang = i18n.lang();
        let (Some(valid), Some(invalid)) = (
            parse_count(&valid.get_untracked()),
            parse_count(&invalid.get_untracked()),
        ) else {
            return refuse(&ctx, RollMsg::BadNumber.text(lang).into());
        };
        let mut votes = Vec::new();
        for (id, _, s) in &inputs {
            let Some(v) = parse_count(&s.get_untracked()) else {
                return refuse(&ctx, RollMsg::BadNumber.text(lang).into());
            };
            votes.push(VoteCount {
                id_number: id.clone(),
                votes: v,
            });
        }
        submit(
            &ctx,
            RollEvent::VotesCounted {
                round,
                box_no: box_no.clone(),
                post,
                valid,
                invalid,
                votes,
            },
            RollMsg::CountSaved,
            || (),
        );
    };
    view! {
        <div class="roll-post-count" data-testid=format!("roll-count-{slug}")>
            <h3>{move || post_label(post, i18n.lang())}</h3>
            <div class="count-grid">
                <label>{move || i18n.t(RollMsg::Valid)}{number_input(valid, "roll-valid".into())}</label>
                <label>{move || i18n.t(RollMsg::Invalid)}{number_input(invalid, "roll-invalid".into())}</label>
                {rows.into_iter().enumerate().map(|(i, (_, label, s))| view! {
                    <label>{label}{number_input(s, format!("roll-votes-{i}"))}</label>
                }).collect_view()}
                <button type="button" data-testid="roll-save-votes" on:click=save>{move || i18n.t(RollMsg::Save)}</button>
            </div>
        </div>
    }
}

#[component]
fn TieCount(
    ctx: RollCtx,
    view: RollView,
    round: TallyRound,
    post: PostTitle,
    among: Vec<IdNumber>,
) -> impl IntoView {
    let i18n = ctx.i18n;
    let rows: Vec<(IdNumber, String, RwSignal<String>)> = among
        .into_iter()
        .map(|id| {
            let label = view.label(&id);
            (id, label, RwSignal::new(String::new()))
        })
        .collect();
    let inputs = rows.clone();
    let save = move |_| {
        let mut votes = Vec::new();
        for (id, _, s) in &inputs {
            let Some(v) = parse_count(&s.get_untracked()) else {
                return refuse(&ctx, RollMsg::BadNumber.text(i18n.lang()).into());
            };
            votes.push(VoteCount {
                id_number: id.clone(),
                votes: v,
            });
        }
        submit(
            &ctx,
            RollEvent::TieVoteCounted { round, post, votes },
            RollMsg::CountSaved,
            || (),
        );
    };
    view! {
        <section class="card roll-tie" data-testid="roll-tie">
            <h2>{move || i18n.t(RollMsg::TieVote)}" · "{move || post_label(post, i18n.lang())}</h2>
            <div class="count-grid">
                {rows.into_iter().enumerate().map(|(i, (_, label, s))| view! {
                    <label>{label}{number_input(s, format!("roll-tie-{i}"))}</label>
                }).collect_view()}
                <button type="button" data-testid="roll-save-tie" on:click=save>{move || i18n.t(RollMsg::Save)}</button>
            </div>
        </section>
    }
}
