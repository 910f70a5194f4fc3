//! The export worker (crate `cunju-export-worker`): `.xlsx` writing and the QR decoder, too big
//! for the first load (the spreadsheet writer alone is about 240 KB gzipped), so they live in a
//! second wasm that Trunk builds as a web worker (`index.html`, `data-type="worker"`). It is
//! started on the first export or fallback scan, never on page load; the service worker
//! precaches its files, so after one visit it starts offline too.
//!
//! Messages (see the worker crate's `lib.rs`): the worker posts `{ready: true}` once its wasm
//! runs; then `{id, kind: "xlsx", workbook}` → `{id, ok, bytes}` and
//! `{id, kind: "qr", width, height, rgba}` → `{id, ok, texts}` and
//! `{id, kind: "sheet", bytes}` → `{id, ok, sheet}`; a failure is `{id, ok: false,
//! error}`. A worker that fails to load, crashes or hangs is dropped and started afresh on the
//! next request.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use cunju_domain::export::Workbook;
use cunju_domain::training::roster::SheetCell;
use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::components::file_io::download_bytes;
use crate::i18n::exports::ExportMsg as X;
use crate::i18n::{Lang, use_i18n};

/// Trunk's loader shim for the worker (workers keep their Cargo name: no content hash).
pub const WORKER_URL: &str = "/cunju-export-worker_loader.js";
/// The `.xlsx` MIME type.
pub const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// How long the worker may take to load and start (a slow phone compiling 600 KB of wasm).
const START_TIMEOUT_MS: u32 = 30_000;
/// How long one request may take before the worker is taken for hung.
const REQUEST_TIMEOUT_MS: u32 = 60_000;

/// Why the worker gave no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportFailure {
    /// The worker's files could not be loaded or it did not start (offline before the first
    /// visit cached it, or an old browser).
    Unavailable,
    /// The worker ran and refused or crashed; the detail is for the log.
    Failed(String),
}

impl ExportFailure {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            ExportFailure::Unavailable => X::WorkerUnavailable.text(lang).to_string(),
            ExportFailure::Failed(detail) => format!("{}{detail}", X::Failed.text(lang)),
        }
    }
}

/// A resolve/reject pair of a promise someone awaits.
struct Waiter {
    resolve: Function,
    reject: Function,
}

impl Waiter {
    fn new() -> (Waiter, Promise) {
        let mut slot = None;
        let promise = Promise::new(&mut |resolve, reject| slot = Some(Waiter { resolve, reject }));
        (
            slot.expect("Promise::new runs its executor at once"),
            promise,
        )
    }
}

/// The running worker.
struct Conn {
    worker: web_sys::Worker,
    /// Resolves on `{ready: true}`, rejects on a load error or the start timeout.
    ready: Promise,
    ready_waiter: RefCell<Option<Waiter>>,
    pending: RefCell<HashMap<u32, Waiter>>,
    next_id: Cell<u32>,
}

thread_local! {
    static CONN: RefCell<Option<Rc<Conn>>> = const { RefCell::new(None) };
}

/// Drops the worker (after a failure): every waiting request fails, the next one starts afresh.
fn drop_conn(conn: &Rc<Conn>, reason: &str) {
    CONN.with(|c| {
        let mut slot = c.borrow_mut();
        if slot
            .as_ref()
            .is_some_and(|current| Rc::ptr_eq(current, conn))
        {
            *slot = None;
        }
    });
    conn.worker.terminate();
    let reason = JsValue::from_str(reason);
    if let Some(w) = conn.ready_waiter.borrow_mut().take() {
        let _ = w.reject.call1(&JsValue::NULL, &reason);
    }
    for (_, w) in conn.pending.borrow_mut().drain() {
        let _ = w.reject.call1(&JsValue::NULL, &reason);
    }
}

