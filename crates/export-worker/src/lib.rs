//! Cunju's export worker: what is too big for the app's first load (issue 7: the spreadsheet
//! writer alone adds about 240 KB gzipped) runs in a web worker the app starts on first use.
//!
//! - [`workbook_to_xlsx`]: a domain [`Workbook`](cunju_domain::export::Workbook) (rosters,
//!   attendance sheets, completion lists) as `.xlsx` bytes.
//! - [`decode_qr`]: the QR codes in a grey camera frame, for browsers without `BarcodeDetector`.
//! - [`read_first_sheet`]: a roster typed in Excel, as cells for the domain's import rules.
//!
//! Both are plain functions, tested natively; `main.rs` is only the worker's message loop.
//!
//! The messages (JavaScript objects, see `src/components/export_worker.rs` in the app):
//! - worker → app once started: `{ready: true}`
//! - `{id, kind: "xlsx", workbook: "<Workbook as JSON>"}` → `{id, ok: true, bytes: Uint8Array}`
//! - `{id, kind: "qr", width, height, rgba: Uint8ClampedArray}` → `{id, ok: true, texts: [..]}`
//! - `{id, kind: "sheet", bytes: Uint8Array}` → `{id, ok: true, sheet: "<rows of SheetCell as JSON>"}`
//! - any failure → `{id, ok: false, error: "<English text for the log>"}`

pub mod qr;
pub mod sheet;
pub mod xlsx;

pub use qr::{decode_qr, rgba_to_luma};
pub use sheet::read_first_sheet;
pub use xlsx::{ExportError, workbook_to_xlsx};

/// The `.xlsx` MIME type, for the download's Blob.
pub const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A request as the message loop reads it (after taking the fields off the JS object).
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// `workbook` is the JSON of a domain `Workbook`.
    Xlsx { workbook: String },
    /// An RGBA frame (4 bytes a pixel), as a canvas's `getImageData` gives it.
    Qr {
        width: usize,
        height: usize,
        rgba: Vec<u8>,
    },
    /// The bytes of an `.xlsx` file whose first sheet is wanted.
    Sheet { bytes: Vec<u8> },
}

/// What the worker answers.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Xlsx(Vec<u8>),
    Qr(Vec<String>),
    /// The rows of `Vec<SheetCell>`, as JSON.
    Sheet(String),
}

/// Handles one request: the whole of the worker's work, without any JavaScript.
pub fn handle(request: Request) -> Result<Reply, ExportError> {
    match request {
        Request::Xlsx { workbook } => {
            let book: cunju_domain::export::Workbook = serde_json::from_str(&workbook)
                .map_err(|e| ExportError::BadRequest(e.to_string()))?;
            workbook_to_xlsx(&book).map(Reply::Xlsx)
        }
        Request::Qr {
            width,
            height,
            rgba,
        } => {
            if width.checked_mul(height).and_then(|n| n.checked_mul(4)) != Some(rgba.len()) {
                return Err(ExportError::BadRequest(format!(
                    "a {width}×{height} RGBA frame has {} bytes, not {}",
                    width.saturating_mul(height).saturating_mul(4),
                    rgba.len()
                )));
            }
            Ok(Reply::Qr(decode_qr(width, height, &rgba_to_luma(&rgba))))
        }
        Request::Sheet { bytes } => {
            let rows = read_first_sheet(&bytes)?;
            serde_json::to_string(&rows)
                .map(Reply::Sheet)
                .map_err(|e| ExportError::BadRequest(e.to_string()))
        }
    }
}
