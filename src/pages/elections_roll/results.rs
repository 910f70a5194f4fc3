//! `/elections/:x/results` — 选举结果: the counts put through the tally (spec §1.5) by the
//! domain: round validity, winners, ties, composition, re-run needs and unfilled seats, each
//! decision with its reason, and every breach (INVALID_ROUND, WIN_VOID, COMPLIANCE, PROC) with
//! the rule that fired. Close relatives come from the directory on this device.

use cunju_domain::directory::kinship::Kinship;
use cunju_domain::election::breach::{Breach, Reason};
use cunju_domain::election::roll::{
    Missing, RollResults, RollView, RoundStatus, TallyRound, voter_of_key,
};
use cunju_domain::election::tally::{Outcome, RerunBallot, RoundResult, Verdict};
use cunju_domain::event::{EntityKind, Relation, Sex};
use cunju_domain::ids::{EntityId, UnitId};
use leptos::prelude::*;
use leptos_router::components::A;

use super::candidates::post_label;
use super::{NotOpened, RollCtx, RollPage, Tab};
use crate::i18n::elections_roll::RollMsg;
use crate::i18n::{I18n, Lang};
use crate::store;

#[component]
pub fn Results() -> impl IntoView {
    view! { <RollPage tab=Tab::Results render=|ctx| view! { <ResultsTab ctx/> }.into_any()/> }
}

/// Close relatives recorded in the directory for the people of `unit`.
pub async fn load_kinship(unit: &UnitId) -> Result<Kinship, store::StoreError> {
    let store = store::shared().await?;
    let people = store.query(EntityKind::Person, unit).await?;
    let mut links = Vec::new();
    let mut sexes = Vec::new();
    for p in &people {
        if let Some(sex) = p
            .doc
            .get("sex")
            .and_then(|s| serde_json::from_value::<Sex>(s.clone()).ok())
        {
            sexes.push((p.id.clone(), sex));
        }
        for link in p
            .doc
            .get("relatives")
            .and_then(|r| r.as_array())
            .into_iter()
            .flatten()
        {
            let other = link
                .get("other")
                .and_then(|o| serde_json::from_value::<EntityId>(o.clone()).ok());
            let relation = link
                .get("relation")
                .and_then(|r| serde_json::from_value::<Relation>(r.clone()).ok());
            if let (Some(other), Some(relation)) = (other, relation) {
                links.push((p.id.clone(), other, relation));
            }
        }
    }
    Ok(Kinship::new(links, sexes))
}

/// The results of a roll on this device, with the directory's close relatives.
pub async fn compute(view: &RollView) -> Option<RollResults> {
    let kinship = match view.unit() {
        Some(unit) => load_kinship(unit).await.unwrap_or_default(),
        None => Kinship::default(),
    };
    view.results(&kinship)
}

pub fn reason_text(r: &Reason, lang: Lang) -> String {
    match lang {
        Lang::Zh => r.zh.clone(),
        Lang::En => r.en.clone(),
    }
}

pub fn name_of(view: &RollView, key: &EntityId) -> String {
    voter_of_key(view, key)
        .map(|v| v.name.clone())
        .unwrap_or_else(|| key.to_string())
}

fn verdict_msg(v: &Verdict) -> RollMsg {
    match v {
        Verdict::Elected => RollMsg::VerdictElected,
        Verdict::BelowThreshold => RollMsg::VerdictBelow,
        Verdict::NoSeatLeft => RollMsg::VerdictNoSeat,
        Verdict::AlreadyElected => RollMsg::VerdictAlready,
        Verdict::NotEligibleForWomensSeat => RollMsg::VerdictWomenOnly,
        Verdict::SteppedAside { .. } => RollMsg::VerdictSteppedAside,
        Verdict::GaveWayToWoman => RollMsg::VerdictGaveWay,
        Verdict::InTieVote => RollMsg::VerdictTie,
        Verdict::AwaitsTieVote => RollMsg::VerdictAwaitsTie,
    }
}

