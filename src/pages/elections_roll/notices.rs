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
use crate::i18n::elections_roll::RollMsg;
use crate::i18n::{Msg, use_i18n};

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
                            "voters" => voters_notice(&view),
                            "candidates" => candidates_notice(&view),
                            _ => results_notice(&view, results),
                        }}
                        <p class="notice-sign">"村（居）民选举委员会"<br/>{today().format("%Y年%m月%d日").to_string()}</p>
                    </article>
                }.into_any(),
            })}
        </Suspense>
    }
}

fn unit_line(view: &RollView) -> String {
    view.unit().map(|u| u.to_string()).unwrap_or_default()
}

fn voters_notice(view: &RollView) -> AnyView {
    let count = view.voters.len();
    let published = view
        .published()
        .map(|p| p.on.format("%Y年%m月%d日").to_string());
    view! {
        <h1>"登记参加选举的村（居）民名单"</h1>
        <p>"单位：" {unit_line(view)} "　登记人数：" <strong data-testid="notice-count">{count}</strong> "人"
            {published.map(|d| format!("　公布日期：{d}"))}</p>
        <p>"对名单有不同意见的，可自名单公布之日起五日内向选举委员会提出，选举委员会应当自收到之日起三日内作出处理决定，并公布处理结果。"</p>
        <table class="notice-table">
            <thead><tr><th>"序号"</th><th>"姓名"</th><th>"身份证号码"</th><th>"登记类别"</th></tr></thead>
            <tbody>
                {view.voters.iter().enumerate().map(|(i, v)| view! {
                    <tr><td>{i + 1}</td><td>{v.name.clone()}</td><td>{mask_id_number(v.id_number.as_str())}</td><td>{v.category.label_zh()}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

fn candidates_notice(view: &RollView) -> AnyView {
    view! {
        <h1>"正式候选人名单"</h1>
        <p>"单位：" {unit_line(view)} "　（按提名得票多少排序）"</p>
        {view.formal.iter().map(|list| view! {
            <h2>{list.post.label_zh()} "（应选" {view.seats(list.post)} "名，正式候选人" {list.candidates.len()} "名）"</h2>
            <ol>{list.candidates.iter().map(|c| view! { <li>{view.voter(c).map(|v| v.name.clone()).unwrap_or_default()}</li> }).collect_view()}</ol>
        }).collect_view()}
    }
    .into_any()
}

fn results_notice(
    view: &RollView,
    results: Option<cunju_domain::election::roll::RollResults>,
) -> AnyView {
    let mut lines: Vec<String> = Vec::new();
    let mut validity = String::new();
    if let Some(res) = &results {
        for status in [Some(&res.first), res.rerun.as_ref()].into_iter().flatten() {
            match status {
                RoundStatus::Decided(RoundResult::Counted(o)) => {
                    if validity.is_empty() {
                        validity = o.validity.zh.clone();
                    }
                    for d in o.elected() {
                        lines.push(format!(
                            "{}：{}（得票{}）",
                            d.post.label_zh(),
                            name_of(view, &d.person),
                            d.votes
                        ));
                    }
                }
                RoundStatus::Decided(RoundResult::Invalid(b)) => validity = b.message_zh.clone(),
                RoundStatus::Incomplete(_) => {}
            }
        }
    }
    view! {
        <h1>"选举结果公告"</h1>
        <p>"单位：" {unit_line(view)}</p>
        <p>{validity}</p>
        <p>"当选人员如下："</p>
        <ul data-testid="notice-elected">{lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
    }
    .into_any()
}
