//! `/allowances/rates` — the district's rate tables (发放标准): every table with its version,
//! effective month, source and per-level amounts and payment type, the pro-rating rule in force,
//! and — for the district admin only — a form for a new table. The built-in default (domain-spec
//! §3.2) is marked 默认值 with its provenance wherever it shows.

use cunju_domain::allowance::level::Level;
use cunju_domain::allowance::period::YearMonth;
use cunju_domain::allowance::rates::{PaymentType, Proration, RateOrigin, RateTable};
use cunju_domain::allowance::records::{
    RatesSet, default_table, district_of, district_table, rates_entity,
};
use cunju_domain::authz::{self, Action};
use cunju_domain::event::{EventBody, NewEvent};
use cunju_domain::money::Fen;
use cunju_domain::sync::Profile;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::data;
use super::index::RatesInForce;
use crate::components::require_login::RequireLogin;
use crate::i18n::allowances::AllowanceMsg as AM;
use crate::i18n::{Msg, use_i18n};
use crate::store;
use crate::sync::use_sync;

const PRORATIONS: [(Proration, &str); 3] = [
    (Proration::FirstDay, "FIRST_DAY"),
    (Proration::Cutoff15, "CUTOFF_15"),
    (Proration::Daily, "DAILY"),
];

#[component]
pub fn Rates() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page-head">
            <a href="/allowances" class="back">{move || i18n.t(AM::BackToAllowances)}</a>
            <h1>{move || i18n.t(AM::RatesTitle)}</h1>
            <p class="muted">{move || i18n.t(AM::RatesIntro)}</p>
        </section>
        <RequireLogin render=|profile| view! { <RatesPage profile/> }.into_any()/>
    }
}

#[component]
fn RatesPage(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let scope = profile.scope.clone();
    let rates = LocalResource::new(move || {
        let _ = sync.revision.get();
        let scope = scope.clone();
        async move {
            let store = store::shared().await?;
            data::district_rates(&store, &scope).await
        }
    });
    let may_set = authz::permits(profile.role, Action::SetAllowanceRates)
        && district_of(&profile.scope).is_some();
    view! {
        <Suspense fallback=move || view! { <p class="muted">{move || i18n.t(Msg::Loading)}</p> }>
            {move || rates.get().map(|result| match result {
                Err(err) => view! { <p class="form-error" role="alert">{err.message(i18n.lang())}</p> }.into_any(),
                Ok(rates) => {
                    let tables = if rates.uses_default() { vec![default_table()] } else { rates.tables.clone() };
                    view! {
                        <RatesInForce rates=rates.clone()/>
                        <p>{move || i18n.t(AM::ProrationInForce)}"："<strong data-testid="rates-proration">{rates.proration.label_zh()}</strong></p>
                        {tables.into_iter().rev().map(|t| view! { <TableCard table=t/> }).collect_view()}
                    }.into_any()
                }
            })}
        </Suspense>
        {if may_set {
            view! { <RatesForm profile=profile.clone()/> }.into_any()
        } else {
            view! { <p class="notice" data-testid="rates-not-admin">{move || i18n.t(AM::RatesNotAdmin)}</p> }.into_any()
        }}
    }
}

fn payment_msg(p: PaymentType) -> AM {
    match p {
        PaymentType::Monthly => AM::PaymentMonthly,
        PaymentType::OneOff => AM::PaymentOneOff,
    }
}

/// One table: version, month, source (默认值 with provenance, or the document), amounts.
#[component]
fn TableCard(table: RateTable) -> impl IntoView {
    let i18n = use_i18n();
    let is_default = table.is_default();
    let origin = match &table.origin {
        RateOrigin::BuiltInDefault { provenance } => provenance.clone(),
        RateOrigin::DistrictDocument { reference } => reference.clone(),
    };
    view! {
        <section class="card" data-testid="rates-table" data-version=table.version.clone() data-default=is_default.to_string()>
            <h2>{move || i18n.t(AM::Version)}"："{table.version.clone()}
                {is_default.then(|| view! { " " <span class="pill" data-testid="rates-default-mark">{move || i18n.t(AM::DefaultMark)}</span> })}</h2>
            <p>{move || i18n.t(AM::EffectiveFrom)}"："{table.effective_from.to_string()}</p>
            <p class="muted">{move || i18n.t(AM::Origin)}"："{origin}</p>
            <div class="table-scroll" style="overflow-x:auto;max-width:100%"><table class="data-table">
                <thead><tr><th>{move || i18n.t(AM::Level)}</th><th>{move || i18n.t(AM::TraceAmount)}</th><th>{move || i18n.t(AM::Payment)}</th></tr></thead>
                <tbody>{Level::ALL.into_iter().rev().map(|level| {
                    let rate = table.rate(level).cloned();
                    view! {
                        <tr data-testid="rates-row" data-level=level.code()>
                            <td>{level.label_zh()}</td>
                            <td>{rate.as_ref().map_or_else(|| i18n.t(AM::NotPaid).to_string(), |r| r.amount.to_string())}</td>
                            <td>{rate.map(|r| { let m = payment_msg(r.payment); view! { {move || i18n.t(m)} } })}</td>
                        </tr>
                    }
                }).collect_view()}</tbody>
            </table></div>
        </section>
    }
}

