//! Files in and out of the browser: reading a picked file's bytes, decoding a CSV that may be
//! UTF-8 or GBK/GB18030 (what office software in China writes), and offering text as a download.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The text encodings a CSV file is read in, tried in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    Gb18030,
}

/// The bytes are neither valid UTF-8 nor valid GB18030 (e.g. a spreadsheet saved as .xlsx).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotText;

/// Decodes `bytes` as UTF-8 (strictly), else as GB18030 (a superset of GBK), strictly too.
pub fn decode_text(bytes: &[u8]) -> Result<(String, TextEncoding), NotText> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((text.to_string(), TextEncoding::Utf8));
    }
    let options = web_sys::TextDecoderOptions::new();
    options.set_fatal(true);
    let decoder = web_sys::TextDecoder::new_with_label_and_options("gb18030", &options)
        .map_err(|_| NotText)?;
    decoder
        .decode_with_u8_array(bytes)
        .map(|text| (text, TextEncoding::Gb18030))
        .map_err(|_| NotText)
}

/// The first file chosen in an `<input type="file">`, with its name and bytes.
pub async fn read_chosen_file(input: &web_sys::HtmlInputElement) -> Option<(String, Vec<u8>)> {
    let file = input.files()?.get(0)?;
    let buffer = JsFuture::from(file.array_buffer()).await.ok()?;
    Some((file.name(), js_sys::Uint8Array::new(&buffer).to_vec()))
}

/// Offers `text` as a file download named `filename` (Blob + object URL + a clicked link).
pub fn download_text(filename: &str, mime: &str, text: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|e| format!("{e:?}"))?;
    download_blob(filename, &blob)
}

/// Offers `bytes` as a file download named `filename` (an `.xlsx`, say).
pub fn download_bytes(filename: &str, mime: &str, bytes: &[u8]) -> Result<(), String> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(|e| format!("{e:?}"))?;
    download_blob(filename, &blob)
}

fn download_blob(filename: &str, blob: &web_sys::Blob) -> Result<(), String> {
    let fail = |e: wasm_bindgen::JsValue| format!("{e:?}");
    let url = web_sys::Url::create_object_url_with_blob(blob).map_err(fail)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let link: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(fail)?
        .dyn_into()
        .map_err(|_| "not an anchor".to_string())?;
    link.set_href(&url);
    link.set_download(filename);
    link.click();
    // The click has started the download; the URL may go once the browser has read it.
    let _ = gloo_timers::callback::Timeout::new(10_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}

/// Milliseconds from a monotonic clock, for measuring how long something took.
pub fn now_precise_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or_default()
}
