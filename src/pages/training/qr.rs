//! QR check-in: each trainee's code is drawn on the device (`qrcodegen`, as SVG) and scanned at
//! the door with the phone camera through the browser's `BarcodeDetector` where it exists.
//! A browser without it gets no scan button, only the reason (the roster taps still work).

use js_sys::{Array, Function, Object, Promise, Reflect};
use qrcodegen::{QrCode, QrCodeEcc};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use cunju_domain::ids::EntityId;

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

/// A running camera and detector.
pub struct Scanner {
    detector: JsValue,
    detect: Function,
    stream: JsValue,
}

fn get(target: &JsValue, key: &str) -> Result<JsValue, JsValue> {
    Reflect::get(target, &JsValue::from_str(key))
}

impl Scanner {
    /// Opens the back camera into `video` and makes a QR detector.
    pub async fn start(video: &JsValue) -> Result<Scanner, JsValue> {
        let window: JsValue = web_sys::window().ok_or("no window")?.into();
        let ctor: Function = get(&window, "BarcodeDetector")?.dyn_into()?;
        let options = Object::new();
        Reflect::set(&options, &"formats".into(), &Array::of1(&"qr_code".into()))?;
        let detector = Reflect::construct(&ctor, &Array::of1(&options))?;
        let detect: Function = get(&detector, "detect")?.dyn_into()?;
        let devices = get(&get(&window, "navigator")?, "mediaDevices")?;
        let get_user_media: Function = get(&devices, "getUserMedia")?.dyn_into()?;
        let constraints = Object::new();
        let video_c = Object::new();
        Reflect::set(&video_c, &"facingMode".into(), &"environment".into())?;
        Reflect::set(&constraints, &"video".into(), &video_c)?;
        let promise: Promise = get_user_media.call1(&devices, &constraints)?.dyn_into()?;
        let stream = JsFuture::from(promise).await?;
        Reflect::set(video, &"srcObject".into(), &stream)?;
        let play: Function = get(video, "play")?.dyn_into()?;
        if let Ok(p) = play.call0(video)?.dyn_into::<Promise>() {
            JsFuture::from(p).await?;
        }
        Ok(Scanner {
            detector,
            detect,
            stream,
        })
    }

    /// The texts of the codes in view now.
    pub async fn scan(&self, video: &JsValue) -> Vec<String> {
        let Ok(promise) = self.detect.call1(&self.detector, video) else {
            return vec![];
        };
        let Ok(found) = JsFuture::from(Promise::from(promise)).await else {
            return vec![];
        };
        Array::from(&found)
            .iter()
            .filter_map(|code| get(&code, "rawValue").ok()?.as_string())
            .collect()
    }

    /// Turns the camera off.
    pub fn stop(&self) {
        if let Ok(tracks) = get(&self.stream, "getTracks")
            .and_then(|f| f.dyn_into::<Function>())
            .and_then(|f| f.call0(&self.stream))
        {
            for track in Array::from(&tracks).iter() {
                if let Ok(stop) = get(&track, "stop").and_then(|f| f.dyn_into::<Function>()) {
                    let _ = stop.call0(&track);
                }
            }
        }
    }
}
