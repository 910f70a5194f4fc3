//! `/elections/:x/proxies` — 委托投票: a registered voter who is away names a close relative
//! with voting rights here; each proxy votes for at most the plan's number of principals, no
//! sub-delegation, no candidate as proxy. The list of principals and proxies is published.

use cunju_domain::election::roll::{RollEvent, RollView};
use cunju_domain::event::Relation;
use leptos::prelude::*;

use super::{NotOpened, RollCtx, RollPage, Tab, find_voter, parse_day, refuse, submit, today};
use crate::i18n::elections_roll::RollMsg;

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

#[component]
pub fn Proxies() -> impl IntoView {
    view! { <RollPage tab=Tab::Proxies render=|ctx| view! { <ProxiesTab ctx/> }.into_any()/> }
}

#[component]
fn ProxiesTab(ctx: RollCtx) -> impl IntoView {
    let Some(view) = ctx.view.clone() else {
        return view! { <NotOpened x=ctx.x.clone()/> }.into_any();
    };
    let i18n = ctx.i18n;
    let principal = RwSignal::new(String::new());
    let agent = RwSignal::new(String::new());
    let relation = RwSignal::new(0usize);
    let on = RwSignal::new(today().to_string());
    let view = StoredValue::new(view);
    let c = StoredValue::new(ctx.clone());
    let add = move |_| {
        let ctx = c.get_value();
        let lang = i18n.lang();
        let (Some(p), Some(a)) = view.with_value(|v| {
            (
                find_voter(v, &principal.get_untracked()),
                find_voter(v, &agent.get_untracked()),
            )
        }) else {
            return refuse(&ctx, RollMsg::VoterNotFound.text(lang).into());
        };
        submit(
            &ctx,
            RollEvent::ProxyRecorded {
                principal: p,
                agent: a,
                relation: RELATIONS[relation.get_untracked()],
            },
            RollMsg::ProxyRecorded,
            move || {
                principal.set(String::new());
                agent.set(String::new());
            },
        );
    };
    let publish = move |_| {
        let ctx = c.get_value();
        let Some(day) = parse_day(&on.get_untracked()) else {
            return refuse(&ctx, RollMsg::BadDate.text(i18n.lang()).into());
        };
        submit(
            &ctx,
            RollEvent::ProxiesPublished { on: day },
            RollMsg::Published,
            || (),
        );
    };
    let rows = view.with_value(|v: &RollView| {
        v.proxies
            .iter()
            .map(|p| {
                (
                    p.principal.clone(),
                    v.label(&p.principal),
                    v.label(&p.agent),
                    p.relation,
                )
            })
            .collect::<Vec<_>>()
    });
    let (max, published) = view.with_value(|v| (v.proxy_max(), v.proxies_published));
    view! {
        <section class="card form">
            <h2>{move || i18n.t(RollMsg::ProxyTitle)}</h2>
            <p class="muted">{move || i18n.t(RollMsg::ProxyMax)}" "{max}</p>
            <label class="field">
                <span>{move || i18n.t(RollMsg::Principal)}</span>
                <input type="text" data-testid="roll-proxy-principal" prop:value=move || principal.get()
                    on:input=move |ev| principal.set(event_target_value(&ev))/>
            </label>
            <label class="field">
                <span>{move || i18n.t(RollMsg::Agent)}</span>
                <input type="text" data-testid="roll-proxy-agent" prop:value=move || agent.get()
                    on:input=move |ev| agent.set(event_target_value(&ev))/>
            </label>
            <label class="field">
                <span>{move || i18n.t(RollMsg::Relation)}</span>
                <select data-testid="roll-proxy-relation"
                    on:change=move |ev| relation.set(event_target_value(&ev).parse().unwrap_or(0))>
                    {RELATIONS.iter().enumerate().map(|(i, r)| view! {
                        <option value=i.to_string()>{r.label_zh()}</option>
                    }).collect_view()}
                </select>
            </label>
            <button type="button" class="wide" data-testid="roll-proxy-add" on:click=add>
                {move || i18n.t(RollMsg::ProxyAdd)}
            </button>
        </section>
        <section class="card">
            <table class="roll-table" data-testid="roll-proxy-table">
                <thead><tr>
                    <th>{move || i18n.t(RollMsg::Principal)}</th>
                    <th>{move || i18n.t(RollMsg::Agent)}</th>
                    <th>{move || i18n.t(RollMsg::Relation)}</th>
                    <th></th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|(id, p, a, r)| {
                        let withdraw = move |_| submit(&c.get_value(), RollEvent::ProxyWithdrawn { principal: id.clone() }, RollMsg::ProxyWithdrawn, || ());
                        view! {
                            <tr data-testid="roll-proxy-row">
                                <td>{p}</td><td>{a}</td><td>{r.label_zh()}</td>
                                <td><button type="button" class="secondary" on:click=withdraw>{move || i18n.t(RollMsg::Withdraw)}</button></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <p>{match published {
                Some(d) => view! { <span data-testid="roll-proxies-published">{move || i18n.t(RollMsg::PublishedOn)}" "{d.to_string()}</span> }.into_any(),
                None => view! { <span class="muted">{move || i18n.t(RollMsg::NotPublished)}</span> }.into_any(),
            }}</p>
            <div class="toolbar">
                <input type="date" prop:value=move || on.get() on:input=move |ev| on.set(event_target_value(&ev))/>
                <button type="button" data-testid="roll-proxies-publish" on:click=publish>{move || i18n.t(RollMsg::PublishProxies)}</button>
            </div>
        </section>
    }
    .into_any()
}
