//! Evidence photos (证据照片): the picker that takes or chooses a photo, resizes it on the device
//! (longest side ≤ 1600 px, JPEG) and shows thumbnails before saving; and the photo of a saved
//! step, read from the device's blob store, fetched from the server when missing, and otherwise
//! shown as "not yet synced" — never as an error.

use cunju_domain::blob::MAX_BLOB_BYTES;
use cunju_domain::election::record::MAX_EVIDENCE;
use cunju_domain::ids::Hash;
use js_sys::{Array, Promise, Uint8Array};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::i18n::evidence::EvidenceMsg;
use crate::i18n::use_i18n;
use crate::platform;
use crate::store::{self, Store, StoreError};
use crate::sync::{api, use_sync};

/// Longest side of a stored photo, in pixels: legible notices, small files.
pub const MAX_SIDE_PX: u32 = 1600;
/// JPEG quality of a stored photo.
pub const JPEG_QUALITY: f64 = 0.8;
const JPEG: &str = "image/jpeg";

/// A photo attached to a form, not saved yet.
#[derive(Clone, Debug, PartialEq)]
pub struct Attached {
    pub hash: Hash,
    pub bytes: Vec<u8>,
    pub mime: String,
}

/// Why a photo could not be attached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhotoError {
    NotImage,
    TooBig,
}

impl PhotoError {
    fn msg(self) -> EvidenceMsg {
        match self {
            PhotoError::NotImage => EvidenceMsg::NotImage,
            PhotoError::TooBig => EvidenceMsg::TooBig,
        }
    }
}

/// Decodes an image file and re-encodes it as JPEG with its longest side at most
/// [`MAX_SIDE_PX`]. Anything the browser cannot decode is `NotImage`.
pub async fn resize(file: &web_sys::Blob) -> Result<Vec<u8>, PhotoError> {
    let window = web_sys::window().ok_or(PhotoError::NotImage)?;
    let promise = window
        .create_image_bitmap_with_blob(file)
        .map_err(|_| PhotoError::NotImage)?;
    let bitmap: web_sys::ImageBitmap = JsFuture::from(promise)
        .await
        .map_err(|_| PhotoError::NotImage)?
        .unchecked_into();
    let (w, h) = fit(bitmap.width(), bitmap.height());
    if w == 0 || h == 0 {
        return Err(PhotoError::NotImage);
    }
    let canvas: web_sys::HtmlCanvasElement = window
        .document()
        .and_then(|d| d.create_element("canvas").ok())
        .ok_or(PhotoError::NotImage)?
        .unchecked_into();
    canvas.set_width(w);
    canvas.set_height(h);
    let context: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .ok_or(PhotoError::NotImage)?
        .unchecked_into();
    context
        .draw_image_with_image_bitmap_and_dw_and_dh(&bitmap, 0.0, 0.0, w as f64, h as f64)
        .map_err(|_| PhotoError::NotImage)?;
    bitmap.close();
    let encoded = Promise::new(&mut |resolve, reject| {
        let done = Closure::once_into_js(move |blob: JsValue| {
            if blob.is_null() {
                let _ = reject.call0(&JsValue::NULL);
            } else {
                let _ = resolve.call1(&JsValue::NULL, &blob);
            }
        });
        let _ = canvas.to_blob_with_type_and_encoder_options(
            done.unchecked_ref(),
            JPEG,
            &JsValue::from(JPEG_QUALITY),
        );
    });
    let blob: web_sys::Blob = JsFuture::from(encoded)
        .await
        .map_err(|_| PhotoError::NotImage)?
        .unchecked_into();
    let buffer = JsFuture::from(blob.array_buffer())
        .await
        .map_err(|_| PhotoError::NotImage)?;
    let bytes = Uint8Array::new(&buffer).to_vec();
    if bytes.len() > MAX_BLOB_BYTES {
        return Err(PhotoError::TooBig);
    }
    Ok(bytes)
}

/// The size of an image scaled down (never up) so its longest side is at most `MAX_SIDE_PX`.
pub fn fit(width: u32, height: u32) -> (u32, u32) {
    let longest = width.max(height);
    if longest <= MAX_SIDE_PX {
        return (width, height);
    }
    let scale = MAX_SIDE_PX as f64 / longest as f64;
    let side = |x: u32| ((x as f64 * scale).round() as u32).max(1);
    (side(width), side(height))
}

/// Stores the attached photos in the device's blob store before the event that references
/// them; returns their names in order.
pub async fn store_attached(store: &Store, photos: &[Attached]) -> Result<Vec<Hash>, StoreError> {
    let mut hashes = Vec::with_capacity(photos.len());
    for photo in photos {
        hashes.push(store.put_blob(&photo.bytes, &photo.mime).await?);
    }
    Ok(hashes)
}

