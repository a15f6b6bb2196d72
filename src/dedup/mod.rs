//! Article identity and near-duplicate folding: canonical URLs, item identity (GUID, URL,
//! headline), edits, MinHash/LSH fingerprints and shingle verification. Pure: storage is reached
//! only through the [`CopyStore`] trait the caller implements; no disk, network or SQLite here.

mod fingerprint;
mod fold;
mod hash;
mod identity;
mod memory;
mod shingle;
mod url;

pub use fingerprint::{band_keys, estimated_jaccard, fingerprint, Fingerprint, BANDS, ROWS};
pub use fold::{
    find_copy, find_copy_of, most_shared, CopyCheck, CopyOf, CopyStore, StoredText, TextPrint,
    MAX_VERIFIED,
};
pub use hash::stable_hash;
pub use identity::{
    content_hash, item_identity, item_keys, resolve_identity, Identity, ItemKeys, KnownArticle,
};
pub use memory::MemoryBands;
pub use shingle::{is_copy, overlap, shingles, shingles_of_words, Overlap};
pub use url::{canonical_url, preferred_canonical_url};