fn field(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// The worker, started now if it is not running.
fn connect() -> Result<Rc<Conn>, ExportFailure> {
    if let Some(conn) = CONN.with(|c| c.borrow().clone()) {
        return Ok(conn);
    }
    let worker = web_sys::Worker::new(WORKER_URL).map_err(|_| ExportFailure::Unavailable)?;
    let (ready_waiter, ready) = Waiter::new();
    let conn = Rc::new(Conn {
        worker,
        ready,
        ready_waiter: RefCell::new(Some(ready_waiter)),
        pending: RefCell::new(HashMap::new()),
        next_id: Cell::new(1),
    });
    let weak = Rc::downgrade(&conn);
    let on_message =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            let Some(conn) = weak.upgrade() else { return };
            let data = ev.data();
            if field(&data, "ready").is_truthy() {
                if let Some(w) = conn.ready_waiter.borrow_mut().take() {
                    let _ = w.resolve.call0(&JsValue::NULL);
                }
                return;
            }
            let Some(id) = field(&data, "id").as_f64() else {
                return;
            };
            let Some(w) = conn.pending.borrow_mut().remove(&(id as u32)) else {
                return;
            };
            if field(&data, "ok").is_truthy() {
                let _ = w.resolve.call1(&JsValue::NULL, &data);
            } else {
                let _ = w.reject.call1(&JsValue::NULL, &field(&data, "error"));
            }
        });
    let weak = Rc::downgrade(&conn);
    let on_error = Closure::<dyn Fn(web_sys::Event)>::new(move |ev: web_sys::Event| {
        // A script that did not load is a plain Event; an exception in the worker an ErrorEvent.
        let message = field(&ev, "message").as_string().unwrap_or_default();
        web_sys::console::error_2(&JsValue::from_str("export worker:"), &ev);
        if let Some(conn) = weak.upgrade() {
            drop_conn(&conn, &message);
        }
    });
    conn.worker
        .set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    conn.worker
        .set_onerror(Some(on_error.as_ref().unchecked_ref()));
    // The handlers live as long as the page: a few closures, one worker at a time.
    on_message.forget();
    on_error.forget();
    let weak = Rc::downgrade(&conn);
    gloo_timers::callback::Timeout::new(START_TIMEOUT_MS, move || {
        if let Some(conn) = weak.upgrade()
            && conn.ready_waiter.borrow().is_some()
        {
            drop_conn(&conn, "");
        }
    })
    .forget();
    CONN.with(|c| *c.borrow_mut() = Some(conn.clone()));
    Ok(conn)
}

/// Sends one request (with `transfer`red buffers) and waits for its answer object.
async fn request(message: Object, transfer: Option<Array>) -> Result<JsValue, ExportFailure> {
    let conn = connect()?;
    JsFuture::from(conn.ready.clone())
        .await
        .map_err(|_| ExportFailure::Unavailable)?;
    let id = conn.next_id.get();
    conn.next_id.set(id.wrapping_add(1));
    let (waiter, answer) = Waiter::new();
    conn.pending.borrow_mut().insert(id, waiter);
    let _ = Reflect::set(&message, &"id".into(), &JsValue::from(id));
    let posted = match transfer {
        Some(t) => conn.worker.post_message_with_transfer(&message, &t),
        None => conn.worker.post_message(&message),
    };
    if let Err(e) = posted {
        conn.pending.borrow_mut().remove(&id);
        return Err(ExportFailure::Failed(format!("{e:?}")));
    }
    let weak = Rc::downgrade(&conn);
    gloo_timers::callback::Timeout::new(REQUEST_TIMEOUT_MS, move || {
        if let Some(conn) = weak.upgrade()
            && conn.pending.borrow().contains_key(&id)
        {
            drop_conn(&conn, "timeout");
        }
    })
    .forget();
    JsFuture::from(answer)
        .await
        .map_err(|e| ExportFailure::Failed(e.as_string().unwrap_or_else(|| format!("{e:?}"))))
}

