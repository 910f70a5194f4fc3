//! bench: the hook `cargo xtask bench` (issue 9) calls from the page, compiled only with the
//! `bench-hook` feature (never in the app people install; P1 measures the build without it).
//!
//! `cunju_bench_append_notes(n, scratch)` appends `n` notes one by one through `store::append`
//! — each its own durable transaction (the event, and its projection if it has one), exactly
//! as a screen does — and returns the milliseconds it took (`performance.now()`).
//! - `scratch = true` (P7): into a fresh scratch database, deleted afterwards.
//! - `scratch = false` (P5): into the app's database as the signed-in user, on their scope
//!   unit; the events then wait for the app's own sync.

use cunju_domain::event::{EventBody, NewEvent};
use cunju_domain::ids::EntityId;
use wasm_bindgen::prelude::*;

use crate::store::{self, Store};

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

#[wasm_bindgen]
pub async fn cunju_bench_append_notes(n: u32, scratch: bool) -> Result<f64, JsValue> {
    let err = |e: store::StoreError| JsValue::from_str(&e.to_string());
    let (db, name) = if scratch {
        let name = format!(
            "cunju-bench-{}",
            u64::from_le_bytes(crate::platform::random_bytes())
        );
        (
            std::rc::Rc::new(Store::open(&name).await.map_err(err)?),
            Some(name),
        )
    } else {
        (store::shared().await.map_err(err)?, None)
    };
    let profile = store::shared()
        .await
        .map_err(err)?
        .session()
        .await
        .map_err(err)?
        .map(|s| s.profile);
    let (actor, unit) = match profile {
        Some(p) => (p.user, p.scope),
        None if scratch => (
            "ubench".parse().expect("a valid user id"),
            "5099001001".parse().expect("a valid unit code"),
        ),
        None => return Err(JsValue::from_str("nobody is signed in")),
    };
    let entity = EntityId::unit(&unit);
    let started = now();
    for i in 0..n {
        db.append(NewEvent {
            actor: actor.clone(),
            unit: unit.clone(),
            entity: entity.clone(),
            body: EventBody::Note {
                text: format!("第 {i} 条记录：入户走访，家中留守老人两名，已登记联系方式。"),
            },
        })
        .await
        .map_err(err)?;
    }
    let ms = now() - started;
    if let Some(name) = name {
        if let Ok(db) = std::rc::Rc::try_unwrap(db) {
            db.close();
        }
        let _ = Store::delete(&name).await;
    }
    Ok(ms)
}
