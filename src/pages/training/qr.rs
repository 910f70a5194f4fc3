//! QR check-in: each trainee's code is drawn on the device (`qrcodegen`, as SVG) and scanned at
//! the door with the phone camera: through the browser's `BarcodeDetector` where it exists,
//! otherwise by grabbing camera frames into a canvas and decoding them with the Rust decoder in
//! the export worker (`components::export_worker`). Without a camera API there is no scan
//! button, only the reason (the roster taps still work).

use js_sys::{Array, Function, Object, Promise, Reflect};
use qrcodegen::{QrCode, QrCodeEcc};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use cunju_domain::ids::EntityId;

use crate::components::export_worker::{self, ExportFailure};

/// What a trainee's code says: the app's prefix and the person's id.
const PREFIX: &str = "cunju-trainee:";

pub fn payload(person: &EntityId) -> String {
    format!("{PREFIX}{person}")
}

/// The person a scanned code names, if it is one of ours.
pub fn person_of(scanned: &str) -> Option<EntityId> {
    scanned.trim().strip_prefix(PREFIX)?.parse().ok()
}

/// The QR code of `text` as an SVG document (dark modules as one path, a 4-module margin).
pub fn svg(text: &str) -> String {
    let Ok(qr) = QrCode::encode_text(text, QrCodeEcc::Medium) else {
        return String::new();
    };
    let size = qr.size();
    let border = 4;
    let mut path = String::new();
    for y in 0..size {
        for x in 0..size {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + border, y + border));
            }
        }
    }
    let dim = size + border * 2;
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {dim} {dim}" shape-rendering="crispEdges"><rect width="100%" height="100%" fill="#fff"/><path d="{path}" fill="#000"/></svg>"##
    )
}

/// Does this browser have `BarcodeDetector`?
pub fn scanner_available() -> bool {
    web_sys::window()
        .is_some_and(|w| Reflect::has(&w, &JsValue::from_str("BarcodeDetector")).unwrap_or(false))
}

/// Can this page open a camera (`navigator.mediaDevices.getUserMedia`; secure contexts only)?
pub fn camera_available() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    get(&window, "navigator")
        .and_then(|n| get(&n, "mediaDevices"))
        .and_then(|d| get(&d, "getUserMedia"))
        .is_ok_and(|f| f.is_function())
}

/// The longest side of a frame sent to the wasm decoder: enough for a code held up at the door,
/// small enough to decode several times a second on a cheap phone.
const FRAME_MAX: f64 = 640.0;

/// What reads the codes.
enum Reader {
    /// The browser's `BarcodeDetector`.
    Detector { detector: JsValue, detect: Function },
    /// Frames drawn into a canvas and decoded in the export worker.
    Wasm { canvas: JsValue, context: JsValue },
}

/// A running camera and reader.
pub struct Scanner {
    reader: Reader,
    stream: JsValue,
}

fn get(target: &JsValue, key: &str) -> Result<JsValue, JsValue> {
    Reflect::get(target, &JsValue::from_str(key))
}

fn call(target: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let f: Function = get(target, method)?.dyn_into()?;
    Reflect::apply(&f, target, &args.iter().collect::<Array>())
}

