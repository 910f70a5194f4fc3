//! The QR fallback of the door screen: codes drawn the way the app draws them (qrcodegen) and
//! photographed (scaled, a quiet zone, grey levels, a little noise) are read back by
//! `decode_qr`; a frame without a code reads nothing.

use cunju_export_worker::{Reply, Request, decode_qr, handle, rgba_to_luma};
use qrcodegen::{QrCode, QrCodeEcc};

/// A grey image of `w` × `h` (light background) with each code drawn at (x, y), `scale` pixels
/// a module. Dark modules are 40, light ones 210, plus a deterministic ±20 ripple.
fn picture(w: usize, h: usize, codes: &[(&str, usize, usize)], scale: usize) -> Vec<u8> {
    let mut px = vec![210u8; w * h];
    for &(text, x0, y0) in codes {
        let qr = QrCode::encode_text(text, QrCodeEcc::Medium).unwrap();
        let size = qr.size() as usize;
        for my in 0..size {
            for mx in 0..size {
                if qr.get_module(mx as i32, my as i32) {
                    for dy in 0..scale {
                        for dx in 0..scale {
                            px[(y0 + my * scale + dy) * w + x0 + mx * scale + dx] = 40;
                        }
                    }
                }
            }
        }
    }
    for (i, p) in px.iter_mut().enumerate() {
        let ripple = ((i * 7919) % 41) as i32 - 20;
        *p = (*p as i32 + ripple).clamp(0, 255) as u8;
    }
    px
}

const PAYLOAD: &str = "cunju-trainee:person:01J9ZQ3W4K5M6N7P8Q9R0S1T2V";

#[test]
fn a_trainee_code_is_read_back() {
    // A 640×480 frame (what the door screen sends), the code 4 px a module, 4 modules of
    // quiet zone and more around it.
    let img = picture(640, 480, &[(PAYLOAD, 200, 120)], 4);
    assert_eq!(decode_qr(640, 480, &img), vec![PAYLOAD.to_string()]);
}

#[test]
fn two_codes_in_one_frame_are_both_read() {
    let other = "cunju-trainee:person:01J9ZQ3W4K5M6N7P8Q9R0S1T2W";
    let img = picture(640, 480, &[(PAYLOAD, 20, 40), (other, 360, 300)], 4);
    let mut found = decode_qr(640, 480, &img);
    found.sort();
    assert_eq!(found, vec![PAYLOAD.to_string(), other.to_string()]);
}

#[test]
fn a_blank_or_wrongly_sized_frame_reads_nothing() {
    assert!(decode_qr(320, 240, &vec![200u8; 320 * 240]).is_empty());
    assert!(decode_qr(320, 240, &picture(320, 240, &[], 1)).is_empty());
    let img = picture(640, 480, &[(PAYLOAD, 200, 120)], 4);
    assert!(decode_qr(640, 479, &img).is_empty(), "size does not match");
    assert!(decode_qr(0, 0, &[]).is_empty());
}

#[test]
fn an_rgba_frame_goes_through_the_message_handler() {
    let grey = picture(640, 480, &[(PAYLOAD, 200, 120)], 4);
    // Coloured: dark modules dark blue, light ones cream, as a camera might see them.
    let rgba: Vec<u8> = grey
        .iter()
        .flat_map(|&g| [g, g, g.saturating_add(30), 255])
        .collect();
    assert_eq!(
        rgba_to_luma(&[255, 255, 255, 255, 0, 0, 0, 255]),
        vec![255, 0]
    );
    let reply = handle(Request::Qr {
        width: 640,
        height: 480,
        rgba: rgba.clone(),
    })
    .unwrap();
    assert_eq!(reply, Reply::Qr(vec![PAYLOAD.to_string()]));
    assert!(
        handle(Request::Qr {
            width: 641,
            height: 480,
            rgba
        })
        .is_err()
    );
}