#[component]
fn ResultsTab(ctx: RollCtx) -> impl IntoView {
    let Some(view) = ctx.view.clone() else {
        return view! { <NotOpened x=ctx.x.clone()/> }.into_any();
    };
    let i18n = ctx.i18n;
    let x = ctx.x.clone();
    let v2 = view.clone();
    let results = LocalResource::new(move || {
        let v = v2.clone();
        async move { compute(&v).await }
    });
    let view = StoredValue::new(view);
    view! {
        <p>
            <A href=format!("/elections/{x}/notices/results") attr:class="button secondary"
                attr:data-testid="roll-print-results">{move || i18n.t(RollMsg::PrintNotice)}</A>
        </p>
        <Suspense fallback=move || view! { <p class="muted">{move || i18n.t(crate::i18n::Msg::Loading)}</p> }>
            {move || results.get().flatten().map(|res| view! { <ResultsBody res view=view.get_value() i18n/> })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn ResultsBody(res: RollResults, view: RollView, i18n: I18n) -> impl IntoView {
    let turnout = res.turnout.map(|t| (t.denominator(), t.voted, t.ballots));
    let breaches = res.breaches.clone();
    let breach_count = breaches.len();
    let rerun_ballots = res.rerun_ballots.clone();
    let v1 = view.clone();
    let v2 = view.clone();
    let v3 = view.clone();
    view! {
        {turnout.map(|(r, p, b)| view! {
            <dl class="stats" data-testid="roll-turnout">
                <div><dt>{move || i18n.t(RollMsg::Registered)}</dt><dd>{r}</dd></div>
                <div><dt>{move || i18n.t(RollMsg::Issued)}</dt><dd>{p}</dd></div>
                <div><dt>{move || i18n.t(RollMsg::Returned)}</dt><dd>{b}</dd></div>
            </dl>
        })}
        <section class="roll-breaches" data-testid="roll-breaches" data-count=breach_count>
            <h2>{move || i18n.t(RollMsg::Breaches)}</h2>
            {if breaches.is_empty() {
                view! { <p class="muted" data-testid="roll-no-breach">{move || i18n.t(RollMsg::NoBreach)}</p> }.into_any()
            } else {
                view! { <ul class="record-list">{breaches.into_iter().map(|b| view! { <BreachItem b i18n/> }).collect_view()}</ul> }.into_any()
            }}
        </section>
        <h2>{move || i18n.t(RollMsg::RoundFirst)}</h2>
        <RoundView status=res.first.clone() view=v1 i18n round=TallyRound::First rerun_ballots=rerun_ballots.clone() testid="roll-first"/>
        {(!rerun_ballots.is_empty()).then(|| view! {
            <h2>{move || i18n.t(RollMsg::RerunBallots)}</h2>
            <ul class="record-list" data-testid="roll-rerun-ballots">
                {rerun_ballots.into_iter().map(|b| {
                    let names: Vec<String> = b.candidates.iter().map(|k| name_of(&v2, k)).collect();
                    let reason = b.reason.clone();
                    view! {
                        <li class="record-row">
                            <strong>{move || post_label(b.post, i18n.lang())}</strong>
                            " · "{names.join("、")}
                            <p class="muted">{move || reason_text(&reason, i18n.lang())}</p>
                        </li>
                    }
                }).collect_view()}
            </ul>
        })}
        {res.rerun.clone().map(|status| view! {
            <h2>{move || i18n.t(RollMsg::RoundRerun)}</h2>
            <RoundView status view=v3.clone() i18n round=TallyRound::Rerun rerun_ballots=res.rerun_ballots.clone() testid="roll-rerun"/>
        })}
    }
}

#[component]
fn BreachItem(b: Breach, i18n: I18n) -> impl IntoView {
    let class = b.class;
    view! {
        <li class="record-row roll-breach" data-testid="roll-breach" data-class=class.code() data-rule=b.rule>
            <div class="record-main">
                <strong>{class.code()}</strong>
                <span>{move || match i18n.lang() { Lang::Zh => class.label_zh(), Lang::En => class.label_en() }}</span>
                <span class="muted">{b.step.map(|s| s.code()).unwrap_or_default()}" · "{b.rule}</span>
            </div>
            <p>{move || match i18n.lang() { Lang::Zh => b.message_zh.clone(), Lang::En => b.message_en.clone() }}</p>
        </li>
    }
}

#[component]
fn RoundView(
    status: RoundStatus,
    view: RollView,
    i18n: I18n,
    round: TallyRound,
    rerun_ballots: Vec<RerunBallot>,
    testid: &'static str,
) -> impl IntoView {
    match status {
        RoundStatus::Incomplete(missing) => view! {
            <div data-testid=testid data-state="incomplete">
                <p class="notice">{move || i18n.t(RollMsg::Incomplete)}</p>
                <ul>{missing.into_iter().map(|m: Missing| {
                    let (zh, en) = (m.message_zh(), m.message_en());
                    view! { <li>{move || if i18n.lang() == Lang::Zh { zh.clone() } else { en.clone() }}</li> }
                }).collect_view()}</ul>
            </div>
        }.into_any(),
        RoundStatus::Decided(RoundResult::Invalid(b)) => view! {
            <div data-testid=testid data-state="invalid">
                <p class="form-error">{move || match i18n.lang() { Lang::Zh => b.message_zh.clone(), Lang::En => b.message_en.clone() }}</p>
            </div>
        }.into_any(),
        RoundStatus::Decided(RoundResult::Counted(outcome)) => view! {
            <div data-testid=testid data-state="counted"><OutcomeView outcome view i18n round rerun_ballots/></div>
        }.into_any(),
    }
}

#[component]
fn OutcomeView(
    outcome: Outcome,
    view: RollView,
    i18n: I18n,
    round: TallyRound,
    rerun_ballots: Vec<RerunBallot>,
) -> impl IntoView {
    let validity = outcome.validity.clone();
    let elected: Vec<String> = outcome
        .elected()
        .map(|d| {
            format!(
                "{} {}",
                post_label(d.post, Lang::Zh),
                name_of(&view, &d.person)
            )
        })
        .collect();
    let rows: Vec<_> = outcome
        .decisions
        .iter()
        .map(|d| {
            (
                d.post,
                name_of(&view, &d.person),
                d.votes,
                verdict_msg(&d.verdict),
                d.verdict == Verdict::Elected,
                d.reason.clone(),
                view.is_write_in(round, d.post, &d.person, &rerun_ballots),
            )
        })
        .collect();
    let ties: Vec<Reason> = outcome.tie_votes.iter().map(|t| t.reason.clone()).collect();
    let vacancies: Vec<Reason> = outcome.vacancies.iter().map(|v| v.reason.clone()).collect();
    let next = outcome.next.clone();
    let list = move |items: Vec<Reason>, testid: &'static str| {
        view! {
            <ul data-testid=testid>
                {items.into_iter().map(|r| view! { <li>{move || reason_text(&r, i18n.lang())}</li> }).collect_view()}
            </ul>
        }
    };
    view! {
        <p class="form-ok" data-testid="roll-validity">{move || reason_text(&validity, i18n.lang())}</p>
        <p data-testid="roll-elected" data-count=elected.len()>
            <strong>{move || i18n.t(RollMsg::Elected)}</strong>" "{elected.join("，")}
        </p>
        <table class="roll-table" data-testid="roll-decisions">
            <thead><tr>
                <th>{move || i18n.t(RollMsg::Post)}</th>
                <th>{move || i18n.t(RollMsg::Name)}</th>
                <th>{move || i18n.t(RollMsg::Votes)}</th>
                <th>{move || i18n.t(RollMsg::Verdict)}</th>
                <th>{move || i18n.t(RollMsg::Reason)}</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|(post, name, votes, verdict, won, reason, write_in)| view! {
                    <tr data-testid="roll-decision" class:won=won data-write-in=write_in.to_string()>
                        <td>{move || post_label(post, i18n.lang())}</td>
                        <td>{name}{write_in.then(|| view! { " "<span class="pill" data-testid="roll-write-in-mark">{move || i18n.t(RollMsg::WriteIn)}</span> })}</td>
                        <td>{votes}</td>
                        <td>{move || i18n.t(verdict)}</td>
                        <td>{move || reason_text(&reason, i18n.lang())}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        {(!ties.is_empty()).then(|| view! { <h3>{move || i18n.t(RollMsg::TieVote)}</h3>{list(ties, "roll-ties")} })}
        {(!vacancies.is_empty()).then(|| view! { <h3>{move || i18n.t(RollMsg::Vacancies)}</h3>{list(vacancies, "roll-vacancies")} })}
        {(!next.is_empty()).then(|| view! { <h3>{move || i18n.t(RollMsg::Next)}</h3>{list(next, "roll-next")} })}
    }
}
