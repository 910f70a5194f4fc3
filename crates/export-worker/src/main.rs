//! The export worker's message loop (wasm32 only): read a request off the message, call
//! [`cunju_export_worker::handle`], post the answer. Built by Trunk as a web worker
//! (`index.html`: `data-type="worker"`), started by the app on first use.

#[cfg(target_arch = "wasm32")]
mod web {
    use cunju_export_worker::{Reply, Request, handle};
    use js_sys::{Array, Object, Reflect, Uint8Array};
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::*;
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    fn field(obj: &JsValue, key: &str) -> JsValue {
        Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    }

    fn set(obj: &Object, key: &str, value: &JsValue) {
        let _ = Reflect::set(obj, &JsValue::from_str(key), value);
    }

    fn request(data: &JsValue) -> Result<Request, String> {
        let kind = field(data, "kind").as_string().unwrap_or_default();
        match kind.as_str() {
            "xlsx" => Ok(Request::Xlsx {
                workbook: field(data, "workbook")
                    .as_string()
                    .ok_or("xlsx: no workbook")?,
            }),
            "qr" => {
                let dim = |k: &str| field(data, k).as_f64().map(|n| n as usize);
                let (Some(width), Some(height)) = (dim("width"), dim("height")) else {
                    return Err("qr: no width or height".into());
                };
                let rgba = field(data, "rgba");
                if rgba.is_undefined() || rgba.is_null() {
                    return Err("qr: no pixels".into());
                }
                Ok(Request::Qr {
                    width,
                    height,
                    rgba: Uint8Array::new(&rgba).to_vec(),
                })
            }
            "sheet" => {
                let bytes = field(data, "bytes");
                if bytes.is_undefined() || bytes.is_null() {
                    return Err("sheet: no bytes".into());
                }
                Ok(Request::Sheet {
                    bytes: Uint8Array::new(&bytes).to_vec(),
                })
            }
            other => Err(format!("unknown request kind {other:?}")),
        }
    }

    fn answer(scope: &DedicatedWorkerGlobalScope, data: &JsValue) {
        let reply = Object::new();
        set(&reply, "id", &field(data, "id"));
        let mut transfer = None;
        match request(data).and_then(|r| handle(r).map_err(|e| e.to_string())) {
            Ok(Reply::Xlsx(bytes)) => {
                let array = Uint8Array::from(bytes.as_slice());
                set(&reply, "ok", &JsValue::TRUE);
                set(&reply, "bytes", &array);
                transfer = Some(Array::of1(&array.buffer()));
            }
            Ok(Reply::Qr(texts)) => {
                let list: Array = texts.iter().map(|t| JsValue::from_str(t)).collect();
                set(&reply, "ok", &JsValue::TRUE);
                set(&reply, "texts", &list);
            }
            Ok(Reply::Sheet(json)) => {
                set(&reply, "ok", &JsValue::TRUE);
                set(&reply, "sheet", &JsValue::from_str(&json));
            }
            Err(error) => {
                set(&reply, "ok", &JsValue::FALSE);
                set(&reply, "error", &JsValue::from_str(&error));
            }
        }
        let posted = match transfer {
            Some(t) => scope.post_message_with_transfer(&reply, &t),
            None => scope.post_message(&reply),
        };
        if let Err(e) = posted {
            web_sys::console::error_1(&e);
        }
    }

    pub fn start() {
        let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
        let for_handler = scope.clone();
        let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |ev: MessageEvent| {
            answer(&for_handler, &ev.data());
        });
        scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        // Messages sent before this handler existed would be lost: the app waits for this.
        let ready = Object::new();
        set(&ready, "ready", &JsValue::TRUE);
        let _ = scope.post_message(&ready);
    }
}

fn main() {
    #[cfg(target_arch = "wasm32")]
    web::start();
}
