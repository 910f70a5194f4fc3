//! The sync state every screen can read (pending count, progress, last success, last error,
//! rejected events, who is logged in) and the scheduler that runs sync: when the device comes
//! online, every minute while online and logged in, after a local change, and on request —
//! with exponential backoff after failures.

use std::cell::RefCell;

use cunju_domain::authz::{self, Action};
use cunju_domain::directory::units::Unit;
use cunju_domain::event::EntityKind;
use cunju_domain::sync::Profile;
use gloo_timers::callback::Timeout;
use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::api::ApiError;
use super::engine::{self, Progress, SyncError, SyncReport};
use crate::platform;
use crate::store::{self, RejectedEvent, Session, Store};

/// Between two successful runs while online and logged in.
const PERIOD_MS: u32 = 60_000;
/// First retry after a failure; doubles each time up to `MAX_BACKOFF_MS`.
const FIRST_BACKOFF_MS: u32 = 5_000;
const MAX_BACKOFF_MS: u32 = 300_000;
/// Quiet time after a local change before the pending count is re-read and a push starts, so a
/// burst of changes (a roll-call at the door writes one event per tap) costs one of each.
const AFTER_CHANGE_MS: u32 = 400;

/// Shared through context by [`provide_sync`]; every field is a signal.
#[derive(Clone, Copy)]
pub struct SyncState {
    /// Local events not yet acknowledged by the server.
    pub pending: RwSignal<u32>,
    /// Evidence photos taken here and not yet confirmed by the server.
    pub pending_photos: RwSignal<u32>,
    /// Local events the server refused, with the reasons.
    pub rejected: RwSignal<Vec<RejectedEvent>>,
    /// `Some` while a run is in progress.
    pub progress: RwSignal<Option<Progress>>,
    /// When the last run finished without error (ms since the epoch).
    pub last_success: RwSignal<Option<u64>>,
    /// What the last finished run did.
    pub last_report: RwSignal<Option<SyncReport>>,
    /// Why the last run failed; cleared by the next success. Being offline is not an error.
    pub last_error: RwSignal<Option<SyncError>>,
    /// The logged-in (or last logged-in) user, cached so the app works offline.
    pub profile: RwSignal<Option<Profile>>,
    /// Whether a token is held: false after a 401 until the user logs in again.
    pub has_token: RwSignal<bool>,
    /// The unit tree of the user's scope (cached; refreshed once per app start when online).
    pub units: RwSignal<Vec<Unit>>,
    /// Bumped whenever events were written or received, so lists re-read the store.
    pub revision: RwSignal<u64>,
    /// Set once the cached session and counts have been read from the store.
    pub loaded: RwSignal<bool>,
}

/// Scheduler bookkeeping that is not shown (and holds non-`Send` timer handles).
#[derive(Default)]
struct Scheduler {
    running: bool,
    again: bool,
    /// A round of photo uploads is in progress (one at a time, apart from the event sync).
    uploading: bool,
    failures: u32,
    timer: Option<Timeout>,
    /// The refresh and push that follow local changes (replaced, i.e. delayed, by each one).
    after_change: Option<Timeout>,
    /// The user whose unit tree was fetched since the app started.
    units_fetched_for: Option<String>,
}

thread_local! {
    static SCHEDULER: RefCell<Scheduler> = RefCell::default();
}

fn with_scheduler<R>(f: impl FnOnce(&mut Scheduler) -> R) -> R {
    SCHEDULER.with(|cell| f(&mut cell.borrow_mut()))
}

/// Creates the sync state, loads the cached session and counts, starts syncing, and puts the
/// state in context.
pub fn provide_sync() -> SyncState {
    let state = SyncState {
        pending: RwSignal::new(0),
        pending_photos: RwSignal::new(0),
        rejected: RwSignal::new(Vec::new()),
        progress: RwSignal::new(None),
        last_success: RwSignal::new(None),
        last_report: RwSignal::new(None),
        last_error: RwSignal::new(None),
        profile: RwSignal::new(None),
        has_token: RwSignal::new(false),
        units: RwSignal::new(Vec::new()),
        revision: RwSignal::new(0),
        loaded: RwSignal::new(false),
    };
    provide_context(state);
    let _ = window_event_listener(ev::online, move |_| {
        with_scheduler(|s| s.failures = 0);
        state.sync_now();
    });
    spawn_local(async move {
        match store::shared().await {
            Ok(store) => {
                state.load_session(&store).await;
                state.refresh_from(&store).await;
                if let Ok(last) = store.last_sync_ms().await {
                    state.last_success.set(last);
                }
            }
            Err(err) => state.last_error.set(Some(err.into())),
        }
        state.loaded.set(true);
        state.sync_now();
    });
    state
}

pub fn use_sync() -> SyncState {
    expect_context::<SyncState>()
}

