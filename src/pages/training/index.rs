//! `/training` — the training plans and classes of the user's scope, a form for a plan, and
//! links to a new class and the dashboard.

use cunju_domain::authz::{self, Action};
use cunju_domain::event::{EntityKind, EventBody, NewEvent};
use cunju_domain::sync::Profile;
use cunju_domain::training::OrganiserLevel;
use cunju_domain::training::events::PlanRecorded;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

use super::data;
use crate::components::require_login::RequireLogin;
use crate::i18n::training::TrainingMsg as T;
use crate::i18n::training::class_term;
use crate::i18n::{Msg, use_i18n};
use crate::store;
use crate::sync::use_sync;

#[component]
pub fn TrainingHome() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page-head">
            <h1>{move || i18n.t(T::Title)}</h1>
            <p class="muted">{move || i18n.t(T::Intro)}</p>
        </section>
        <RequireLogin render=|profile| view! { <Classes profile/> }.into_any()/>
    }
}

#[component]
fn Classes(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let may_read = authz::permits(profile.role, Action::ReadTraining);
    let may_manage = authz::permits(profile.role, Action::ManageTraining);
    let scope = profile.scope.clone();
    let lists = LocalResource::new(move || {
        let _ = sync.revision.get();
        let scope = scope.clone();
        async move {
            let store = store::shared().await?;
            let plans = data::plans(&store, &scope).await?;
            let classes = data::classes(&store, &scope).await?;
            let sessions = data::sessions(&store, &scope).await?;
            Ok::<_, store::StoreError>((plans, classes, sessions))
        }
    });
    if !may_read {
        return view! {
            <p class="notice" data-testid="training-not-permitted">{move || i18n.t(T::NotPermitted)}</p>
        }
        .into_any();
    }
    view! {
        <div class="toolbar">
            {may_manage.then(|| view! {
                <A href="/training/classes/new" attr:class="button" attr:data-testid="training-new-class">{move || i18n.t(T::NewClass)}</A>
            })}
            <A href="/training/dashboard" attr:class="button secondary" attr:data-testid="training-dashboard-link">{move || i18n.t(T::Dashboard)}</A>
        </div>
        <Suspense fallback=move || view! { <p class="muted">{move || i18n.t(Msg::Loading)}</p> }>
            {move || lists.get().map(|result| match result {
                Err(err) => view! { <p class="form-error" role="alert">{err.message(i18n.lang())}</p> }.into_any(),
                Ok((plans, classes, sessions)) => view! {
                    <h2>{move || i18n.t(T::ClassesHeading)}</h2>
                    {classes.is_empty().then(|| view! { <p class="muted" data-testid="training-no-classes">{move || i18n.t(T::NoClasses)}</p> })}
                    <ul class="record-list" data-testid="training-classes">
                        {classes.into_iter().map(|(id, doc)| {
                            let c = doc.class.clone().expect("listed classes are recorded");
                            let n_sessions = sessions.iter().filter(|(_, s)| s.session.as_ref().is_some_and(|s| s.class == id)).count();
                            let plan = c.plan.as_ref().and_then(|p| plans.iter().find(|(pid, _)| pid == p)).map(|(_, p)| p.name.clone());
                            view! {
                                <li class="record-row" data-testid="training-class-row">
                                    <A href=format!("/training/classes/{id}") attr:class="record-link">
                                        <div class="record-main"><strong>{c.name.clone()}</strong>
                                            <span class="muted">{let (organiser, year, seq) = (c.organiser.clone(), c.year, c.seq); move || format!("{organiser} · {}", class_term(year, seq, i18n.lang()))}</span></div>
                                        <div class="record-sub muted">
                                            <span>{move || i18n.t(T::Trainees)}" "{doc.active_trainees().count()}</span>
                                            <span>{move || i18n.t(T::Sessions)}" "{n_sessions}</span>
                                            {plan.map(|p| view! { <span>{p}</span> })}
                                        </div>
                                    </A>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <h2>{move || i18n.t(T::PlansHeading)}</h2>
                    <ul class="record-list" data-testid="training-plans">
                        {plans.into_iter().map(|(_, p)| view! {
                            <li class="record-row"><strong>{p.name.clone()}</strong>" "<span class="muted">{p.year}</span></li>
                        }).collect_view()}
                    </ul>
                }.into_any(),
            })}
        </Suspense>
        {may_manage.then(|| view! { <PlanForm profile=profile.clone()/> })}
    }
    .into_any()
}

/// A plan: year, name, organiser level.
#[component]
fn PlanForm(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let year = RwSignal::new(chrono::Local::now().format("%Y").to_string());
    let name = RwSignal::new(String::new());
    let level = RwSignal::new("district".to_string());
    let message = RwSignal::new(None::<Result<(), String>>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = PlanRecorded {
            year: year.get_untracked().trim().parse().unwrap_or(0),
            name: name.get_untracked().trim().to_string(),
            organiser_level: match level.get_untracked().as_str() {
                "city" => OrganiserLevel::City,
                "township" => OrganiserLevel::Township,
                _ => OrganiserLevel::District,
            },
            target_groups: vec![],
        };
        if let Err(e) = body.validate() {
            message.set(Some(Err(e.message_zh())));
            return;
        }
        let draft = NewEvent {
            actor: profile.user.clone(),
            unit: profile.scope.clone(),
            entity: data::new_id(EntityKind::TrainingPlan),
            body: EventBody::TrainingPlanRecorded(body),
        };
        spawn_local(async move {
            let result = async { store::shared().await?.append(draft).await }.await;
            match result {
                Ok(_) => {
                    name.set(String::new());
                    message.set(Some(Ok(())));
                    sync.after_local_change();
                }
                Err(e) => message.set(Some(Err(e.message(i18n.lang())))),
            }
        });
    };
    view! {
        <form class="form card" on:submit=save data-testid="plan-form">
            <h2>{move || i18n.t(T::NewPlan)}</h2>
            <label class="field"><span>{move || i18n.t(T::Year)}</span>
                <input inputmode="numeric" data-testid="plan-year" prop:value=move || year.get() on:input=move |ev| year.set(event_target_value(&ev))/></label>
            <label class="field"><span>{move || i18n.t(T::PlanName)}</span>
                <input data-testid="plan-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/></label>
            <label class="field"><span>{move || i18n.t(T::OrganiserLevel)}</span>
                <select data-testid="plan-level" on:change=move |ev| level.set(event_target_value(&ev))>
                    <option value="district" selected>{move || i18n.t(T::LevelDistrict)}</option>
                    <option value="city">{move || i18n.t(T::LevelCity)}</option>
                    <option value="township">{move || i18n.t(T::LevelTownship)}</option>
                </select></label>
            <button type="submit" data-testid="plan-submit">{move || i18n.t(T::Save)}</button>
            {move || message.get().map(|m| match m {
                Ok(()) => view! { <p class="form-ok" data-testid="plan-saved">{move || i18n.t(T::Saved)}</p> }.into_any(),
                Err(e) => view! { <p class="form-error" role="alert">{e}</p> }.into_any(),
            })}
        </form>
    }
}
