//! The app's one connection to its database, opened on first use and shared by every screen
//! and the sync client (IndexedDB handles are not `Send`, so it lives in a thread-local).

use std::cell::RefCell;
use std::rc::Rc;

use super::{Store, StoreError};

thread_local! {
    static SHARED: RefCell<Option<Rc<Store>>> = const { RefCell::new(None) };
}

/// The app's database (`cunju`), opening it on first use. The first open also asks the browser
/// to keep the data under storage pressure.
pub async fn shared() -> Result<Rc<Store>, StoreError> {
    if let Some(store) = SHARED.with(|cell| cell.borrow().clone()) {
        return Ok(store);
    }
    let opened = Rc::new(Store::open_default().await?);
    // Another caller may have finished opening while we waited: keep theirs, close ours.
    let winner = SHARED.with(|cell| {
        let mut slot = cell.borrow_mut();
        match &*slot {
            Some(existing) => existing.clone(),
            None => {
                *slot = Some(opened.clone());
                opened.clone()
            }
        }
    });
    if Rc::ptr_eq(&winner, &opened) {
        let store = winner.clone();
        leptos::task::spawn_local(async move {
            if let Err(err) = store.ensure_persistent_storage().await {
                web_sys::console::warn_1(
                    &format!("cunju: persistent storage request failed: {err}").into(),
                );
            }
        });
    } else if let Ok(ours) = Rc::try_unwrap(opened) {
        ours.close();
    }
    Ok(winner)
}
