//! Secret defaults: `type: Opaque`, and `stringData` folded into `data`.
//!
//! `stringData` is write-only: the v1 → internal conversion base64-encodes each
//! entry into `data` (winning over a `data` entry of the same key) and the field is
//! never stored, so a Secret written with `stringData` reads back with `data` only.
//! The encoder is hand-written because it is a dozen lines and the only base64 the
//! sandbox's defaulting needs.

use serde_json::Value;

use super::fields::{Object, child, default_zero};

pub(super) fn default_secret(secret: &mut Object) {
    default_zero(secret, "type", "Opaque");
    let Some(Value::Object(plain)) = secret.remove("stringData") else {
        return;
    };
    if plain.is_empty() {
        return;
    }
    let Some(data) = child(secret, "data") else {
        // `data` of the wrong type: put stringData back for validation to see.
        secret.insert("stringData".to_owned(), Value::Object(plain));
        return;
    };
    for (key, value) in plain {
        if let Value::String(text) = value {
            data.insert(key, base64(text.as_bytes()).into());
        }
    }
}

/// Standard base64 with padding (RFC 4648 §4), as Go's `[]byte` JSON encoding uses.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let group = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((group >> shift) & 0x3f) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::base64;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        let vectors = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in vectors {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
        assert_eq!(base64(&[0xfb, 0xff]), "+/8=");
    }
}
