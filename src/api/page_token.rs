//! Opaque page tokens (AIP-158): the last key returned and a fingerprint of
//! the request's filters, with a checksum so that a token we did not issue,
//! or one edited by hand, is refused rather than misread.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

use crate::core::CoreError;

const VERSION: u8 = 1;
const CHECKSUM_LEN: usize = 8;

/// The default and the largest page size.
pub const DEFAULT_PAGE_SIZE: usize = 50;
pub const MAX_PAGE_SIZE: usize = 1000;

/// Checks a request's `page_size`: negative is an error, 0 the default,
/// anything above the maximum is capped.
pub fn page_size(raw: i32) -> Result<usize, CoreError> {
    match raw {
        n if n < 0 => Err(CoreError::invalid(
            "page_size",
            "NEGATIVE_PAGE_SIZE",
            format!("is {n}; use 0 for the default ({DEFAULT_PAGE_SIZE}) or a positive number"),
        )),
        0 => Ok(DEFAULT_PAGE_SIZE),
        n => Ok((n as usize).min(MAX_PAGE_SIZE)),
    }
}

/// A fingerprint of the filters a listing was asked with; a token is valid
/// only with the same filters.
pub fn filter_fingerprint(parts: &[&str]) -> [u8; 8] {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    h.finalize()[..8].try_into().expect("8 bytes of a 32-byte digest")
}

fn checksum(body: &[u8]) -> [u8; CHECKSUM_LEN] {
    let mut h = Sha256::new();
    h.update(b"essayd page token");
    h.update(body);
    h.finalize()[..CHECKSUM_LEN]
        .try_into()
        .expect("8 bytes of a 32-byte digest")
}

/// Encodes the position after `last_key` for listings with `filters`.
pub fn encode(last_key: &[u8], filters: [u8; 8]) -> String {
    let mut body = Vec::with_capacity(1 + 8 + last_key.len() + CHECKSUM_LEN);
    body.push(VERSION);
    body.extend_from_slice(&filters);
    body.extend_from_slice(last_key);
    let sum = checksum(&body);
    body.extend_from_slice(&sum);
    URL_SAFE_NO_PAD.encode(body)
}