/// A new table for the district: version, month, document, an amount and payment type per
/// level (prefilled with the defaults, each marked), and the pro-rating rule.
#[component]
fn RatesForm(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let district = district_of(&profile.scope).expect("checked by the caller");
    let defaults = default_table();
    let levels: Vec<Level> = Level::ALL.into_iter().rev().collect();
    let amounts: Vec<RwSignal<String>> = levels
        .iter()
        .map(|l| {
            RwSignal::new(
                defaults
                    .rate(*l)
                    .map(|r| r.amount.to_string())
                    .unwrap_or_default(),
            )
        })
        .collect();
    let one_off: Vec<RwSignal<bool>> = levels.iter().map(|_| RwSignal::new(false)).collect();
    let version = RwSignal::new(String::new());
    let from = RwSignal::new(YearMonth::of(data::today()).next().to_string());
    let reference = RwSignal::new(String::new());
    let proration = RwSignal::new(0usize);
    let message = RwSignal::new(None::<Result<(), String>>);
    let (levels_save, amounts_save, one_off_save) =
        (levels.clone(), amounts.clone(), one_off.clone());
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let zh = |m: AM| m.text(crate::i18n::Lang::Zh).to_string();
        let Ok(effective_from) = from.get_untracked().parse::<YearMonth>() else {
            message.set(Some(Err(zh(AM::BadMonth))));
            return;
        };
        let mut rows = vec![];
        for ((level, amount), one_off) in levels_save.iter().zip(&amounts_save).zip(&one_off_save) {
            let text = amount.get_untracked();
            if text.trim().is_empty() {
                continue;
            }
            let Ok(fen) = text.parse::<Fen>() else {
                message.set(Some(Err(format!(
                    "{}：{}",
                    level.label_zh(),
                    zh(AM::BadAmount)
                ))));
                return;
            };
            let payment = if one_off.get_untracked() {
                PaymentType::OneOff
            } else {
                PaymentType::Monthly
            };
            rows.push((*level, fen, payment));
        }
        let set = RatesSet {
            table: district_table(
                &district,
                &version.get_untracked(),
                effective_from,
                &reference.get_untracked(),
                &rows,
            ),
            proration: PRORATIONS[proration.get_untracked()].0,
        };
        if let Err(e) = set.validate() {
            message.set(Some(Err(e.message_zh())));
            return;
        }
        let draft = NewEvent {
            actor: profile.user.clone(),
            unit: district.clone(),
            entity: rates_entity(&district),
            body: EventBody::AllowanceRatesSet(set),
        };
        spawn_local(async move {
            match data::append(draft).await {
                Ok(_) => {
                    message.set(Some(Ok(())));
                    sync.after_local_change();
                }
                Err(e) => message.set(Some(Err(e.message(i18n.lang())))),
            }
        });
    };
    view! {
        <form class="form card" on:submit=save data-testid="rates-form">
            <h2>{move || i18n.t(AM::NewRates)}</h2>
            <label class="field"><span>{move || i18n.t(AM::Version)}</span>
                <input data-testid="rates-version" prop:value=move || version.get() on:input=move |ev| version.set(event_target_value(&ev))/></label>
            <label class="field"><span>{move || i18n.t(AM::EffectiveFrom)}</span>
                <input type="month" data-testid="rates-from" prop:value=move || from.get() on:input=move |ev| from.set(event_target_value(&ev))/></label>
            <label class="field"><span>{move || i18n.t(AM::Origin)}</span>
                <input data-testid="rates-reference" prop:value=move || reference.get() on:input=move |ev| reference.set(event_target_value(&ev))/></label>
            <p class="muted">{move || i18n.t(AM::AmountBlankHint)}</p>
            {levels.iter().zip(amounts).zip(one_off).map(|((level, amount), one_off)| {
                let default = defaults.rate(*level).map(|r| r.amount);
                let code = level.code();
                view! {
                    <fieldset class="field" data-testid="rates-level" data-level=code>
                        <legend>{level.label_zh()}</legend>
                        <label class="field"><span>{move || i18n.t(AM::Amount)}</span>
                            <input inputmode="decimal" data-testid=format!("rates-amount-{code}") prop:value=move || amount.get()
                                on:input=move |ev| amount.set(event_target_value(&ev))/></label>
                        {default.map(|d| {
                            let is_default = move || amount.get().parse::<Fen>().ok() == Some(d);
                            view! {
                                <p class="muted">{move || i18n.t(AM::DefaultMark)}"："{d.to_string()}
                                    <Show when=is_default>" "<span class="pill" data-testid=format!("rates-is-default-{code}")>{move || i18n.t(AM::DefaultMark)}</span></Show></p>
                            }
                        })}
                        <label class="check"><input type="checkbox" data-testid=format!("rates-oneoff-{code}")
                            on:change=move |ev| one_off.set(event_target_checked(&ev))/>{move || i18n.t(AM::PaymentOneOff)}</label>
                    </fieldset>
                }
            }).collect_view()}
            <label class="field"><span>{move || i18n.t(AM::Proration)}</span>
                <select data-testid="rates-proration-select" on:change=move |ev| proration.set(event_target_value(&ev).parse().unwrap_or(0))>
                    {PRORATIONS.iter().enumerate().map(|(i, (p, code))| view! {
                        <option value=i.to_string() data-code=*code>{format!("{code} · {}", p.label_zh())}</option>
                    }).collect_view()}
                </select></label>
            <button type="submit" data-testid="rates-submit">{move || i18n.t(AM::Save)}</button>
            {move || message.get().map(|m| match m {
                Ok(()) => view! { <p class="form-ok" data-testid="rates-saved">{move || i18n.t(AM::Saved)}</p> }.into_any(),
                Err(e) => view! { <p class="form-error" role="alert" data-testid="rates-error">{e}</p> }.into_any(),
            })}
        </form>
    }
}
