//! QR decoding for the door screen on browsers without `BarcodeDetector`: the app grabs camera
//! frames into a canvas and sends them here (rqrr: locate the finder patterns, read the grid,
//! correct errors).

/// The texts of every QR code found in a grey image of `width` × `height` pixels (one byte a
/// pixel, rows top to bottom). Unreadable codes are skipped; an image of the wrong size gives
/// nothing.
pub fn decode_qr(width: usize, height: usize, luma: &[u8]) -> Vec<String> {
    if width == 0 || height == 0 || width.checked_mul(height) != Some(luma.len()) {
        return vec![];
    }
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| luma[y * width + x]);
    let mut texts: Vec<String> = image
        .detect_grids()
        .into_iter()
        .filter_map(|grid| grid.decode().ok().map(|(_, text)| text))
        .collect();
    texts.dedup();
    texts
}

/// RGBA pixels (a canvas's `getImageData`) as grey: ITU-R BT.601 weights, in integers.
pub fn rgba_to_luma(rgba: &[u8]) -> Vec<u8> {
    rgba.chunks_exact(4)
        .map(|p| {
            let (r, g, b) = (u32::from(p[0]), u32::from(p[1]), u32::from(p[2]));
            ((299 * r + 587 * g + 114 * b + 500) / 1000) as u8
        })
        .collect()
}
