//! `/elections/:x/boxes` — 票箱: the central box, polling stations and mobile boxes (流动票箱:
//! at least three scrutineers and the township's approval; ballots from an unapproved box are
//! flagged). Recording a box again with the same number corrects it.

use cunju_domain::election::roll::{BoxKind, RollEvent};
use leptos::prelude::*;

use super::{NotOpened, RollCtx, RollPage, Tab, parse_day, refuse, submit};
use crate::i18n::Lang;
use crate::i18n::elections_roll::RollMsg;

#[component]
pub fn Boxes() -> impl IntoView {
    view! { <RollPage tab=Tab::Boxes render=|ctx| view! { <BoxesTab ctx/> }.into_any()/> }
}

pub fn box_kind_label(kind: BoxKind, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => kind.label_zh(),
        Lang::En => kind.label_en(),
    }
}

#[component]
fn BoxesTab(ctx: RollCtx) -> impl IntoView {
    let Some(view) = ctx.view.clone() else {
        return view! { <NotOpened x=ctx.x.clone()/> }.into_any();
    };
    let i18n = ctx.i18n;
    let no = RwSignal::new(String::new());
    let kind = RwSignal::new(0usize);
    let seal = RwSignal::new(String::new());
    let scrutineers = RwSignal::new(String::new());
    let approved = RwSignal::new(String::new());
    let c = ctx.clone();
    let add = move |_| {
        let lang = i18n.lang();
        let approved_text = approved.get_untracked();
        let approved_on = parse_day(&approved_text);
        if !approved_text.trim().is_empty() && approved_on.is_none() {
            return refuse(&c, RollMsg::BadDate.text(lang).into());
        }
        let scrutineers: Vec<String> = scrutineers
            .get_untracked()
            .split([',', '，', '、', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        submit(
            &c,
            RollEvent::BoxRecorded {
                no: no.get_untracked().trim().to_string(),
                kind: BoxKind::ALL[kind.get_untracked()],
                seal_no: seal.get_untracked().trim().to_string(),
                scrutineers,
                approved_on,
            },
            RollMsg::BoxRecorded,
            move || no.set(String::new()),
        );
    };
    let field =
        move |label: RollMsg, signal: RwSignal<String>, testid: &'static str, ty: &'static str| {
            view! {
                <label class="field">
                    <span>{move || i18n.t(label)}</span>
                    <input type=ty data-testid=testid prop:value=move || signal.get()
                        on:input=move |ev| signal.set(event_target_value(&ev))/>
                </label>
            }
        };
    let boxes = view.boxes.clone();
    view! {
        <section class="card form">
            <h2>{move || i18n.t(RollMsg::BoxTitle)}</h2>
            {field(RollMsg::BoxNo, no, "roll-box-no", "text")}
            <label class="field">
                <span>{move || i18n.t(RollMsg::BoxKind)}</span>
                <select data-testid="roll-box-kind" on:change=move |ev| kind.set(event_target_value(&ev).parse().unwrap_or(0))>
                    {BoxKind::ALL.into_iter().enumerate().map(|(i, k)| view! {
                        <option value=i.to_string()>{move || box_kind_label(k, i18n.lang())}</option>
                    }).collect_view()}
                </select>
            </label>
            {field(RollMsg::SealNo, seal, "roll-box-seal", "text")}
            {field(RollMsg::Scrutineers, scrutineers, "roll-box-scrutineers", "text")}
            {field(RollMsg::ApprovedOn, approved, "roll-box-approved", "date")}
            <button type="button" class="wide" data-testid="roll-box-add" on:click=add>{move || i18n.t(RollMsg::BoxAdd)}</button>
        </section>
        <table class="roll-table" data-testid="roll-box-table">
            <thead><tr>
                <th>{move || i18n.t(RollMsg::BoxNo)}</th>
                <th>{move || i18n.t(RollMsg::BoxKind)}</th>
                <th>{move || i18n.t(RollMsg::SealNo)}</th>
                <th>{move || i18n.t(RollMsg::Scrutineers)}</th>
                <th>{move || i18n.t(RollMsg::ApprovedOn)}</th>
            </tr></thead>
            <tbody>
                {boxes.into_iter().map(|b| view! {
                    <tr data-testid="roll-box-row">
                        <td>{b.no.clone()}</td>
                        <td>{move || box_kind_label(b.kind, i18n.lang())}</td>
                        <td>{b.seal_no.clone()}</td>
                        <td>{b.scrutineers.join("、")}</td>
                        <td>{b.approved_on.map(|d| d.to_string()).unwrap_or_default()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
