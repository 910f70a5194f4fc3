//! The registers and tally of one election (选民登记与计票), below `/elections/:x/`: voters,
//! candidates, proxies, boxes, tally entry, results and printable notices. Every screen reads
//! the roll `election_roll:<x>` (a `RollView`) from this device, checks each new event with
//! `RollView::check` and appends it; no rule is decided here.

pub mod boxes;
pub mod candidates;
pub mod notices;
pub mod objections;
pub mod proxies;
pub mod results;
pub mod tally;
pub mod voters;

use chrono::NaiveDate;
use cunju_domain::authz;
use cunju_domain::directory::person::IdNumber;
use cunju_domain::election::roll::{RollEvent, RollView, from_doc};
use cunju_domain::event::{EventBody, NewEvent};
use cunju_domain::ids::EntityId;
use cunju_domain::sync::Profile;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::i18n::elections_roll::RollMsg;
use crate::i18n::{I18n, Lang, Msg, use_i18n};
pub use crate::platform::today;
use crate::store;
use crate::sync::{SyncState, use_sync};

/// The roll entity of `/elections/:x`.
pub fn roll_entity(x: &str) -> Option<EntityId> {
    format!("election_roll:{x}").parse().ok()
}

/// A typed date (`2026-04-20`), if any.
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    text.trim().parse().ok()
}

/// A typed count; blank is 0.
pub fn parse_count(text: &str) -> Option<u32> {
    let t = text.trim();
    if t.is_empty() {
        Some(0)
    } else {
        t.parse().ok()
    }
}

/// The roll as it stands on this device; `None` before it is opened.
pub async fn load_roll(id: &EntityId) -> Result<Option<RollView>, store::StoreError> {
    let store = store::shared().await?;
    Ok(store.entity(id).await?.and_then(|s| from_doc(&s.doc)))
}

/// Checks `ev` against the roll as stored now and appends it. The error is the text to show.
pub async fn record(
    profile: &Profile,
    roll: &EntityId,
    ev: RollEvent,
    lang: Lang,
) -> Result<(), String> {
    record_all(profile, roll, vec![ev], lang).await
}

/// Checks `events` in order against the roll as stored now (each against the roll with the
/// ones before it folded in) and appends them in one transaction: all are recorded or none.
/// The error is the text to show.
pub async fn record_all(
    profile: &Profile,
    roll: &EntityId,
    events: Vec<RollEvent>,
    lang: Lang,
) -> Result<(), String> {
    let store = store::shared().await.map_err(|e| e.message(lang))?;
    let mut view = store
        .entity(roll)
        .await
        .map_err(|e| e.message(lang))?
        .and_then(|s| from_doc(&s.doc))
        .unwrap_or_default();
    let mut drafts = Vec::with_capacity(events.len());
    for ev in events {
        let unit = match (&ev, view.unit()) {
            (RollEvent::Opened { plan }, _) => plan.unit.clone(),
            (_, Some(unit)) => unit.clone(),
            (_, None) => return Err(RollMsg::NotOpened.text(lang).to_string()),
        };
        if !unit.is_within(&profile.scope) {
            return Err(RollMsg::OutOfScope.text(lang).to_string());
        }
        let body = EventBody::ElectionRoll(ev.clone());
        if !authz::can_write_event(profile.role, &body) {
            return Err(RollMsg::NotPermitted.text(lang).to_string());
        }
        view.record(&unit, ev, today()).map_err(|e| match lang {
            Lang::Zh => e.message_zh(),
            Lang::En => e.to_string(),
        })?;
        drafts.push(NewEvent {
            actor: profile.user.clone(),
            unit,
            entity: roll.clone(),
            body,
        });
    }
    store
        .append_many(drafts)
        .await
        .map_err(|e| e.message(lang))?;
    Ok(())
}

/// Finds a registered voter by identity number or by a name only one voter has.
pub fn find_voter(view: &RollView, text: &str) -> Option<IdNumber> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    if let Some(v) = view
        .voters
        .iter()
        .find(|v| v.id_number.as_str().eq_ignore_ascii_case(t))
    {
        return Some(v.id_number.clone());
    }
    let mut named = view.voters.iter().filter(|v| v.name == t);
    match (named.next(), named.next()) {
        (Some(v), None) => Some(v.id_number.clone()),
        _ => None,
    }
}

/// What a roll screen gets: who is working, which roll, and the roll (`None` before opening).
#[derive(Clone)]
pub struct RollCtx {
    pub profile: Profile,
    pub x: String,
    pub id: EntityId,
    pub view: Option<RollView>,
    /// The last save's outcome; lives as long as the screen, across reloads of the roll.
    pub outcome: RwSignal<Option<Result<String, String>>>,
    pub sync: SyncState,
    pub i18n: I18n,
}

/// The tabs of the roll screens.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Voters,
    Candidates,
    Proxies,
    Boxes,
    Tally,
    Results,
}

impl Tab {
    const ALL: [Tab; 6] = [
        Tab::Voters,
        Tab::Candidates,
        Tab::Proxies,
        Tab::Boxes,
        Tab::Tally,
        Tab::Results,
    ];

