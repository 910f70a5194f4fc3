//! `/training/classes/new` — a new training class (培训班): name, organiser and its code,
//! contractor, target group, topics, year and class number (期次, proposed as the next one of
//! the organiser's year), optional plan and whether an assessment is required.

use cunju_domain::authz::{self, Action};
use cunju_domain::event::{EntityKind, EventBody, NewEvent};
use cunju_domain::sync::Profile;
use cunju_domain::training::events::ClassRecorded;
use cunju_domain::training::{AssessmentRequirement, TargetGroup, Topic};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use super::data;
use crate::components::require_login::RequireLogin;
use crate::i18n::training::TrainingMsg as T;
use crate::i18n::use_i18n;
use crate::store;
use crate::sync::use_sync;

pub const TARGET_GROUPS: [(TargetGroup, T); 5] = [
    (TargetGroup::VillageCommittees, T::GroupVillageCommittees),
    (TargetGroup::CommunityWorkers, T::GroupCommunityWorkers),
    (TargetGroup::TownshipCadres, T::GroupTownshipCadres),
    (TargetGroup::ElectionStaff, T::GroupElectionStaff),
    (TargetGroup::SupervisionCommittee, T::GroupSupervision),
];

pub fn topics() -> [(Topic, T); 6] {
    [
        (Topic::SelfGovernanceCharter, T::TopicCharter),
        (Topic::VillageRules, T::TopicVillageRules),
        (Topic::ElectionBusiness, T::TopicElection),
        (Topic::FourDeliberationsTwoDisclosures, T::TopicFourTwo),
        (Topic::ThreeWaySorting, T::TopicThreeWay),
        (Topic::SocialWorkExam, T::TopicSocialWork),
    ]
}

pub fn group_msg(group: TargetGroup) -> T {
    TARGET_GROUPS
        .iter()
        .find(|(g, _)| *g == group)
        .map(|(_, m)| *m)
        .unwrap_or(T::GroupVillageCommittees)
}

#[component]
pub fn ClassNew() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page-head">
            <a href="/training" class="back">{move || i18n.t(T::BackToTraining)}</a>
            <h1>{move || i18n.t(T::NewClass)}</h1>
        </section>
        <RequireLogin render=|profile| view! { <ClassForm profile/> }.into_any()/>
    }
}