/// Is the worker running (started by an export or a scan)? For tests and diagnostics.
pub fn started() -> bool {
    CONN.with(|c| c.borrow().is_some())
}

/// The workbook as `.xlsx` bytes, made in the worker.
pub async fn xlsx(book: &Workbook) -> Result<Vec<u8>, ExportFailure> {
    let json = serde_json::to_string(book).map_err(|e| ExportFailure::Failed(e.to_string()))?;
    let message = Object::new();
    let _ = Reflect::set(&message, &"kind".into(), &"xlsx".into());
    let _ = Reflect::set(&message, &"workbook".into(), &json.into());
    let answer = request(message, None).await?;
    let bytes = field(&answer, "bytes");
    if bytes.is_undefined() {
        return Err(ExportFailure::Failed("no bytes".into()));
    }
    Ok(Uint8Array::new(&bytes).to_vec())
}

/// The QR codes in an RGBA frame (`rgba`: a canvas ImageData's `data`, handed over to the
/// worker, so unusable here afterwards).
pub async fn decode_qr(
    width: u32,
    height: u32,
    rgba: JsValue,
) -> Result<Vec<String>, ExportFailure> {
    let message = Object::new();
    let _ = Reflect::set(&message, &"kind".into(), &"qr".into());
    let _ = Reflect::set(&message, &"width".into(), &width.into());
    let _ = Reflect::set(&message, &"height".into(), &height.into());
    let buffer = field(&rgba, "buffer");
    let _ = Reflect::set(&message, &"rgba".into(), &rgba);
    let answer = request(message, Some(Array::of1(&buffer))).await?;
    Ok(Array::from(&field(&answer, "texts"))
        .iter()
        .filter_map(|t| t.as_string())
        .collect())
}

/// The first worksheet of an `.xlsx` file, read in the worker (a roster typed in Excel).
pub async fn read_sheet(bytes: &[u8]) -> Result<Vec<Vec<SheetCell>>, ExportFailure> {
    let message = Object::new();
    let array = Uint8Array::from(bytes);
    let _ = Reflect::set(&message, &"kind".into(), &"sheet".into());
    let _ = Reflect::set(&message, &"bytes".into(), &array);
    let answer = request(message, Some(Array::of1(&array.buffer()))).await?;
    let json = field(&answer, "sheet")
        .as_string()
        .ok_or_else(|| ExportFailure::Failed("no sheet".into()))?;
    serde_json::from_str(&json).map_err(|e| ExportFailure::Failed(e.to_string()))
}

/// "下载 Excel": makes the workbook's `.xlsx` in the worker and offers it as `filename`.
#[component]
pub fn ExcelButton(
    /// `data-testid` of the button.
    testid: &'static str,
    filename: String,
    book: Workbook,
    /// The button's text; "下载 Excel" when not given.
    #[prop(optional)]
    label: Option<X>,
) -> impl IntoView {
    let i18n = use_i18n();
    let label = label.unwrap_or(X::DownloadExcel);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let book = Arc::new(book);
    let click = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let (book, filename) = (book.clone(), filename.clone());
        spawn_local(async move {
            let made = xlsx(&book).await;
            busy.set(false);
            match made {
                Ok(bytes) => {
                    if let Err(e) = download_bytes(&filename, XLSX_MIME, &bytes) {
                        error.set(Some(ExportFailure::Failed(e).message(i18n.lang())));
                    }
                }
                Err(e) => error.set(Some(e.message(i18n.lang()))),
            }
        });
    };
    view! {
        <button type="button" class="secondary" data-testid=testid prop:disabled=move || busy.get()
            data-busy=move || busy.get().to_string() on:click=click>
            {move || if busy.get() { i18n.t(X::Preparing) } else { i18n.t(label) }}
        </button>
        {move || error.get().map(|e| view! {
            <p class="form-error" role="alert" data-testid=format!("{testid}-error")>{e}</p>
        })}
    }
}
