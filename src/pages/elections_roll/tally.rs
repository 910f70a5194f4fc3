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

/// One row of a post's count: who, their label, the votes typed.
type VoteRow = (IdNumber, String, RwSignal<String>);

fn vote_row(view: &RollView, prior: Option<&[VoteCount]>, id: IdNumber) -> VoteRow {
    let votes = prior
        .and_then(|votes| votes.iter().find(|v| v.id_number == id))
        .map(|v| v.votes.to_string())
        .unwrap_or_default();
    let label = view.label(&id);
    (id, label, RwSignal::new(votes))
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
    let prior = sheet.as_ref().map(|s| s.votes.as_slice());
    // 另选他人 already entered for this post (in any box) get a row in every box.
    let written_in = view.write_ins(round, post, &candidates);
    let rows: Vec<VoteRow> = candidates
        .into_iter()
        .map(|id| vote_row(&view, prior, id))
        .collect();
    let write_ins: RwSignal<Vec<VoteRow>> = RwSignal::new(
        written_in
            .into_iter()
            .map(|id| vote_row(&view, prior, id))
            .collect(),
    );
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
        for (id, _, s) in inputs.iter().chain(write_ins.get_untracked().iter()) {
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
    let on_ballot: Vec<IdNumber> = rows.iter().map(|(id, _, _)| id.clone()).collect();
    view! {
        <div class="roll-post-count" data-testid=format!("roll-count-{slug}")>
            <h3>{move || post_label(post, i18n.lang())}</h3>
            <div class="count-grid">
                <label>{move || i18n.t(RollMsg::Valid)}{number_input(valid, "roll-valid".into())}</label>
                <label>{move || i18n.t(RollMsg::Invalid)}{number_input(invalid, "roll-invalid".into())}</label>
                {rows.into_iter().enumerate().map(|(i, (_, label, s))| view! {
                    <label>{label}{number_input(s, format!("roll-votes-{i}"))}</label>
                }).collect_view()}
                {move || write_ins.get().into_iter().enumerate().map(|(i, (_, label, s))| view! {
                    <label data-testid="roll-write-in">
                        {label}" "<span class="pill">{move || i18n.t(RollMsg::WriteIn)}</span>
                        {number_input(s, format!("roll-write-in-votes-{i}"))}
                    </label>
                }).collect_view()}
                <button type="button" data-testid="roll-save-votes" on:click=save>{move || i18n.t(RollMsg::Save)}</button>
            </div>
            <WriteInPicker view=view.clone() on_ballot write_ins/>
        </div>
    }
}

/// 添加另选他人: find a registered voter by name and give them a row on this post's count.
#[component]
fn WriteInPicker(
    view: RollView,
    on_ballot: Vec<IdNumber>,
    write_ins: RwSignal<Vec<VoteRow>>,
) -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    // A row's votes signal must outlive the search list it was picked from (disposed on close).
    let owner = StoredValue::new(Owner::current());
    let open = RwSignal::new(false);
    let query = RwSignal::new(String::new());
    let view = StoredValue::new(view);
    let on_ballot = StoredValue::new(on_ballot);
    let matches = move || {
        let q = query.get();
        let q = q.trim();
        if q.is_empty() {
            return None;
        }
        let taken = write_ins.with(|w| w.iter().map(|(id, _, _)| id.clone()).collect::<Vec<_>>());
        Some(view.with_value(|v| {
            v.voters
                .iter()
                .filter(|voter| voter.name.contains(q))
                .filter(|voter| {
                    !on_ballot.with_value(|b| b.contains(&voter.id_number))
                        && !taken.contains(&voter.id_number)
                })
                .take(8)
                .map(|voter| (voter.id_number.clone(), v.label(&voter.id_number)))
                .collect::<Vec<_>>()
        }))
    };
    view! {
            <div class="roll-write-in-picker">
                <button type="button" class="secondary" data-testid="roll-add-write-in"
                    on:click=move |_| open.update(|o| *o = !*o)>{move || i18n.t(RollMsg::AddWriteIn)}</button>
                <Show when=move || open.get()>
                    <p class="muted">{move || i18n.t(RollMsg::WriteInHint)}</p>
                    <input type="search" data-testid="roll-write-in-search" placeholder=move || i18n.t(RollMsg::WriteInSearch)
                        prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev))/>
                    {move || matches().map(|found| if found.is_empty() {
                        view! { <p class="form-error" role="alert" data-testid="roll-write-in-none">{move || i18n.t(RollMsg::WriteInNoMatch)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="record-list">
                                {found.into_iter().map(|(id, label)| {
                                    let shown = label.clone();
                                    view! {
                                        <li><button type="button" class="secondary" data-testid="roll-write-in-pick"
                                            on:click=move |_| {
                                                let (id, label) = (id.clone(), label.clone());
                                                write_ins.update(|list| {
                                                    if !list.iter().any(|(other, _, _)| *other == id) {
                                                        let votes = owner.with_value(|o| match o {
        Some(o) => o.with(|| RwSignal::new(String::new())),
        None => RwSignal::new(String::new()),
    });
                                                        list.push((id, label, votes));
                                                    }
                                                });
                                                query.set(String::new());
                                                open.set(false);
                                            }>{shown}</button></li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    })}
                </Show>
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
