//! Page tokens from two sides, for each input:
//! - as a token a client sent (bytes read as UTF-8, invalid sequences becoming U+FFFD): every
//!   decoder returns, never panics, and refuses with an `INVALID_ARGUMENT` on `page_token`;
//!   a token it accepts is exactly the one the service would issue for that position;
//! - as a position (the last key of a page): encoding then decoding gives it back through each
//!   decoder its length or encoding allows, and the same token is refused for other filters, with
//!   one character edited, or cut short.

#![no_main]

use essayd::api::page_token::{decode, decode_fixed, decode_name, encode, filter_fingerprint};
use essayd::core::CoreError;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let as_text = String::from_utf8_lossy(data);
    as_a_client_token(&as_text);
    as_a_position(data, &as_text);
});

fn assert_refused<T: std::fmt::Debug>(r: Result<T, CoreError>, what: &str) -> &'static str {
    match r {
        Err(CoreError::InvalidArgument { field, reason, .. }) if field == "page_token" => reason,
        other => panic!("{what}: expected INVALID_ARGUMENT on page_token, got {other:?}"),
    }
}

fn as_a_client_token(token: &str) {
    let filters = filter_fingerprint(&["course", "tenant"]);
    match decode(token, filters) {
        Ok(None) => assert!(
            token.is_empty(),
            "a non-empty token {token:?} decoded as the first page"
        ),
        Ok(Some(key)) => assert_eq!(encode(&key, filters), token, "an accepted token is not canonical"),
        Err(e) => {
            assert!(!token.is_empty(), "the empty token must be the first page");
            assert_refused(Err::<(), _>(e), "decode");
        }
    }
    // The typed decoders only add a check on the key: whatever `decode` refuses, they refuse.
    for (name, r) in [
        (
            "decode_fixed::<16>",
            decode_fixed::<16>(token, filters).map(|k| k.map(|k| k.to_vec())),
        ),
        (
            "decode_fixed::<4>",
            decode_fixed::<4>(token, filters).map(|k| k.map(|k| k.to_vec())),
        ),
        (
            "decode_name",
            decode_name(token, filters).map(|k| k.map(String::into_bytes)),
        ),
    ] {
        match (r, decode(token, filters)) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{name} disagrees with decode"),
            (Err(e), _) => {
                assert_refused(Err::<(), _>(e), name);
            }
            (Ok(a), Err(e)) => panic!("{name} accepted {a:?} where decode refused with {e:?}"),
        }
    }
}

fn as_a_position(key: &[u8], as_text: &str) {
    let filters = filter_fingerprint(&["fuzz", as_text]);
    let token = encode(key, filters);
    assert!(!token.is_empty(), "a position must never encode as the first page");
    assert_eq!(decode(&token, filters).expect("own token"), Some(key.to_vec()));

    let fixed16 = decode_fixed::<16>(&token, filters);
    let fixed4 = decode_fixed::<4>(&token, filters);
    if key.len() == 16 {
        assert_eq!(fixed16.expect("16-byte key").map(|k| k.to_vec()), Some(key.to_vec()));
    } else {
        assert_refused(fixed16, "decode_fixed::<16> of another length");
    }
    if key.len() == 4 {
        assert_eq!(fixed4.expect("4-byte key").map(|k| k.to_vec()), Some(key.to_vec()));
    } else {
        assert_refused(fixed4, "decode_fixed::<4> of another length");
    }
    match std::str::from_utf8(key) {
        Ok(name) => assert_eq!(decode_name(&token, filters).expect("UTF-8 key").as_deref(), Some(name)),
        Err(_) => {
            assert_refused(decode_name(&token, filters), "decode_name of non-UTF-8");
        }
    }

    let other = filter_fingerprint(&["fuzz", as_text, ""]);
    assert_eq!(
        assert_refused(decode(&token, other), "other filters"),
        "PAGE_TOKEN_FILTER_MISMATCH"
    );

    // One character replaced by another of the URL-safe alphabet, at a place the input picks.
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let seed = key
        .iter()
        .fold(key.len(), |h, &b| h.wrapping_mul(31).wrapping_add(usize::from(b)));
    let at = seed % token.len();
    let mut edited = token.clone().into_bytes();
    let old = edited[at];
    edited[at] = alphabet
        .iter()
        .copied()
        .cycle()
        .skip(seed % 64)
        .find(|&c| c != old)
        .expect("64 letters");
    let edited = String::from_utf8(edited).expect("base64 is ASCII");
    assert_refused(decode(&edited, filters), "an edited token");
    assert_refused(decode(&token[..token.len() - 1], filters), "a token cut short");
}