    fn slug(self) -> &'static str {
        match self {
            Tab::Voters => "voters",
            Tab::Candidates => "candidates",
            Tab::Proxies => "proxies",
            Tab::Boxes => "boxes",
            Tab::Tally => "tally",
            Tab::Results => "results",
        }
    }

    fn label(self) -> RollMsg {
        match self {
            Tab::Voters => RollMsg::TabVoters,
            Tab::Candidates => RollMsg::TabCandidates,
            Tab::Proxies => RollMsg::TabProxies,
            Tab::Boxes => RollMsg::TabBoxes,
            Tab::Tally => RollMsg::TabTally,
            Tab::Results => RollMsg::TabResults,
        }
    }
}

/// The frame of every roll screen: title, tabs, login, and the roll loaded from this device
/// (again after every local change or sync). `render` draws the tab's content.
#[component]
pub fn RollPage(tab: Tab, render: fn(RollCtx) -> AnyView) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let params = use_params_map();
    let x = Memo::new(move |_| params.with(|p| p.get("x").unwrap_or_default()));
    let outcome = RwSignal::new(None);
    let loaded = LocalResource::new(move || {
        let _ = sync.revision.get();
        let x = x.get();
        async move {
            let Some(id) = roll_entity(&x) else {
                return Err(None);
            };
            let view = load_roll(&id).await.map_err(Some)?;
            Ok::<_, Option<store::StoreError>>((x, id, view))
        }
    });
    // Only a changed roll redraws the screen: a sync that brings other records leaves the
    // forms as they are.
    let state = Memo::new(move |_| {
        loaded
            .get()
            .map(|r| r.map_err(|e| e.map(|e| e.message(i18n.lang()))))
    });
    view! {
        <section class="page-head roll-head">
            <h1>{move || i18n.t(RollMsg::Title)}</h1>
            <nav class="roll-tabs" data-testid="roll-tabs">
                {Tab::ALL.into_iter().map(|t| {
                    let href = move || format!("/elections/{}/{}", x.get(), t.slug());
                    view! {
                        <A href=href attr:class=if t == tab { "roll-tab active" } else { "roll-tab" }
                            attr:data-testid=format!("roll-tab-{}", t.slug())>
                            {move || i18n.t(t.label())}
                        </A>
                    }
                }).collect_view()}
            </nav>
        </section>
        <Outcome state=outcome/>
        <Show
            when=move || sync.profile.with(Option::is_some)
            fallback=move || view! {
                <Show when=move || sync.loaded.get() fallback=move || view! {
                    <p class="muted">{move || i18n.t(Msg::Loading)}</p>
                }>
                    <p class="notice" data-testid="need-login">
                        {move || i18n.t(Msg::NeedLogin)}" "
                        <A href="/login">{move || i18n.t(Msg::NavLogin)}</A>
                    </p>
                </Show>
            }
        >
            {move || match state.get() {
                None => view! { <p class="muted">{move || i18n.t(Msg::Loading)}</p> }.into_any(),
                Some(Err(None)) => view! {
                    <p class="form-error" role="alert">{move || i18n.t(RollMsg::BadElectionId)}</p>
                }.into_any(),
                Some(Err(Some(err))) => view! { <p class="form-error" role="alert">{err}</p> }.into_any(),
                Some(Ok((x, id, view))) => match sync.profile.get_untracked() {
                    None => ().into_any(),
                    Some(profile) => render(RollCtx { profile, x, id, view, outcome, sync, i18n }),
                },
            }}
        </Show>
    }
}

/// Shown on the tabs that need an open roll.
#[component]
pub fn NotOpened(x: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="notice" data-testid="roll-not-opened">
            {move || i18n.t(RollMsg::NotOpened)}" "
            <A href=format!("/elections/{x}/voters")>{move || i18n.t(RollMsg::OpenHere)}</A>
        </p>
    }
}

/// A save outcome line: the error in red or a confirmation in green.
#[component]
pub fn Outcome(state: RwSignal<Option<Result<String, String>>>) -> impl IntoView {
    move || {
        state.get().map(|r| match r {
            Ok(text) => view! { <p class="form-ok" role="status" data-testid="roll-ok">{text}</p> }
                .into_any(),
            Err(text) => {
                view! { <p class="form-error" role="alert" data-testid="roll-error">{text}</p> }
                    .into_any()
            }
        })
    }
}

/// Records `ev` and reports the outcome; on success bumps the sync revision (the screen
/// reloads the roll) and says `done`. `after` runs on success (e.g. to clear a form).
pub fn submit(ctx: &RollCtx, ev: RollEvent, done: RollMsg, after: impl FnOnce() + 'static) {
    let (profile, id, state, sync) = (ctx.profile.clone(), ctx.id.clone(), ctx.outcome, ctx.sync);
    let lang = ctx.i18n.lang();
    state.set(None);
    leptos::task::spawn_local(async move {
        match record(&profile, &id, ev, lang).await {
            Ok(()) => {
                state.set(Some(Ok(done.text(lang).to_string())));
                after();
                sync.after_local_change();
            }
            Err(e) => state.set(Some(Err(e))),
        }
    });
}

/// Shows an error found before anything is recorded (a typed value that cannot be read).
pub fn refuse(ctx: &RollCtx, text: String) {
    ctx.outcome.set(Some(Err(text)));
}
