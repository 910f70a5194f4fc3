//! The objections part of `/elections/:x/voters` — 对选民名单的异议: file an objection (who,
//! what, on which day; numbered in order), record the committee's decision (upheld or not, the
//! reasons, the day), and take a voter off the list with the reason (移出名单), e.g. after an
//! upheld objection. The domain's `RollView::check` judges each before it is recorded.

use cunju_domain::directory::person::mask_id_number;
use cunju_domain::election::roll::view::Objection;
use cunju_domain::election::roll::{RollEvent, RollView};
use leptos::prelude::*;

use super::{RollCtx, find_voter, parse_day, refuse, submit, today};
use crate::i18n::elections_roll::{NoticeMsg, RollMsg};

/// Filing, deciding and the list of objections, then taking voters off the list.
#[component]
pub fn Objections(ctx: RollCtx, view: RollView) -> impl IntoView {
    let i18n = ctx.i18n;
    let objections = view.objections.clone();
    let removed = view.removed.clone();
    view! {
        <section class="card roll-objections" data-testid="roll-objections">
            <h2>{move || i18n.t(RollMsg::ObjectionsTitle)}</h2>
            <p class="muted">{move || i18n.t(NoticeMsg::ObjectionRule)}</p>
            {if objections.is_empty() {
                view! { <p class="muted" data-testid="objection-none">{move || i18n.t(RollMsg::NoObjections)}</p> }.into_any()
            } else {
                view! {
                    <ul class="objection-list">
                        {objections.into_iter().map(|o| view! { <ObjectionItem ctx=ctx.clone() o/> }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <FileObjection ctx=ctx.clone() next=view.next_objection_no()/>
        </section>
        <section class="card roll-removed" data-testid="roll-removed">
            <h2>{move || i18n.t(RollMsg::RemovedTitle)}</h2>
            {if removed.is_empty() {
                view! { <p class="muted" data-testid="removed-none">{move || i18n.t(RollMsg::NoneRemoved)}</p> }.into_any()
            } else {
                view! {
                    <ul>
                        {removed.into_iter().map(|r| view! {
                            <li data-testid="removed-row">
                                {r.voter.name.clone()}" "{mask_id_number(r.voter.id_number.as_str())}" · "{r.reason.clone()}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <RemoveVoter ctx view/>
        </section>
    }
}

/// One objection: what was raised and, once decided, the decision; until then a form for it.
#[component]
fn ObjectionItem(ctx: RollCtx, o: Objection) -> impl IntoView {
    let i18n = ctx.i18n;
    let no = o.no;
    let decision = o.decision.clone();
    let state = if decision.is_some() {
        "decided"
    } else {
        "open"
    };
    view! {
        <li class="objection" data-testid="objection-row" data-no=no data-state=state>
            <p>
                <strong>{move || i18n.t(RollMsg::ObjectionNo)}{no}</strong>" · "{o.filed_on.to_string()}" · "{o.by.clone()}
            </p>
            <p>{o.text.clone()}</p>
            {match decision {
                Some(d) => view! {
                    <p data-testid="objection-decision" data-upheld=d.upheld.to_string()>
                        {move || i18n.t(if d.upheld { RollMsg::Upheld } else { RollMsg::NotUpheld })}
                        " · "{d.decided_on.to_string()}" · "{d.text.clone()}
                    </p>
                }.into_any(),
                None => view! { <DecideObjection ctx no/> }.into_any(),
            }}
        </li>
    }
}

#[component]
fn FileObjection(ctx: RollCtx, next: u32) -> impl IntoView {
    let i18n = ctx.i18n;
    let by = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let on = RwSignal::new(today().to_string());
    let file = move |_| {
        let lang = i18n.lang();
        let Some(filed_on) = parse_day(&on.get_untracked()) else {
            return refuse(&ctx, RollMsg::BadDate.text(lang).into());
        };
        submit(
            &ctx,
            RollEvent::ObjectionFiled {
                no: next,
                filed_on,
                by: by.get_untracked().trim().to_string(),
                text: text.get_untracked().trim().to_string(),
            },
            RollMsg::ObjectionFiled,
            move || {
                by.set(String::new());
                text.set(String::new());
            },
        );
    };
    view! {
        <details class="form">
            <summary data-testid="objection-open">{move || i18n.t(RollMsg::FileObjection)}" ("{move || i18n.t(RollMsg::ObjectionNo)}{next}")"</summary>
            <label class="field">
                <span>{move || i18n.t(RollMsg::ObjectionBy)}</span>
                <input type="text" data-testid="objection-by" autocomplete="off"
                    prop:value=move || by.get() on:input=move |ev| by.set(event_target_value(&ev))/>
            </label>
            <label class="field">
                <span>{move || i18n.t(RollMsg::ObjectionText)}</span>
                <textarea data-testid="objection-text" rows="3"
                    prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            </label>
            <label class="field">
                <span>{move || i18n.t(RollMsg::FiledOn)}</span>
                <input type="date" data-testid="objection-on"
                    prop:value=move || on.get() on:input=move |ev| on.set(event_target_value(&ev))/>
            </label>
            <button type="button" class="wide" data-testid="objection-submit" on:click=file>
                {move || i18n.t(RollMsg::FileObjection)}
            </button>
        </details>
    }
}

#[component]
fn DecideObjection(ctx: RollCtx, no: u32) -> impl IntoView {
    let i18n = ctx.i18n;
    let upheld = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let on = RwSignal::new(today().to_string());
    let decide = move |_| {
        let lang = i18n.lang();
        let upheld = match upheld.get_untracked().as_str() {
            "yes" => true,
            "no" => false,
            _ => return refuse(&ctx, RollMsg::ChooseOutcome.text(lang).into()),
        };
        let Some(decided_on) = parse_day(&on.get_untracked()) else {
            return refuse(&ctx, RollMsg::BadDate.text(lang).into());
        };
        submit(
            &ctx,
            RollEvent::ObjectionDecided {
                no,
                decided_on,
                upheld,
                decision: text.get_untracked().trim().to_string(),
            },
            RollMsg::ObjectionDecidedOk,
            || (),
        );
    };
    view! {
        <div class="form objection-decide">
            <label class="field">
                <span>{move || i18n.t(RollMsg::Outcome)}</span>
                <select data-testid="decide-upheld" on:change=move |ev| upheld.set(event_target_value(&ev))>
                    <option value="">{move || i18n.t(RollMsg::ChooseOutcome)}</option>
                    <option value="yes">{move || i18n.t(RollMsg::Upheld)}</option>
                    <option value="no">{move || i18n.t(RollMsg::NotUpheld)}</option>
                </select>
            </label>
            <label class="field">
                <span>{move || i18n.t(RollMsg::DecisionText)}</span>
                <input type="text" data-testid="decide-text" autocomplete="off"
                    prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))/>
            </label>
            <label class="field">
                <span>{move || i18n.t(RollMsg::DecidedOn)}</span>
                <input type="date" data-testid="decide-on"
                    prop:value=move || on.get() on:input=move |ev| on.set(event_target_value(&ev))/>
            </label>
            <button type="button" data-testid="decide-submit" on:click=decide>
                {move || i18n.t(RollMsg::Decide)}
            </button>
        </div>
    }
}

/// 移出名单: a registered voter, found by identity number or a name only one voter has.
#[component]
fn RemoveVoter(ctx: RollCtx, view: RollView) -> impl IntoView {
    let i18n = ctx.i18n;
    let who = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let view = StoredValue::new(view);
    let remove = move |_| {
        let lang = i18n.lang();
        let Some(id_number) = view.with_value(|v| find_voter(v, &who.get_untracked())) else {
            return refuse(&ctx, RollMsg::VoterNotFound.text(lang).into());
        };
        submit(
            &ctx,
            RollEvent::VoterRemoved {
                id_number,
                reason: reason.get_untracked().trim().to_string(),
            },
            RollMsg::VoterRemovedOk,
            move || {
                who.set(String::new());
                reason.set(String::new());
            },
        );
    };
    view! {
        <details class="form">
            <summary data-testid="remove-open">{move || i18n.t(RollMsg::RemoveVoter)}</summary>
            <label class="field">
                <span>{move || i18n.t(RollMsg::VoterNameOrId)}</span>
                <input type="text" data-testid="remove-who" autocomplete="off"
                    prop:value=move || who.get() on:input=move |ev| who.set(event_target_value(&ev))/>
            </label>
            <label class="field">
                <span>{move || i18n.t(RollMsg::RemoveReason)}</span>
                <input type="text" data-testid="remove-reason" autocomplete="off"
                    prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))/>
            </label>
            <button type="button" class="wide danger" data-testid="remove-submit" on:click=remove>
                {move || i18n.t(RollMsg::RemoveVoter)}
            </button>
        </details>
    }
}