impl Scanner {
    /// Opens the back camera into `video` and makes a QR reader: `BarcodeDetector` where the
    /// browser has one, else a canvas for frames to the wasm decoder.
    pub async fn start(video: &JsValue) -> Result<Scanner, JsValue> {
        let window: JsValue = web_sys::window().ok_or("no window")?.into();
        let reader = if scanner_available() {
            let ctor: Function = get(&window, "BarcodeDetector")?.dyn_into()?;
            let options = Object::new();
            Reflect::set(&options, &"formats".into(), &Array::of1(&"qr_code".into()))?;
            let detector = Reflect::construct(&ctor, &Array::of1(&options))?;
            let detect: Function = get(&detector, "detect")?.dyn_into()?;
            Reader::Detector { detector, detect }
        } else {
            let document = get(&window, "document")?;
            let canvas = call(&document, "createElement", &["canvas".into()])?;
            let options = Object::new();
            Reflect::set(&options, &"willReadFrequently".into(), &JsValue::TRUE)?;
            let context = call(&canvas, "getContext", &["2d".into(), options.into()])?;
            if context.is_null() {
                return Err("no 2d canvas".into());
            }
            Reader::Wasm { canvas, context }
        };
        let devices = get(&get(&window, "navigator")?, "mediaDevices")?;
        let constraints = Object::new();
        let video_c = Object::new();
        Reflect::set(&video_c, &"facingMode".into(), &"environment".into())?;
        Reflect::set(&constraints, &"video".into(), &video_c)?;
        let promise: Promise = call(&devices, "getUserMedia", &[constraints.into()])?.dyn_into()?;
        let stream = JsFuture::from(promise).await?;
        Reflect::set(video, &"srcObject".into(), &stream)?;
        if let Ok(p) = call(video, "play", &[])?.dyn_into::<Promise>() {
            JsFuture::from(p).await?;
        }
        Ok(Scanner { reader, stream })
    }

    /// `detector` or `wasm`, for the screen (and its tests) to show which reader runs.
    pub fn reader_name(&self) -> &'static str {
        match self.reader {
            Reader::Detector { .. } => "detector",
            Reader::Wasm { .. } => "wasm",
        }
    }

    /// The texts of the codes in view now. Fails only when the wasm decoder cannot run.
    pub async fn scan(&self, video: &JsValue) -> Result<Vec<String>, ExportFailure> {
        match &self.reader {
            Reader::Detector { detector, detect } => {
                let Ok(promise) = detect.call1(detector, video) else {
                    return Ok(vec![]);
                };
                let Ok(found) = JsFuture::from(Promise::from(promise)).await else {
                    return Ok(vec![]);
                };
                Ok(Array::from(&found)
                    .iter()
                    .filter_map(|code| get(&code, "rawValue").ok()?.as_string())
                    .collect())
            }
            Reader::Wasm { canvas, context } => {
                let Some(frame) = grab_frame(video, canvas, context) else {
                    return Ok(vec![]);
                };
                let (width, height, rgba) = frame;
                export_worker::decode_qr(width, height, rgba).await
            }
        }
    }

    /// Turns the camera off.
    pub fn stop(&self) {
        if let Ok(tracks) = call(&self.stream, "getTracks", &[]) {
            for track in Array::from(&tracks).iter() {
                let _ = call(&track, "stop", &[]);
            }
        }
    }
}

/// The video's current frame, scaled to at most [`FRAME_MAX`] a side: width, height and the
/// RGBA bytes (a `Uint8ClampedArray`). `None` before the camera delivers frames.
fn grab_frame(video: &JsValue, canvas: &JsValue, context: &JsValue) -> Option<(u32, u32, JsValue)> {
    let vw = get(video, "videoWidth").ok()?.as_f64()?;
    let vh = get(video, "videoHeight").ok()?.as_f64()?;
    if vw < 1.0 || vh < 1.0 {
        return None;
    }
    let scale = (FRAME_MAX / vw.max(vh)).min(1.0);
    let (w, h) = ((vw * scale).round(), (vh * scale).round());
    if get(canvas, "width").ok()?.as_f64() != Some(w) {
        Reflect::set(canvas, &"width".into(), &w.into()).ok()?;
    }
    if get(canvas, "height").ok()?.as_f64() != Some(h) {
        Reflect::set(canvas, &"height".into(), &h.into()).ok()?;
    }
    let zero = JsValue::from(0);
    call(
        context,
        "drawImage",
        &[
            video.clone(),
            zero.clone(),
            zero.clone(),
            w.into(),
            h.into(),
        ],
    )
    .ok()?;
    let image = call(
        context,
        "getImageData",
        &[zero.clone(), zero, w.into(), h.into()],
    )
    .ok()?;
    Some((w as u32, h as u32, get(&image, "data").ok()?))
}
