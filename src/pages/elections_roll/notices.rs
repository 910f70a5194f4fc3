//! `/elections/:x/notices/:kind` — printable notices in Chinese (公告): the voter list with its
//! count (选民名单), the formal candidates (正式候选人名单) and the election results (选举结果).
//! The page is laid out for A4 paper; print CSS hides the app's header and buttons.

use cunju_domain::directory::person::mask_id_number;
use cunju_domain::election::roll::{RollView, RoundStatus};
use cunju_domain::election::tally::RoundResult;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::results::{compute, name_of};
use super::{load_roll, roll_entity, today};
use crate::i18n::elections_roll::{NoticeMsg, RollMsg};
use crate::i18n::{I18n, Lang, Msg, use_i18n};

#[component]
pub fn Notice() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let loaded = LocalResource::new(move || {
        let (x, kind) = params.with(|p| {
            (
                p.get("x").unwrap_or_default(),
                p.get("kind").unwrap_or_default(),
            )
        });
        async move {
            let id = roll_entity(&x)?;
            let view = load_roll(&id).await.ok()??;
            let results = if kind == "results" {
                compute(&view).await
            } else {
                None
            };
            Some((kind, view, results))
        }
    });
    let print = |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    };
    view! {
        <div class="no-print toolbar">
            <button type="button" data-testid="roll-print" on:click=print>{move || i18n.t(RollMsg::Print)}</button>
        </div>
        <Suspense fallback=move || view! { <p class="muted">{move || i18n.t(Msg::Loading)}</p> }>
            {move || loaded.get().map(|found| match found {
                None => view! { <p class="notice">{move || i18n.t(RollMsg::NotOpened)}</p> }.into_any(),
                Some((kind, view, results)) => view! {
                    <article class="notice-sheet" data-testid="roll-notice" data-kind=kind.clone()>
                        {match kind.as_str() {
                            "voters" => voters_notice(i18n, &view),
                            "candidates" => candidates_notice(i18n, &view),
                            _ => results_notice(i18n, &view, results),
                        }}
                        <p class="notice-sign">{i18n.t(NoticeMsg::Committee)}<br/>{today().format(i18n.t(NoticeMsg::DateFormat)).to_string()}</p>
                    </article>
                }.into_any(),
            })}
        </Suspense>
    }
}

fn unit_line(view: &RollView) -> String {
    view.unit().map(|u| u.to_string()).unwrap_or_default()
}

fn voters_notice(i18n: I18n, view: &RollView) -> AnyView {
    let t = |m: NoticeMsg| i18n.t(m);
    let lang = i18n.lang();
    let count = view.voters.len();
    let published = view
        .published()
        .map(|p| p.on.format(t(NoticeMsg::DateFormat)).to_string());
    view! {
        <h1>{t(NoticeMsg::VotersTitle)}</h1>
        <p>{t(NoticeMsg::Unit)} {unit_line(view)} {t(NoticeMsg::VotersCount)} <strong data-testid="notice-count">{count}</strong> {t(NoticeMsg::People)}
            {published.map(|d| format!("{}{d}", t(NoticeMsg::PublishedOn)))}</p>
        <p>{t(NoticeMsg::ObjectionRule)}</p>
        <table class="notice-table">
            <thead><tr><th>{t(NoticeMsg::No)}</th><th>{t(NoticeMsg::Name)}</th><th>{t(NoticeMsg::IdNumber)}</th><th>{t(NoticeMsg::Category)}</th></tr></thead>
            <tbody>
                {view.voters.iter().enumerate().map(|(i, v)| view! {
                    <tr><td>{i + 1}</td><td>{v.name.clone()}</td><td>{mask_id_number(v.id_number.as_str())}</td>
                        <td>{match lang { Lang::Zh => v.category.label_zh(), Lang::En => v.category.label_en() }}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

fn candidates_notice(i18n: I18n, view: &RollView) -> AnyView {
    let t = |m: NoticeMsg| i18n.t(m);
    let lang = i18n.lang();
    view! {
        <h1>{t(NoticeMsg::CandidatesTitle)}</h1>
        <p>{t(NoticeMsg::Unit)} {unit_line(view)} {t(NoticeMsg::CandidatesOrder)}</p>
        {view.formal.iter().map(|list| view! {
            <h2>{match lang { Lang::Zh => list.post.label_zh(), Lang::En => list.post.label_en() }}
                {t(NoticeMsg::SeatsOpen)} {view.seats(list.post)} {t(NoticeMsg::SeatsMid)} {list.candidates.len()} {t(NoticeMsg::SeatsClose)}</h2>
            <ol>{list.candidates.iter().map(|c| view! { <li>{view.voter(c).map(|v| v.name.clone()).unwrap_or_default()}</li> }).collect_view()}</ol>
        }).collect_view()}
    }
    .into_any()
}

fn results_notice(
    i18n: I18n,
    view: &RollView,
    results: Option<cunju_domain::election::roll::RollResults>,
) -> AnyView {
    let t = |m: NoticeMsg| i18n.t(m);
    let lang = i18n.lang();
    let mut lines: Vec<String> = Vec::new();
    let mut validity = String::new();
    if let Some(res) = &results {
        for status in [Some(&res.first), res.rerun.as_ref()].into_iter().flatten() {
            match status {
                RoundStatus::Decided(RoundResult::Counted(o)) => {
                    if validity.is_empty() {
                        validity = match lang {
                            Lang::Zh => o.validity.zh.clone(),
                            Lang::En => o.validity.en.clone(),
                        };
                    }
                    for d in o.elected() {
                        let post = match lang {
                            Lang::Zh => d.post.label_zh(),
                            Lang::En => d.post.label_en(),
                        };
                        lines.push(format!(
                            "{post}{}{}{}{}{}",
                            if lang == Lang::Zh { "：" } else { ": " },
                            name_of(view, &d.person),
                            t(NoticeMsg::VotesOpen),
                            d.votes,
                            t(NoticeMsg::VotesClose)
                        ));
                    }
                }
                RoundStatus::Decided(RoundResult::Invalid(b)) => {
                    validity = match lang {
                        Lang::Zh => b.message_zh.clone(),
                        Lang::En => b.message_en.clone(),
                    }
                }
                RoundStatus::Incomplete(_) => {}
            }
        }
    }
    view! {
        <h1>{t(NoticeMsg::ResultsTitle)}</h1>
        <p>{t(NoticeMsg::Unit)} {unit_line(view)}</p>
        <p>{validity}</p>
        <p>{t(NoticeMsg::ElectedBelow)}</p>
        <ul data-testid="notice-elected">{lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
    }
    .into_any()
}