/// The "take or choose a photo" control of a form, with thumbnails of what is attached.
#[component]
pub fn PhotoPicker(photos: RwSignal<Vec<Attached>>, testid: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let error = RwSignal::new(None::<EvidenceMsg>);
    let busy = RwSignal::new(false);
    let on_change = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        error.set(None);
        if photos.with_untracked(Vec::len) >= MAX_EVIDENCE {
            error.set(Some(EvidenceMsg::TooMany));
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            match resize(&file).await {
                Ok(bytes) => {
                    let hash = Hash::of(&bytes);
                    // The form may have gone while the photo was being resized: then do nothing.
                    let attached = photos.try_with_untracked(|p| p.iter().any(|a| a.hash == hash));
                    if attached == Some(true) {
                        error.set(Some(EvidenceMsg::Duplicate));
                    } else {
                        photos.update(|p| {
                            p.push(Attached {
                                hash,
                                bytes,
                                mime: JPEG.into(),
                            })
                        });
                    }
                }
                Err(err) => error.set(Some(err.msg())),
            }
            busy.set(false);
        });
    };
    view! {
        <div class="field photo-picker" data-testid=testid>
            <label class="button secondary">
                {move || i18n.t(EvidenceMsg::TakePhoto)}
                <input type="file" accept="image/*" capture="environment" class="visually-hidden"
                    data-testid=format!("{testid}-input") on:change=on_change/>
            </label>
            <Show when=move || busy.get()>
                <p class="muted" role="status">{move || i18n.t(EvidenceMsg::Processing)}</p>
            </Show>
            <Show when=move || error.with(Option::is_some)>
                <p class="form-error" role="alert" data-testid=format!("{testid}-error")>
                    {move || error.get().map(|m| i18n.t(m))}
                </p>
            </Show>
            <Show when=move || photos.with(|p| !p.is_empty())>
                <p class="muted">{move || i18n.t(EvidenceMsg::Attached)}</p>
            </Show>
            <ul class="evidence-list">
                <For each=move || photos.get() key=|a| a.hash let:photo>
                    {
                        let hash = photo.hash;
                        view! {
                            <li class="evidence" data-testid=format!("{testid}-thumb") data-hash=hash.to_string()>
                                <Thumb bytes=photo.bytes mime=photo.mime/>
                                <button type="button" class="link" data-testid=format!("{testid}-remove")
                                    on:click=move |_| photos.update(|p| p.retain(|a| a.hash != hash))>
                                    {move || i18n.t(EvidenceMsg::Remove)}
                                </button>
                            </li>
                        }
                    }
                </For>
            </ul>
        </div>
    }
}

/// An image shown from bytes through an object URL, revoked when the view goes.
#[component]
fn Thumb(bytes: Vec<u8>, mime: String) -> impl IntoView {
    let url = object_url(&bytes, &mime);
    let src = url.clone();
    on_cleanup(move || {
        if let Some(url) = url {
            let _ = web_sys::Url::revoke_object_url(&url);
        }
    });
    view! { <img class="evidence-photo" alt="" src=src.unwrap_or_default()/> }
}

fn object_url(bytes: &[u8], mime: &str) -> Option<String> {
    let parts = Array::of1(&Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}

/// One saved evidence photo: from the device, else from the server (then kept on the device),
/// else the "not yet synced" placeholder.
#[component]
pub fn EvidencePhoto(hash: Hash) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let photo = LocalResource::new(move || {
        let _ = sync.revision.get();
        async move { load(hash).await }
    });
    view! {
        <li class="evidence" data-testid="evidence-photo" data-hash=hash.to_string()>
            {move || match photo.get() {
                None => view! { <span class="muted">{move || i18n.t(EvidenceMsg::Loading)}</span> }.into_any(),
                Some(Some((bytes, mime))) => view! { <Thumb bytes mime/> }.into_any(),
                Some(None) => view! {
                    <span class="evidence-missing muted" data-testid="evidence-not-synced">
                        {move || i18n.t(EvidenceMsg::NotSynced)}
                    </span>
                }.into_any(),
            }}
        </li>
    }
}

/// The photo's bytes and type, if this device has or can get them now.
async fn load(hash: Hash) -> Option<(Vec<u8>, String)> {
    let store = store::shared().await.ok()?;
    if let Ok(Some(blob)) = store.blob(&hash).await {
        return Some((blob.bytes, blob.mime));
    }
    if !platform::is_online() {
        return None;
    }
    let token = store.session().await.ok()??.token?;
    let (bytes, mime) = api::get_blob(&token, &hash).await.ok()??;
    // Bytes that are not the photo named are not shown.
    store.put_synced_blob(hash, &bytes, &mime).await.ok()?;
    Some((bytes, mime))
}