/// Decodes a token; `None` for an empty one (the first page).
pub fn decode(token: &str, filters: [u8; 8]) -> Result<Option<Vec<u8>>, CoreError> {
    if token.is_empty() {
        return Ok(None);
    }
    let invalid = || {
        CoreError::invalid(
            "page_token",
            "INVALID_PAGE_TOKEN",
            "is not a page token this service issued; pass next_page_token from the previous response unchanged",
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
    if bytes.len() < 1 + 8 + CHECKSUM_LEN {
        return Err(invalid());
    }
    let (body, sum) = bytes.split_at(bytes.len() - CHECKSUM_LEN);
    if checksum(body) != sum || body[0] != VERSION {
        return Err(invalid());
    }
    if body[1..9] != filters {
        return Err(CoreError::invalid(
            "page_token",
            "PAGE_TOKEN_FILTER_MISMATCH",
            "was issued for a listing with other filters; repeat the filters of the first request",
        ));
    }
    Ok(Some(body[9..].to_vec()))
}

/// Decodes a token whose position is a fixed-size key (an id, a sequence).
pub fn decode_fixed<const N: usize>(token: &str, filters: [u8; 8]) -> Result<Option<[u8; N]>, CoreError> {
    decode(token, filters)?
        .map(|key| {
            <[u8; N]>::try_from(key.as_slice()).map_err(|_| {
                CoreError::invalid(
                    "page_token",
                    "INVALID_PAGE_TOKEN",
                    "is not a page token of this listing",
                )
            })
        })
        .transpose()
}

/// Decodes a token whose position is a name.
pub fn decode_name(token: &str, filters: [u8; 8]) -> Result<Option<String>, CoreError> {
    decode(token, filters)?
        .map(|key| {
            String::from_utf8(key).map_err(|_| {
                CoreError::invalid(
                    "page_token",
                    "INVALID_PAGE_TOKEN",
                    "is not a page token of this listing",
                )
            })
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_token_round_trips() {
        let f = filter_fingerprint(&["course", ""]);
        let t = encode(b"abc", f);
        assert_eq!(decode(&t, f).unwrap(), Some(b"abc".to_vec()));
    }

    #[test]
    fn a_token_with_other_filters_or_edited_is_refused() {
        let f = filter_fingerprint(&["a"]);
        let t = encode(b"abc", f);
        assert!(decode(&t, filter_fingerprint(&["b"])).is_err());
        let mut edited = t.into_bytes();
        edited[3] = if edited[3] == b'A' { b'B' } else { b'A' };
        assert!(decode(std::str::from_utf8(&edited).unwrap(), f).is_err());
        assert!(decode("not a token", f).is_err());
    }

    fn refused_as_invalid_page_token<T: std::fmt::Debug>(r: Result<T, CoreError>) -> bool {
        matches!(r, Err(CoreError::InvalidArgument { ref field, .. }) if field == "page_token")
    }

    proptest! {
        #[test]
        fn any_string_is_decoded_or_refused_never_misread(token in any::<String>(), parts in any::<Vec<String>>()) {
            let f = filter_fingerprint(&parts.iter().map(String::as_str).collect::<Vec<_>>());
            match decode(&token, f) {
                Ok(None) => prop_assert!(token.is_empty()),
                // Only a token the service would issue is accepted.
                Ok(Some(key)) => prop_assert_eq!(encode(&key, f), token.clone()),
                Err(e) => prop_assert!(refused_as_invalid_page_token(Err::<(), _>(e))),
            }
            for r in [
                decode_fixed::<16>(&token, f).map(|k| k.map(|k| k.to_vec())),
                decode_fixed::<4>(&token, f).map(|k| k.map(|k| k.to_vec())),
                decode_name(&token, f).map(|k| k.map(String::into_bytes)),
            ] {
                prop_assert!(r.is_ok() || refused_as_invalid_page_token(r));
            }
        }

        #[test]
        fn every_position_round_trips_and_an_edit_is_refused(
            key in prop::collection::vec(any::<u8>(), 0..64),
            filter in ".{0,20}",
            at in any::<prop::sample::Index>(),
        ) {
            let f = filter_fingerprint(&[&filter]);
            let t = encode(&key, f);
            prop_assert_eq!(decode(&t, f).unwrap(), Some(key.clone()));
            prop_assert_eq!(
                decode_fixed::<16>(&t, f).ok().flatten().map(|k| k.to_vec()),
                (key.len() == 16).then(|| key.clone())
            );
            prop_assert_eq!(
                decode_fixed::<4>(&t, f).ok().flatten().map(|k| k.to_vec()),
                (key.len() == 4).then(|| key.clone())
            );
            prop_assert_eq!(decode_name(&t, f).ok().flatten(), String::from_utf8(key.clone()).ok());
            prop_assert!(refused_as_invalid_page_token(decode(&t, filter_fingerprint(&[&filter, ""]))));

            let mut edited = t.clone().into_bytes();
            let i = at.index(edited.len());
            edited[i] = if edited[i] == b'A' { b'_' } else { b'A' };
            prop_assert!(refused_as_invalid_page_token(decode(std::str::from_utf8(&edited).unwrap(), f)));
            prop_assert!(refused_as_invalid_page_token(decode(&t[..t.len() - 1], f)));
        }
    }

    #[test]
    fn page_size_is_capped_defaulted_and_never_negative() {
        assert_eq!(page_size(0).unwrap(), DEFAULT_PAGE_SIZE);
        assert_eq!(page_size(5000).unwrap(), MAX_PAGE_SIZE);
        assert!(page_size(-1).is_err());
    }
}