impl SyncState {
    /// The cached profile is there but the server wants a new login before it takes our events.
    pub fn needs_login(&self) -> bool {
        self.profile.with(Option::is_some) && !self.has_token.get()
    }

    pub fn is_running(&self) -> bool {
        self.progress.with(Option::is_some)
    }

    /// Starts a run now (or right after the current one). Does nothing while offline or
    /// logged out: the `online` event and logging in start one.
    pub fn sync_now(self) {
        let busy = with_scheduler(|s| {
            if s.running {
                s.again = true;
            }
            s.running
        });
        if busy {
            return;
        }
        // Dropped outside the borrow: a pending timer is replaced by this run.
        let _cancelled = with_scheduler(|s| s.timer.take());
        if !platform::is_online() {
            return;
        }
        with_scheduler(|s| s.running = true);
        spawn_local(async move {
            self.run().await;
            let again = with_scheduler(|s| {
                s.running = false;
                std::mem::take(&mut s.again)
            });
            if again {
                self.sync_now();
            }
        });
    }

    /// After the user wrote something: lists re-read the store now; the new count and a push
    /// follow once the changes pause for `AFTER_CHANGE_MS`.
    pub fn after_local_change(self) {
        self.revision.update(|r| *r += 1);
        let timer = Timeout::new(AFTER_CHANGE_MS, move || {
            spawn_local(async move {
                if let Ok(store) = store::shared().await {
                    self.refresh_from(&store).await;
                }
                self.sync_now();
            })
        });
        // Dropped outside the borrow: a waiting refresh is replaced by this one.
        let _replaced = with_scheduler(|s| s.after_change.replace(timer));
    }

    /// After a successful login: remember the session and sync.
    pub fn logged_in(self, session: Session) {
        let same_user = self
            .profile
            .with_untracked(|p| p.as_ref().is_some_and(|p| p.user == session.profile.user));
        if !same_user {
            self.units.set(Vec::new());
        }
        self.profile.set(Some(session.profile));
        self.has_token.set(session.token.is_some());
        self.last_error.set(None);
        with_scheduler(|s| s.failures = 0);
        self.sync_now();
    }

    /// After logging out: the events stay, the session goes.
    pub fn logged_out(self) {
        self.profile.set(None);
        self.units.set(Vec::new());
        self.has_token.set(false);
        self.last_error.set(None);
        let _cancelled = with_scheduler(|s| s.timer.take());
    }

    /// Puts the rejected events back in the queue and syncs.
    pub fn retry_rejected(self) {
        spawn_local(async move {
            match store::shared().await {
                Ok(store) => {
                    if let Err(err) = store.requeue_rejected().await {
                        self.last_error.set(Some(err.into()));
                    }
                    self.refresh_from(&store).await;
                }
                Err(err) => self.last_error.set(Some(err.into())),
            }
            self.sync_now();
        });
    }

    async fn load_session(&self, store: &Store) {
        match store.session().await {
            Ok(session) => {
                if let Some(profile) = session.as_ref().map(|s| &s.profile) {
                    self.units
                        .set(store.units(&profile.user).await.unwrap_or_default());
                }
                self.has_token
                    .set(session.as_ref().is_some_and(|s| s.token.is_some()));
                self.profile.set(session.map(|s| s.profile));
            }
            Err(err) => self.last_error.set(Some(err.into())),
        }
    }

    /// Fetches and caches the unit tree once per app start and user. Best effort: a failure
    /// leaves the cached tree (the form then takes a typed code).
    async fn refresh_units(&self, store: &Store, profile: &Profile, token: &str) {
        let user = profile.user.to_string();
        let done = with_scheduler(|s| s.units_fetched_for.as_deref() == Some(user.as_str()));
        if done || !authz::permits(profile.role, Action::ReadUnitTree) {
            return;
        }
        match super::api::units(token).await {
            Ok(units) => {
                with_scheduler(|s| s.units_fetched_for = Some(user));
                let _ = store.save_units(&profile.user, &units).await;
                self.units.set(units);
            }
            // No answer: try again after the next sync. Any other answer will not change soon.
            Err(ApiError::Network(_)) => {}
            Err(_) => with_scheduler(|s| s.units_fetched_for = Some(user)),
        }
    }

    /// Fetches the district's holiday calendars after each sync (a pull does not bring what is
    /// set above the scope), so every device of the district computes the same deadlines.
    /// Best effort: a failure keeps what is stored until the next sync.
    async fn refresh_holidays(&self, store: &Store, profile: &Profile, token: &str) {
        if !authz::permits(profile.role, Action::ReadEvent(EntityKind::Holidays)) {
            return;
        }
        if let Ok(events) = super::api::holidays(token).await
            && let Ok(report) = store.apply_remote(&events).await
            && report.applied > 0
        {
            self.revision.update(|r| *r += 1);
        }
    }