#[component]
fn ClassForm(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let navigate = use_navigate();
    if !authz::permits(profile.role, Action::ManageTraining) {
        return view! { <p class="notice" data-testid="training-not-permitted">{move || i18n.t(T::NotPermitted)}</p> }.into_any();
    }
    let year = RwSignal::new(chrono::Local::now().format("%Y").to_string());
    let name = RwSignal::new(String::new());
    let organiser = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let contractor = RwSignal::new(String::new());
    let group = RwSignal::new(0usize);
    let chosen = RwSignal::new(vec![false; 6]);
    let seq = RwSignal::new(String::from("1"));
    let plan = RwSignal::new(String::new());
    let assessment = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let scope = profile.scope.clone();
    let known = LocalResource::new(move || {
        let scope = scope.clone();
        async move {
            let store = store::shared().await?;
            Ok::<_, store::StoreError>((
                data::plans(&store, &scope).await?,
                data::classes(&store, &scope).await?,
            ))
        }
    });
    // Propose the next class number of this organiser and year.
    Effect::new(move |_| {
        let (y, c) = (year.get(), code.get());
        if let Some(Ok((_, classes))) = known.get() {
            let next = classes
                .iter()
                .filter_map(|(_, d)| d.class.as_ref())
                .filter(|k| k.year.to_string() == y.trim() && k.organiser_code == c.trim())
                .map(|k| k.seq)
                .max()
                .unwrap_or(0)
                + 1;
            seq.set(next.to_string());
        }
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let topics_chosen: Vec<Topic> = topics()
            .into_iter()
            .zip(chosen.get_untracked())
            .filter(|(_, on)| *on)
            .map(|((t, _), _)| t)
            .collect();
        let contractor_text = contractor.get_untracked().trim().to_string();
        let body = ClassRecorded {
            owner: profile.user.clone(),
            plan: plan.get_untracked().parse().ok(),
            name: name.get_untracked().trim().to_string(),
            organiser: organiser.get_untracked().trim().to_string(),
            organiser_code: code.get_untracked().trim().to_uppercase(),
            contractor: (!contractor_text.is_empty()).then_some(contractor_text),
            target_group: TARGET_GROUPS[group.get_untracked()].0,
            topics: topics_chosen,
            year: year.get_untracked().trim().parse().unwrap_or(0),
            seq: seq.get_untracked().trim().parse().unwrap_or(0),
            assessment: if assessment.get_untracked() {
                AssessmentRequirement::MustPass
            } else {
                AssessmentRequirement::NotRequired
            },
        };
        if let Err(e) = body.validate() {
            error.set(Some(e.message_zh()));
            return;
        }
        let id = data::new_id(EntityKind::TrainingClass);
        let draft = NewEvent {
            actor: profile.user.clone(),
            unit: profile.scope.clone(),
            entity: id.clone(),
            body: EventBody::TrainingClassRecorded(body),
        };
        let navigate = navigate.clone();
        spawn_local(async move {
            match async { store::shared().await?.append(draft).await }.await {
                Ok(_) => {
                    sync.after_local_change();
                    navigate(&format!("/training/classes/{id}"), Default::default());
                }
                Err(e) => error.set(Some(e.message(i18n.lang()))),
            }
        });
    };
    let text_field = move |label: T, testid: &'static str, signal: RwSignal<String>| {
        view! {
            <label class="field"><span>{move || i18n.t(label)}</span>
                <input data-testid=testid prop:value=move || signal.get() on:input=move |ev| signal.set(event_target_value(&ev))/></label>
        }
    };
    view! {
        <form class="form card" on:submit=save data-testid="class-form">
            {text_field(T::ClassName, "class-name", name)}
            {text_field(T::Organiser, "class-organiser", organiser)}
            {text_field(T::OrganiserCode, "class-organiser-code", code)}
            {text_field(T::Contractor, "class-contractor", contractor)}
            <label class="field"><span>{move || i18n.t(T::TargetGroup)}</span>
                <select data-testid="class-group" on:change=move |ev| group.set(event_target_value(&ev).parse().unwrap_or(0))>
                    {TARGET_GROUPS.iter().enumerate().map(|(i, (_, m))| { let m = *m; view! { <option value=i.to_string()>{move || i18n.t(m)}</option> } }).collect_view()}
                </select></label>
            <fieldset class="field"><legend>{move || i18n.t(T::Topics)}</legend>
                {topics().into_iter().enumerate().map(|(i, (_, m))| view! {
                    <label class="check"><input type="checkbox" data-testid=format!("class-topic-{i}")
                        on:change=move |ev| chosen.update(|c| c[i] = event_target_checked(&ev))/>{move || i18n.t(m)}</label>
                }).collect_view()}
            </fieldset>
            {text_field(T::Year, "class-year", year)}
            {text_field(T::Seq, "class-seq", seq)}
            <label class="field"><span>{move || i18n.t(T::Plan)}</span>
                <select data-testid="class-plan" on:change=move |ev| plan.set(event_target_value(&ev))>
                    <option value="">{move || i18n.t(T::NoPlan)}</option>
                    {move || known.get().and_then(Result::ok).map(|(plans, _)| plans.into_iter().map(|(id, p)| view! {
                        <option value=id.to_string()>{format!("{} {}", p.year, p.name)}</option>
                    }).collect_view())}
                </select></label>
            <label class="check"><input type="checkbox" data-testid="class-assessment"
                on:change=move |ev| assessment.set(event_target_checked(&ev))/>{move || i18n.t(T::AssessmentRequired)}</label>
            <button type="submit" data-testid="class-submit">{move || i18n.t(T::Save)}</button>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="class-error">{e}</p> })}
        </form>
    }
    .into_any()
}