    async fn refresh_from(&self, store: &Store) {
        match (store.pending_count().await, store.rejected().await) {
            (Ok(pending), Ok(rejected)) => {
                self.pending.set(pending);
                self.rejected.set(rejected);
            }
            (Err(err), _) | (_, Err(err)) => self.last_error.set(Some(err.into())),
        }
        if let Ok(photos) = store.pending_blob_count().await {
            self.pending_photos.set(photos);
        }
    }

    /// Uploads waiting photos in the background, after a successful event sync. A failure
    /// leaves them pending for the next run; it is not shown as a sync error.
    fn upload_photos(self, token: String) {
        let started = with_scheduler(|s| !std::mem::replace(&mut s.uploading, true));
        if !started {
            return;
        }
        spawn_local(async move {
            if let Ok(store) = store::shared().await {
                if let Err(err) = engine::upload_pending_blobs(&store, &engine::Http, &token).await
                {
                    web_sys::console::warn_1(
                        &format!("cunju: photo upload stopped, retried at the next sync: {err}")
                            .into(),
                    );
                }
                if let Ok(photos) = store.pending_blob_count().await {
                    self.pending_photos.set(photos);
                }
            }
            with_scheduler(|s| s.uploading = false);
        });
    }

    async fn run(&self) {
        let store = match store::shared().await {
            Ok(store) => store,
            Err(err) => {
                self.last_error.set(Some(err.into()));
                return;
            }
        };
        let session = match store.session().await {
            Ok(Some(Session {
                profile,
                token: Some(token),
                ..
            })) => (profile, token),
            Ok(_) => return, // not logged in: nothing to do until someone logs in
            Err(err) => {
                self.last_error.set(Some(err.into()));
                return;
            }
        };
        let (profile, token) = session;
        self.progress.set(Some(Progress::Pushing {
            done: 0,
            total: self.pending.get_untracked(),
        }));
        let progress = self.progress;
        let result = engine::sync_once(&store, &engine::Http, &profile.user, &token, |p| {
            progress.set(Some(p))
        })
        .await;
        self.refresh_from(&store).await;
        self.progress.set(None);
        match result {
            Ok(report) => {
                let now = platform::now_ms();
                let _ = store.set_last_sync_ms(now).await;
                self.last_success.set(Some(now));
                self.last_report.set(Some(report));
                self.last_error.set(None);
                if report.applied > 0 || report.acked > 0 || report.rejected > 0 {
                    self.revision.update(|r| *r += 1);
                }
                with_scheduler(|s| s.failures = 0);
                self.refresh_units(&store, &profile, &token).await;
                self.refresh_holidays(&store, &profile, &token).await;
                self.upload_photos(token);
                self.schedule(PERIOD_MS);
            }
            Err(err) if err.is_unauthorized() => {
                // Keep every event; stop until the user logs in again.
                let _ = store.forget_token().await;
                self.has_token.set(false);
                self.last_error.set(Some(err));
            }
            Err(err) => {
                // Pages pulled before the failure are committed: let lists show them.
                self.revision.update(|r| *r += 1);
                let offline = err.is_network() && !platform::is_online();
                self.last_error.set(if offline { None } else { Some(err) });
                let failures = with_scheduler(|s| {
                    s.failures += 1;
                    s.failures
                });
                if !offline {
                    self.schedule(backoff_ms(failures, platform::random_bytes::<1>()[0]));
                }
            }
        }
    }

    fn schedule(self, delay_ms: u32) {
        // Run from a task, not inside the timer's own callback: `sync_now` drops the timer.
        let timer = Timeout::new(delay_ms, move || {
            spawn_local(async move { self.sync_now() })
        });
        let _replaced = with_scheduler(|s| s.timer.replace(timer));
    }
}

/// 5 s, 10 s, 20 s … capped at 5 min, with up to ±20 % jitter so a village's phones do not all
/// retry at the same second.
pub fn backoff_ms(failures: u32, jitter: u8) -> u32 {
    let exp = failures.saturating_sub(1).min(16);
    let base = FIRST_BACKOFF_MS
        .saturating_mul(1 << exp)
        .min(MAX_BACKOFF_MS);
    let spread = base / 5;
    let offset = (u64::from(spread) * 2 * u64::from(jitter) / 255) as u32;
    (base - spread + offset).min(MAX_BACKOFF_MS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn backoff_doubles_and_is_capped() {
        let mid = |n| backoff_ms(n, 128);
        assert!((4_900..=5_100).contains(&mid(1)));
        assert!((9_900..=10_100).contains(&mid(2)));
        assert!((19_900..=20_100).contains(&mid(3)));
        for n in [8, 9, 50, u32::MAX] {
            assert!(backoff_ms(n, 255) <= MAX_BACKOFF_MS);
            assert!(backoff_ms(n, 0) >= MAX_BACKOFF_MS * 4 / 5);
        }
        assert_eq!(backoff_ms(1, 0), 4_000);
        assert_eq!(backoff_ms(1, 255), 6_000);
    }
}
